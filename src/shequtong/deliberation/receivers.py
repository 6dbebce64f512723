"""What deliberation does when other apps publish: the case opened for a resolution is
linked to its topic, and its progress is reported to the topic's participants."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from shequtong.cases.events import case_resolved, follow_up_opened

from .events import ORIGIN
from .services import topic_case_link, topic_case_progress


@receiver(follow_up_opened, dispatch_uid="deliberation-follow-up-opened")
def link_case(sender: Any, *, origin: str, number: str, **_: Any) -> None:
    kind, _, pk = origin.rpartition(":")
    if kind == ORIGIN:
        topic_case_link(topic_id=int(pk), case_number=number)


@receiver(case_resolved, dispatch_uid="deliberation-case-resolved")
def report_progress(sender: Any, *, number: str, **_: Any) -> None:
    topic_case_progress(case_number=number, label="已办结")
