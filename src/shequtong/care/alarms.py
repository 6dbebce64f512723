"""Alarms: raising (a storm folds into one open alarm), the contact chain, the state machine.

An alarm calls its profile's contacts in order. Each gets `ack_minutes` to acknowledge; when
they pass, `escalate` adds the next contact (the earlier ones stay called); after the last,
the community's staff are called. Acknowledging stops the chain. Every step is timed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import User
from shequtong.core.notify import Message, notify
from shequtong.core.public import public_place
from shequtong.core.scoping import can
from shequtong.core.selectors import users_granted

from .choices import OPEN_ALARMS, AlarmKind, AlarmOutcome, AlarmStatus
from .events import ORIGIN, alarm_follow_up
from .models import Alarm, AlarmStep, CareProfile, Device, EmergencyContact

S = AlarmStatus
# name: (label, from, to)
MOVES: dict[str, tuple[str, frozenset[str], str]] = {
    "acknowledge": ("响应", frozenset({S.RAISED, S.NOTIFYING}), S.ACKNOWLEDGED),
    "on_site": ("到场", frozenset({S.RAISED, S.NOTIFYING, S.ACKNOWLEDGED}), S.ON_SITE),
    "resolve": ("处置完毕", frozenset(OPEN_ALARMS), S.RESOLVED),
}


# The outcomes staff choose from; "recovered" is the system's, when a device reports again.
STAFF_OUTCOMES = [(v, label) for v, label in AlarmOutcome.choices if v != AlarmOutcome.RECOVERED]
# Offered for follow-up by default: a hazard at home, a person not seen all day.
FOLLOW_UP_KINDS = frozenset({AlarmKind.GAS, AlarmKind.SMOKE, AlarmKind.NO_ACTIVITY})
# A device gone silent is the community's technical matter, not a call to the family at night.
STAFF_FIRST = frozenset({AlarmKind.OFFLINE})


def _step(alarm: Alarm, action: str, label: str, actor: User | None = None, note: str = "") -> None:
    AlarmStep.objects.create(alarm=alarm, action=action, label=label, actor=actor, note=note)


def _message(alarm: Alarm) -> Message:
    person = alarm.profile.person
    return Message(
        f"【{alarm.get_kind_display()}】{person.name}",
        f"{person.dwelling or person.area.name}，请立即响应",
        reverse("care:alarm_wall"),
        brief=f"【{alarm.get_kind_display()}】有新告警，请立即登录社区通响应",
    )


def raise_alarm(*, profile: CareProfile, device: Device | None, kind: str, at: datetime) -> Alarm:
    """The open alarm of this device and kind, counted once more; or a new one, whose first
    contact is called at once."""
    if kind not in AlarmKind.values:
        raise DomainError("invalid", f"未知的告警类型 {kind}")
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(
                profile=profile,
                device=device,
                kind=kind,
                raised_at=at,
                area_id=profile.area_id,
                area_path=profile.area_path,
            )
            _step(alarm, "raise", f"{alarm.get_kind_display()}告警")
            if kind in STAFF_FIRST:
                alarm.chain_position = alarm.profile.contacts.count()
            _call_next(alarm, timezone.now())
            return alarm
    except IntegrityError:
        # The device (or the person) already has an open alarm of this kind: a storm, folded.
        with transaction.atomic():
            same = (
                {"device": device} if device is not None else {"profile": profile, "device": None}
            )
            alarm = Alarm.objects.select_for_update().get(**same, kind=kind, status__in=OPEN_ALARMS)
            alarm.repeats += 1
            Alarm.objects.filter(pk=alarm.pk).update(repeats=alarm.repeats)
        return alarm


def _call_next(alarm: Alarm, now: datetime) -> None:
    """Call the next contact of the chain (or, past its end, the community's staff)."""
    contacts = list(alarm.profile.contacts.all())
    position = alarm.chain_position
    if position < len(contacts):
        contact: EmergencyContact = contacts[position]
        alarm.chain_position = position + 1
        alarm.status = S.NOTIFYING
        alarm.next_escalation_at = now + timedelta(minutes=contact.ack_minutes)
        if contact.user is not None:
            notify([contact.user], _message(alarm))
        label = f"通知第 {position + 1} 位联系人：{contact.name}（{contact.get_kind_display()}）"
    else:
        staff = responders(alarm)
        notify(staff, _message(alarm))
        alarm.status = S.NOTIFYING
        alarm.next_escalation_at = None  # the chain is spent: the staff hold it now
        label = f"联系人均未响应，通知社区工作人员（{len(staff)} 人）"
    alarm.save()
    _step(alarm, "call", label)


def responders(alarm: Alarm) -> list[User]:
    """The grid workers and staff over the alarm's area: called when the chain is spent, and
    the people who can be sent to the door."""
    return users_granted(roles=(Role.COMMUNITY_STAFF, Role.GRID_WORKER), area_path=alarm.area_path)


def escalate(now: datetime | None = None) -> int:
    """Alarms whose current contact let the time pass: the next one is called."""
    now = now or timezone.now()
    moved = 0
    due = Alarm.objects.filter(status__in=[S.RAISED, S.NOTIFYING], next_escalation_at__lte=now)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            alarm = (
                Alarm.objects.select_for_update(skip_locked=True)
                .select_related("profile__person")
                .filter(pk=pk, status__in=[S.RAISED, S.NOTIFYING], next_escalation_at__lte=now)
                .first()
            )
            if alarm is None:
                continue
            _step(alarm, "timeout", f"第 {alarm.chain_position} 位联系人未在时限内响应")
            _call_next(alarm, now)
            moved += 1
    return moved


def alarm_recover(device: Device, now: datetime) -> int:
    """The device reports again: its offline alarm closes itself."""
    recovered = 0
    for alarm in Alarm.objects.select_for_update().filter(
        device=device, kind=AlarmKind.OFFLINE, status__in=OPEN_ALARMS
    ):
        alarm.status, alarm.outcome = S.RESOLVED, AlarmOutcome.RECOVERED
        alarm.resolved_at, alarm.next_escalation_at = now, None
        alarm.save()
        _step(alarm, "recover", "设备恢复上报，告警自动关闭")
        recovered += 1
    return recovered


def _taken(actor: User, alarm: Alarm, label: str, sources: frozenset[str]) -> Alarm:
    """The alarm locked for a person's move, once the move is allowed from its state and to
    this person."""
    alarm = (
        Alarm.objects.select_for_update(of=("self",))
        .select_related("profile__person")
        .get(pk=alarm.pk)
    )
    if alarm.status not in sources:
        raise DomainError(
            "invalid_transition", f"告警当前为“{alarm.get_status_display()}”，不能{label}"
        )
    if not can(actor, "change", alarm):
        raise PermissionDeniedError("您无权处理该告警")
    return alarm


@transaction.atomic
def alarm_act(
    *,
    actor: User,
    alarm: Alarm,
    action: str,
    outcome: str = "",
    note: str = "",
    follow_up: bool = False,
) -> Alarm:
    """One move of the state machine. Resolving with `follow_up` asks for a case (a domain
    event the cases app answers)."""
    move = MOVES.get(action)
    if move is None:
        raise DomainError("invalid_transition", f"没有“{action}”这个操作")
    label, sources, target = move
    alarm = _taken(actor, alarm, label, sources)
    now = timezone.now()
    if action == "resolve":
        if outcome not in dict(STAFF_OUTCOMES):
            raise DomainError("invalid", "请选择处置结果", {"outcome": ["必填"]})
        alarm.outcome, alarm.resolved_at = outcome, now
    if action == "on_site":
        alarm.on_site_at = now
    if alarm.acknowledged_at is None:
        alarm.acknowledged_by, alarm.acknowledged_at = actor, now
    alarm.status, alarm.next_escalation_at = target, None
    alarm.note = note.strip()[:500] or alarm.note
    alarm.save()
    shown = label if action != "resolve" else f"{label}：{AlarmOutcome(outcome).label}"
    _step(alarm, action, shown, actor, note)
    audit_record(actor=actor, action=f"care.alarm_{action}", obj=alarm)
    if action == "resolve" and follow_up:
        _request_follow_up(alarm, actor)
    return alarm


class FollowUpNotOpenedError(Exception):
    """The case for a follow-up was not opened (a receiver failed): the task tries again."""


def _request_follow_up(alarm: Alarm, actor: User) -> None:
    """Stored with the alarm in this transaction, then handed to the task worker: a failure of
    the cases app leaves the request on the alarm, retried, not only a log line."""
    from .tasks import alarm_follow_up_open

    Alarm.objects.filter(pk=alarm.pk).update(follow_up_requested_at=timezone.now())
    alarm.follow_up_requested_at = timezone.now()
    AlarmStep.objects.create(alarm=alarm, action="follow_up", label="已请求转事件跟进", actor=actor)
    alarm_id, actor_id = alarm.pk, actor.pk
    transaction.on_commit(lambda: alarm_follow_up_open(alarm_id, actor_id))


def follow_up_open(alarm_id: int, actor_id: int) -> None:
    """Ask the cases app for the follow-up case, now and synchronously (the task worker calls
    this). Raises when a receiver failed, so the task retries; opening is idempotent (the case
    is keyed by the alarm), and the case number comes back by `follow_up_opened` once the
    case is committed."""
    alarm = Alarm.objects.select_related("profile__person__dwelling").get(pk=alarm_id)
    if alarm.case_number:
        return
    person = alarm.profile.person
    outcomes = alarm_follow_up.send_robust(
        sender=None,
        origin=f"{ORIGIN}:{alarm.pk}",
        kind=alarm.kind,
        kind_label=alarm.get_kind_display(),
        outcome_label=alarm.get_outcome_display() if alarm.outcome else "",
        area_id=person.area_id,
        place=public_place(str(person.dwelling or "")),
        url=f"{reverse('care:profile_detail', args=[alarm.profile_id])}#alarm-{alarm.pk}",
        actor_id=actor_id,
    )
    failures = [outcome for _, outcome in outcomes if isinstance(outcome, Exception)]
    if failures or not outcomes:
        raise FollowUpNotOpenedError(f"告警 {alarm_id} 的跟进事件未能开立：{failures!r}")


def follow_ups_pending(older_than: timedelta) -> list[tuple[int, int]]:
    """(alarm, actor) of follow-ups asked for longer ago than `older_than` and still not opened:
    the worker's periodic check queues them again (retries exhausted, a queue lost)."""
    cutoff = timezone.now() - older_than
    asked = AlarmStep.objects.filter(
        action="follow_up",
        actor__isnull=False,
        alarm__follow_up_requested_at__lt=cutoff,
        alarm__case_number="",
    )
    return list(asked.values_list("alarm_id", "actor_id").distinct())


@transaction.atomic
def alarm_dispatch(*, actor: User, alarm: Alarm, responder: User, note: str = "") -> Alarm:
    """Send someone to the door: the alarm counts as acknowledged (the chain stops), the
    responder — a grid worker or staff member of the area — is notified."""
    alarm = _taken(actor, alarm, "派人上门", frozenset({S.RAISED, S.NOTIFYING, S.ACKNOWLEDGED}))
    if responder not in responders(alarm):
        raise DomainError(
            "invalid", "只能派本区域的网格员或社区工作人员", {"responder": ["不在本区域"]}
        )
    now = timezone.now()
    if alarm.acknowledged_at is None:
        alarm.acknowledged_by, alarm.acknowledged_at = actor, now
    alarm.status, alarm.next_escalation_at, alarm.dispatched_to = S.ACKNOWLEDGED, None, responder
    alarm.save()
    person = alarm.profile.person
    notify(
        [responder],
        Message(
            f"【请上门】{alarm.get_kind_display()} {person.name}",
            f"{person.dwelling or person.area.name}。{note}".strip(),
            reverse("care:alarm_wall"),
            brief=f"【请上门】{alarm.get_kind_display()}告警，地址请登录社区通查看",
        ),
    )
    _step(alarm, "dispatch", f"派 {responder.display_name} 上门", actor, note)
    audit_record(actor=actor, action="care.alarm_dispatch", obj=alarm)
    return alarm
