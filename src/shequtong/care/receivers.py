"""What care does when other apps publish: a case opened for an alarm is linked to it."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from shequtong.cases.events import follow_up_opened

from .events import ORIGIN
from .services import alarm_case_link


@receiver(follow_up_opened, dispatch_uid="care-follow-up-opened")
def link_case(sender: Any, *, origin: str, number: str, **_: Any) -> None:
    kind, _, pk = origin.rpartition(":")
    if kind == ORIGIN:
        alarm_case_link(alarm_id=int(pk), case_number=number)
