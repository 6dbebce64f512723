"""What cases does when other apps publish: an alarm that needs follow-up, or a topic's
resolution to carry out, becomes a case."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from shequtong.care.events import alarm_follow_up
from shequtong.core.events import publish
from shequtong.core.models import Area, User
from shequtong.deliberation.events import resolution_adopted

from .choices import CaseSource
from .events import follow_up_opened
from .services import Report, case_report
from .tree import tree

# The category a followed-up alarm is filed under; anything else is 养老助老.
CATEGORY_OF_ALARM = {"gas": "hazard-gas", "smoke": "hazard-other"}


@receiver(alarm_follow_up, dispatch_uid="cases-alarm-follow-up")
def open_case_for_alarm(
    sender: Any,
    *,
    origin: str,
    kind: str,
    kind_label: str,
    outcome_label: str,
    area_id: int,
    place: str,
    url: str,
    actor_id: int,
    **_: Any,
) -> None:
    """The case says what to follow up and where, never who or why medically: the alarm's
    page (access-checked) has the person, the notes and the timeline."""
    handled = f"，处置结果：{outcome_label}" if outcome_label else ""
    report = Report(
        category=tree().by_code[CATEGORY_OF_ALARM.get(kind, "life-elderly")],
        description=f"{kind_label}告警需要跟进{handled}。详情见关联的告警记录。",
        source=CaseSource.DEVICE,
        area=Area.objects.get(pk=area_id),
        address=place,
        idempotency_key=f"care-alarm-{origin.rpartition(':')[2]}",  # published twice, opened once
        origin_url=url,
    )
    case = case_report(actor=User.objects.get(pk=actor_id), report=report)
    publish(follow_up_opened, origin=origin, number=case.number)


@receiver(resolution_adopted, dispatch_uid="cases-resolution-adopted")
def open_case_for_resolution(
    sender: Any,
    *,
    origin: str,
    category_code: str,
    summary: str,
    area_id: int,
    url: str,
    actor_id: int,
    **_: Any,
) -> None:
    categories = tree().by_code
    report = Report(
        category=categories.get(category_code) or categories["city-misc"],
        description=summary,
        source=CaseSource.DELIBERATION,
        area=Area.objects.get(pk=area_id),
        idempotency_key=f"deliberation-topic-{origin.rpartition(':')[2]}",
        origin_url=url,
    )
    case = case_report(actor=User.objects.get(pk=actor_id), report=report)
    publish(follow_up_opened, origin=origin, number=case.number)
