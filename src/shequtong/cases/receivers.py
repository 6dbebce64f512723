"""What cases does when other apps publish: an alarm that needs follow-up becomes a case."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from shequtong.care.events import alarm_follow_up
from shequtong.care.models import Alarm
from shequtong.care.services import alarm_case_link
from shequtong.core.models import User

from .choices import CaseSource
from .services import Report, case_report
from .tree import tree

# The category a followed-up alarm is filed under; anything else is 养老助老.
CATEGORY_OF_ALARM = {"gas": "hazard-gas", "smoke": "hazard-other"}


@receiver(alarm_follow_up, dispatch_uid="cases-alarm-follow-up")
def open_case_for_alarm(sender: Any, alarm: Alarm, actor: User, **_: Any) -> None:
    person = alarm.profile.person
    category = tree().by_code[CATEGORY_OF_ALARM.get(alarm.kind, "life-elderly")]
    handled = f"，处置结果：{alarm.get_outcome_display()}" if alarm.outcome else ""
    report = Report(
        category=category,
        description=(
            f"{person.name}（{alarm.profile.get_living_display()}）的{alarm.get_kind_display()}"
            f"告警需要跟进{handled}。{alarm.note}"
        ).strip(),
        source=CaseSource.DEVICE,
        area=person.area,
        address=str(person.dwelling or ""),
        idempotency_key=f"care-alarm-{alarm.pk}",  # published twice, opened once
    )
    case = case_report(actor=actor, report=report)
    alarm_case_link(alarm=alarm, case_number=case.number)
