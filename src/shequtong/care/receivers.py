"""What care does when other apps publish: a case opened for an alarm is linked to it; a
resident's care file follows them to their new grid."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from shequtong.cases.events import follow_up_opened
from shequtong.registry.events import residents_moved

from .events import ORIGIN
from .services import alarm_case_link, care_follows_residents


@receiver(follow_up_opened, dispatch_uid="care-follow-up-opened")
def link_case(sender: Any, *, origin: str, number: str, **_: Any) -> None:
    kind, _, pk = origin.rpartition(":")
    if kind == ORIGIN:
        alarm_case_link(alarm_id=int(pk), case_number=number)


@receiver(residents_moved, dispatch_uid="care-residents-moved")
def follow_residents(
    sender: Any, *, person_ids: list[int], area_id: int, area_path: str, **_: Any
) -> None:
    care_follows_residents(person_ids=person_ids, area_id=area_id, area_path=area_path)
