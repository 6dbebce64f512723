"""Writes of elderly care: profiles and consent, contacts, devices and their binding.

Alarms live in `alarms.py`, device data in `ingest.py`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import User
from shequtong.core.scoping import can, can_in_area
from shequtong.core.vault import validate_phone
from shequtong.registry.models import Person

from ..choices import OPEN_ALARMS, CareLevel, ContactKind, DeviceKind, Living
from ..models import Alarm, AlarmStep, CareOrder, CareProfile, Device, EmergencyContact, Visit
from ..selectors import home_position

# Thresholds a profile takes from its care level unless set for the person.
# idle_hours: daytime hours without a door, water or steps before a no-activity alarm.
DEFAULT_THRESHOLDS = {
    CareLevel.SELF_CARE: {"heart_rate": [45, 130], "spo2_min": 90, "idle_hours": 12},
    CareLevel.PARTIAL: {"heart_rate": [50, 120], "spo2_min": 92, "idle_hours": 8},
    CareLevel.DEPENDENT: {"heart_rate": [50, 115], "spo2_min": 93, "idle_hours": 6},
}


def _require(actor: User, ok: bool, message: str = "您无权管理该照护档案") -> None:
    if not ok:
        raise PermissionDeniedError(message)


@transaction.atomic
def profile_create(
    *, actor: User, person: Person, living: str, care_level: str = CareLevel.SELF_CARE
) -> CareProfile:
    _require(actor, can_in_area(actor, "change", CareProfile, person.area_path))
    if living not in Living.values or care_level not in CareLevel.values:
        raise DomainError("invalid", "请选择居住情况和照护等级")
    if CareProfile.objects.filter(person=person).exists():
        raise DomainError("invalid", f"{person.name}已有照护档案")
    profile = CareProfile.objects.create(
        person=person,
        area_id=person.area_id,
        area_path=person.area_path,
        living=living,
        care_level=care_level,
        thresholds=DEFAULT_THRESHOLDS[care_level],
    )
    audit_record(actor=actor, action="care.profile_create", obj=profile)
    return profile


@transaction.atomic
def consent_record(*, actor: User, profile: CareProfile, by: str, scope: str) -> CareProfile:
    """The monitoring consent: who gave it (the person or their guardian) and for what."""
    _require(actor, can(actor, "change", profile))
    if not by.strip() or not scope.strip():
        raise DomainError("invalid", "请填写同意人和同意范围", {"consent_by": ["必填"]})
    profile.consent_by, profile.consent_scope = by.strip()[:64], scope.strip()[:200]
    profile.consented_at, profile.consent_withdrawn_at = timezone.now(), None
    profile.save()
    audit_record(actor=actor, action="care.consent", obj=profile, changes={"scope": [None, scope]})
    return profile


@transaction.atomic
def consent_withdraw(*, actor: User, profile: CareProfile) -> CareProfile:
    _require(actor, can(actor, "change", profile))
    profile.consent_withdrawn_at = timezone.now()
    profile.save()
    audit_record(actor=actor, action="care.consent_withdraw", obj=profile)
    return profile


@transaction.atomic
def health_notes_set(*, actor: User, profile: CareProfile, notes: str) -> CareProfile:
    """Chronic conditions and medication: sensitive health data, encrypted, changes audited."""
    _require(actor, can(actor, "reveal", profile), "只有社区工作人员可以登记健康信息")
    profile.health_notes = notes.strip()[:2000]
    profile.save()
    audit_record(actor=actor, action="care.health_notes", obj=profile)
    return profile


@transaction.atomic
def contact_add(
    *,
    actor: User,
    profile: CareProfile,
    kind: str,
    name: str,
    phone: str = "",
    user: User | None = None,
    ack_minutes: int = 5,
) -> EmergencyContact:
    """The next link of the contact chain, called after those before it."""
    _require(actor, can(actor, "change", profile))
    if kind not in ContactKind.values or not name.strip():
        raise DomainError("invalid", "请填写联系人姓名和关系", {"name": ["必填"]})
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            raise DomainError.from_validation(exc) from exc
    if not phone and user is None:
        raise DomainError("invalid", "联系人须有电话或平台账号", {"phone": ["必填"]})
    if not 1 <= ack_minutes <= 60:
        raise DomainError("invalid", "响应时限应为 1–60 分钟", {"ack_minutes": ["1–60"]})
    last = profile.contacts.order_by("-order").first()
    return EmergencyContact.objects.create(
        profile=profile,
        order=(last.order + 1) if last else 1,
        kind=kind,
        name=name.strip()[:64],
        phone=phone,
        user=user,
        ack_minutes=ack_minutes,
    )


@dataclass(frozen=True)
class NewDevice:
    device: Device
    token: str  # shown once; only its hash is kept


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def device_register(*, actor: User, kind: str, serial: str, profile: CareProfile) -> NewDevice:
    """Bind a device to a person under care — a new one, or a returned one by its serial; the
    token (shown once) is for the device only."""
    _require(actor, can(actor, "change", profile))
    if kind not in DeviceKind.values:
        raise DomainError("invalid", "未知的设备类型", {"kind": ["未知的设备类型"]})
    serial = serial.strip()
    if not serial:
        raise DomainError("invalid", "请填写序列号", {"serial": ["必填"]})
    if not profile.consented:
        raise DomainError("no_consent", "该老人尚未登记监测同意，不能绑定设备")
    token = f"dev_{secrets.token_urlsafe(24)}"
    device = Device.objects.select_for_update().filter(serial=serial).first()
    if device is not None:
        # A returned device given to someone else: bound again, with a new token.
        if device.profile_id is not None or device.kind != kind:
            raise DomainError(
                "invalid", f"序列号“{serial}”已绑定或类型不符", {"serial": ["已登记"]}
            )
        device.profile, device.area_id = profile, profile.area_id  # save() copies the path
        device.token_hash, device.bound_at = token_hash(token), timezone.now()
        device.last_seen_at, device.last_state, device.battery, device.firmware = None, {}, None, ""
        device.save()
    else:
        device = Device.objects.create(
            kind=kind,
            serial=serial,
            token_hash=token_hash(token),
            profile=profile,
            area_id=profile.area_id,
            area_path=profile.area_path,
        )
    audit_record(actor=actor, action="care.device_register", obj=device)
    return NewDevice(device, token)


@transaction.atomic
def device_unbind(*, actor: User, device: Device) -> Device:
    """The device is returned: it belongs to nobody, and its token stops working (its readings
    stay with the person they were about)."""
    _require(actor, can(actor, "change", device))
    if device.alarms.filter(status__in=OPEN_ALARMS).exists():
        raise DomainError("invalid", f"设备 {device.serial} 还有未处置的告警，请先处置再解绑")
    device.profile = None
    device.token_hash = token_hash(secrets.token_urlsafe(32))  # a token nobody holds
    device.save()
    audit_record(actor=actor, action="care.device_unbind", obj=device)
    return device


@transaction.atomic
def device_token_reset(*, actor: User | None, device: Device) -> str:
    """A new token for a device (lost, or handed to the simulator); the old one stops working."""
    if actor is not None:
        _require(actor, can(actor, "change", device))
    token = f"dev_{secrets.token_urlsafe(24)}"
    Device.objects.filter(pk=device.pk).update(token_hash=token_hash(token))
    audit_record(actor=actor, action="care.device_token_reset", obj=device)
    return token


def device_for_token(token: str) -> Device | None:
    return devices_for_tokens([token]).get(token)


def devices_for_tokens(tokens: list[str]) -> dict[str, Device]:
    """The devices the tokens belong to, in one query (the ingester's batch of messages)."""
    hashes = {token_hash(token): token for token in tokens}
    return {
        hashes[device.token_hash]: device
        for device in Device.objects.select_related("profile").filter(token_hash__in=hashes)
    }


def alarm_case_link(*, alarm_id: int, case_number: str) -> None:
    """The case opened to follow the alarm up, written on the alarm and its timeline (once:
    the follow-up may be published again)."""
    if Alarm.objects.filter(pk=alarm_id, case_number=case_number).exists():
        return
    Alarm.objects.filter(pk=alarm_id).update(case_number=case_number)
    AlarmStep.objects.create(alarm_id=alarm_id, action="case", label=f"已转事件 {case_number} 跟进")


@transaction.atomic
def care_follows_residents(*, person_ids: list[int], area_id: int, area_path: str) -> None:
    """A resident's care file (profile, devices, alarms, visits, orders) is filed where the
    resident now is, so the grid worker who sees the person sees their care."""
    profiles = CareProfile.objects.filter(person_id__in=person_ids)
    moved = {"area_id": area_id, "area_path": area_path}
    for model in (Device, Alarm, Visit, CareOrder):
        model.objects.filter(profile__in=profiles).update(**moved)
    profiles.update(**moved)


@dataclass(frozen=True)
class Thresholds:
    """A person's alarm limits as staff set them; `safe_radius_m` None turns the fence off."""

    heart_low: int
    heart_high: int
    spo2_min: int
    idle_hours: int
    safe_radius_m: int | None = None


@transaction.atomic
def thresholds_set(*, actor: User, profile: CareProfile, limits: Thresholds) -> CareProfile:
    """Personal limits instead of the care level's defaults. The safe area is a circle round
    the person's building (it must have coordinates in the registry)."""
    _require(actor, can(actor, "change", profile))
    errors: dict[str, list[str]] = {}
    if not 30 <= limits.heart_low < limits.heart_high <= 200:
        errors["heart_rate"] = ["心率范围应在 30–200 之间，且下限小于上限"]
    if not 80 <= limits.spo2_min <= 99:
        errors["spo2_min"] = ["血氧下限应为 80–99"]
    if not 2 <= limits.idle_hours <= 24:
        errors["idle_hours"] = ["无活动时长应为 2–24 小时"]
    fence = None
    if limits.safe_radius_m is not None:
        home = home_position(profile)
        if not 100 <= limits.safe_radius_m <= 5000:
            errors["safe_radius_m"] = ["安全区域半径应为 100–5000 米"]
        elif home is None:
            errors["safe_radius_m"] = ["住址楼栋没有坐标，不能设置安全区域"]
        else:
            fence = {"lon": home[0], "lat": home[1], "radius_m": limits.safe_radius_m}
    if errors:
        raise DomainError.from_fields(errors)
    before = dict(profile.thresholds)
    profile.thresholds = {
        "heart_rate": [limits.heart_low, limits.heart_high],
        "spo2_min": limits.spo2_min,
        "idle_hours": limits.idle_hours,
        **({"geofence": fence} if fence else {}),
    }
    profile.save()
    audit_record(
        actor=actor,
        action="care.thresholds",
        obj=profile,
        changes={"thresholds": [before, profile.thresholds]},
    )
    return profile
