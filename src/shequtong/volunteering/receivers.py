"""Volunteering's reactions to other apps' domain events: a valid 随手拍 earns 爱心币; a home
service a volunteer did goes through the time bank."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver

from shequtong.accounts.services import person_of
from shequtong.care.events import care_order_done
from shequtong.cases.events import resident_report_resolved
from shequtong.core.models import User
from shequtong.ledger.models import Transaction
from shequtong.registry.models import Person

from .models import Volunteer
from .services.bank import coins_credit, earn, settle_service


@receiver(resident_report_resolved, dispatch_uid="volunteering.coins_for_report")
def coins_for_report(sender: Any, number: str, reporter_id: int, **kwargs: Any) -> None:
    """Once per case, to the reporter's registry record (an account not yet 实名 earns none)."""
    coins = settings.SHEQUTONG_COINS_PER_VALID_REPORT
    reporter = User.objects.filter(pk=reporter_id).first()
    person = person_of(reporter) if reporter else None
    if not coins or person is None:
        return
    memo = f"有效随手拍 {number}"
    with transaction.atomic():
        if Transaction.objects.filter(kind="coins.report", memo=memo).exists():
            return
        coins_credit(actor=None, person=person, coins=coins, kind="coins.report", memo=memo)


@receiver(care_order_done, dispatch_uid="volunteering.care_order_through_the_bank")
def care_order_through_the_bank(
    sender: Any,
    order_id: int,
    person_id: int,
    volunteer_id: int,
    minutes: int,
    service_label: str,
    **kwargs: Any,
) -> None:
    """A home service a registered volunteer did: the volunteer earns the minutes (and their
    爱心币); the person served pays them from their own banked time when old enough to spend
    it, then from the community's pool, and what neither covers the community issues."""
    volunteer = (
        Volunteer.objects.filter(applied_by_id=volunteer_id, status="active")
        .select_related("person__area")
        .first()
    )
    served = Person.objects.filter(pk=person_id).select_related("area").first()
    if volunteer is None or served is None:
        return
    memo = f"助老服务（{service_label}）工单 {order_id}"
    with transaction.atomic():
        if Transaction.objects.filter(kind="timebank.deposit", memo=memo).exists():
            return
        earn(actor=None, person=volunteer.person, minutes=minutes, memo=memo)
        settle_service(person=served, minutes=minutes, memo=memo)
