"""Activities from publication to confirmed hours: sign-up and selection (places never
oversold), check-in and check-out by the venue's rotating QR code or by position, hours
confirmed by the organiser into a service record and the time bank, ratings both ways.

Every write that counts places or changes a sign-up locks the activity's row first, so two
residents racing for the last place are served one after the other: exactly one gets it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.core.geo import distance_m
from shequtong.core.models import Area, User
from shequtong.core.notify import Message, notify, notify_many
from shequtong.core.policy import roles_allowed
from shequtong.core.scoping import can, grant_covers, organisations_of
from shequtong.registry.models import Organization

from ..choices import ActivityStatus, CheckinMethod, SignUpStatus, VolunteerStatus
from ..models import MAX_ACTIVITY_MINUTES, MAX_PLACES, Activity, ServiceRecord, SignUp, Volunteer
from . import bank

CHECKIN_EARLY = timedelta(minutes=30)  # check-in opens half an hour before the start
CHECKOUT_LATE = timedelta(hours=1)  # check-out closes an hour after the end
QR_WINDOW_SECONDS = 60  # the venue's code changes every minute; a photo of it soon goes stale
QR_WINDOWS_ACCEPTED = 2
MAX_DISTANCE_M = 300


@dataclass(frozen=True)
class ActivityData:
    title: str
    content: str
    place: str
    starts_at: datetime
    ends_at: datetime
    places: int
    kind: str = "volunteer"
    needs_selection: bool = False
    lon: float | None = None
    lat: float | None = None


def _may_publish(actor: User, area: Area, organization: Organization | None) -> bool:
    """The community's own activities by its staff; an organisation's by its accounts too."""
    office = roles_allowed(Activity._meta.label_lower, "change") - {Role.ORG_STAFF}
    if grant_covers(actor, office, area.path):
        return True
    return (
        organization is not None
        and organization.pk in organisations_of(actor)
        and grant_covers(actor, {Role.ORG_STAFF}, area.path)
    )


def _check(data: ActivityData) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = ["请填写活动名称"]
    if not data.place.strip():
        errors["place"] = ["请填写活动地点"]
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = ["结束时间须晚于开始时间"]
    elif (data.ends_at - data.starts_at).total_seconds() > MAX_ACTIVITY_MINUTES * 60:
        errors["ends_at"] = ["一次活动不超过 24 小时，跨天的服务请分次发布"]
    if not 1 <= data.places <= MAX_PLACES:
        errors["places"] = [f"招募人数须为 1 至 {MAX_PLACES}"]
    if (data.lon is None) != (data.lat is None):
        errors["lon"] = ["经纬度须成对填写"]
    if errors:
        raise DomainError.from_fields(errors)


@transaction.atomic
def activity_create(
    *, actor: User, area: Area, data: ActivityData, organization: Organization | None = None
) -> Activity:
    if not _may_publish(actor, area, organization):
        raise DomainError.on("organization", "您无权在该社区以该组织名义发布活动", "forbidden")
    _check(data)
    activity = Activity.objects.create(
        area=area,
        organization=organization,
        kind=data.kind,
        title=data.title.strip(),
        content=data.content.strip(),
        place=data.place.strip(),
        lon=data.lon,
        lat=data.lat,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        places=data.places,
        needs_selection=data.needs_selection,
        checkin_secret=secrets.token_hex(16),
        created_by=actor,
    )
    audit_record(actor=actor, action="activity.create", obj=activity)
    return activity


def _editable(actor: User, activity: Activity) -> Activity:
    locked = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("area", "organization")
        .get(pk=activity.pk)
    )
    if not can(actor, "change", locked):
        raise DomainError.on("activity", "您无权管理该活动", "forbidden")
    return locked


@transaction.atomic
def activity_publish(*, actor: User, activity: Activity) -> Activity:
    activity = _editable(actor, activity)
    if activity.status != ActivityStatus.DRAFT:
        raise DomainError.on("status", "只有草稿可以发布")
    activity.status = ActivityStatus.PUBLISHED
    activity.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="activity.publish", obj=activity)
    return activity


@transaction.atomic
def activity_close(*, actor: User, activity: Activity, cancel: bool = False) -> Activity:
    activity = _editable(actor, activity)
    if activity.status not in (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED):
        raise DomainError.on("status", "该活动已结束或已取消")
    activity.status = ActivityStatus.CANCELLED if cancel else ActivityStatus.CLOSED
    activity.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="activity.cancel" if cancel else "activity.close", obj=activity
    )
    if cancel:
        users = [
            s.volunteer.applied_by
            for s in activity.signups.filter(status=SignUpStatus.ACCEPTED).select_related(
                "volunteer__applied_by"
            )
        ]
        notify(users, Message.plain(f"活动“{activity.title}”已取消"))
    return activity


def _accepted(activity: Activity) -> int:
    return activity.signups.filter(status=SignUpStatus.ACCEPTED).count()


@transaction.atomic
def signup(*, actor: User, activity: Activity, volunteer: Volunteer) -> SignUp:
    """Sign a volunteer up: accepted at once while places last, or put forward for selection.
    The activity's row is locked first, so the count of places cannot go stale."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    volunteer = Volunteer.objects.get(pk=volunteer.pk)
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise DomainError.on("activity", "注册志愿者审核通过后才能报名")
    if activity.status != ActivityStatus.PUBLISHED:
        raise DomainError.on("activity", "该活动不在招募中")
    if timezone.now() >= activity.ends_at:
        raise DomainError.on("activity", "活动已结束，不能报名")
    existing = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
    if existing and existing.status != SignUpStatus.CANCELLED:
        raise DomainError.on("activity", "您已报名该活动")
    if not activity.needs_selection and _accepted(activity) >= activity.places:
        raise DomainError.on("activity", f"名额已满（共 {activity.places} 人）", "full")
    status = SignUpStatus.APPLIED if activity.needs_selection else SignUpStatus.ACCEPTED
    entry = existing or SignUp(activity=activity, volunteer=volunteer, area=activity.area)
    entry.status = status
    entry.save()
    audit_record(actor=actor, action="activity.signup", obj=entry)
    return entry


@transaction.atomic
def signup_select(*, actor: User, entry: SignUp, accept: bool) -> SignUp:
    activity = _editable(actor, entry.activity)
    entry = SignUp.objects.select_for_update().get(pk=entry.pk)
    if entry.status != SignUpStatus.APPLIED:
        raise DomainError.on("status", "该报名已处理")
    if accept and _accepted(activity) >= activity.places:
        raise DomainError.on("status", f"名额已满（共 {activity.places} 人）", "full")
    entry.status = SignUpStatus.ACCEPTED if accept else SignUpStatus.REJECTED
    entry.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="activity.select",
        obj=entry,
        changes={"status": [SignUpStatus.APPLIED, entry.status]},
    )
    word = "已录用" if accept else "未录用"
    notify([entry.volunteer.applied_by], Message.plain(f"活动“{activity.title}”报名{word}"))
    return entry


@transaction.atomic
def signup_cancel(*, actor: User, entry: SignUp) -> SignUp:
    entry = (
        SignUp.objects.select_for_update(of=("self",)).select_related("activity").get(pk=entry.pk)
    )
    if entry.status not in (SignUpStatus.APPLIED, SignUpStatus.ACCEPTED) or entry.checked_in_at:
        raise DomainError.on("status", "已签到或已处理的报名不能取消")
    entry.status = SignUpStatus.CANCELLED
    entry.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="activity.signup_cancel", obj=entry)
    return entry


# --- at the venue ---------------------------------------------------------------------------


def _mac(activity: Activity, window: int) -> str:
    return hmac.new(
        activity.checkin_secret.encode(), f"{activity.pk}:{window}".encode(), hashlib.sha256
    ).hexdigest()[:12]


def venue_code(activity: Activity, at: datetime | None = None) -> str:
    """What the venue's QR code carries this minute."""
    window = int((at or timezone.now()).timestamp()) // QR_WINDOW_SECONDS
    return f"{activity.pk}-{window}-{_mac(activity, window)}"


def activity_for_code(code: str) -> Activity:
    """The activity a scanned code names, if the code is this minute's or the one before."""
    try:
        pk_text, window_text, mac = code.strip().split("-")
        pk, window = int(pk_text), int(window_text)
    except ValueError:
        raise DomainError.on("code", "二维码无法识别，请重新扫描现场二维码") from None
    activity = Activity.objects.filter(pk=pk).first()
    if activity is None or not hmac.compare_digest(mac, _mac(activity, window)):
        raise DomainError.on("code", "二维码无法识别，请重新扫描现场二维码")
    now = int(timezone.now().timestamp()) // QR_WINDOW_SECONDS
    if not 0 <= now - window < QR_WINDOWS_ACCEPTED:
        raise DomainError.on("code", "二维码已过期，请扫描现场屏幕上的最新二维码")
    return activity


def _entry_for(activity: Activity, volunteer: Volunteer) -> SignUp:
    entry = (
        SignUp.objects.select_for_update()
        .filter(activity=activity, volunteer=volunteer, status=SignUpStatus.ACCEPTED)
        .first()
    )
    if entry is None:
        raise DomainError.on("activity", "您没有该活动的录用报名，不能签到")
    return entry


def _distance(activity: Activity, lon: float | None, lat: float | None) -> int | None:
    if lon is None or lat is None:
        return None
    if activity.lon is None or activity.lat is None:
        raise DomainError.on("position", "该活动未标注地点坐标，请扫描现场二维码签到")
    return round(distance_m(lon, lat, activity.lon, activity.lat))


@transaction.atomic
def check_in(
    *,
    actor: User,
    activity: Activity,
    volunteer: Volunteer,
    method: str,
    lon: float | None = None,
    lat: float | None = None,
) -> SignUp:
    """By the venue's code (`activity_for_code` has checked it) or by position within
    MAX_DISTANCE_M of the venue, from half an hour before the start to the end."""
    now = timezone.now()
    if now < activity.starts_at - CHECKIN_EARLY:
        opens = timezone.localtime(activity.starts_at - CHECKIN_EARLY).strftime("%m-%d %H:%M")
        raise DomainError.on("activity", f"签到尚未开始，{opens} 起可签到")
    if now > activity.ends_at:
        raise DomainError.on("activity", "活动已结束，不能签到")
    entry = _entry_for(activity, volunteer)
    if entry.checked_in_at:
        raise DomainError.on(
            "activity", f"您已于 {timezone.localtime(entry.checked_in_at):%H:%M} 签到"
        )
    distance = _distance(activity, lon, lat)
    if method == CheckinMethod.POSITION:
        if distance is None:
            raise DomainError.on("position", "未取得您的位置，请允许定位或扫描现场二维码")
        if distance > MAX_DISTANCE_M:
            raise DomainError.on(
                "position", f"您距活动地点约 {distance} 米，须在 {MAX_DISTANCE_M} 米内签到"
            )
    entry.checked_in_at = now
    entry.checkin_method = method
    entry.distance_m = distance
    entry.save(update_fields=["checked_in_at", "checkin_method", "distance_m", "updated_at"])
    audit_record(actor=actor, action="activity.check_in", obj=entry)
    return entry


@transaction.atomic
def check_out(*, actor: User, activity: Activity, volunteer: Volunteer) -> SignUp:
    now = timezone.now()
    entry = _entry_for(activity, volunteer)
    if not entry.checked_in_at:
        raise DomainError.on("activity", "请先签到")
    if entry.checked_out_at:
        raise DomainError.on("activity", "您已签退")
    if now > activity.ends_at + CHECKOUT_LATE:
        raise DomainError.on("activity", "签退时间已过，请联系组织方确认时长")
    entry.checked_out_at = now
    entry.save(update_fields=["checked_out_at", "updated_at"])
    audit_record(actor=actor, action="activity.check_out", obj=entry)
    return entry


def suggested_minutes(entry: SignUp) -> int:
    """What the organiser's form offers: time on site within the activity's hours."""
    activity = entry.activity
    if not entry.checked_in_at:
        return 0
    start = max(entry.checked_in_at, activity.starts_at)
    end = min(entry.checked_out_at or activity.ends_at, activity.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


@transaction.atomic
def hours_confirm(
    *, actor: User, entry: SignUp, minutes: int, rating: int | None = None
) -> ServiceRecord:
    """谁组织谁记录: the organiser confirms the minutes served (travel not counted, never more
    than the activity lasted), which writes the service record and deposits them."""
    activity = _editable(actor, entry.activity)
    entry = (
        SignUp.objects.select_for_update(of=("self",))
        .select_related("volunteer__person__area", "volunteer__applied_by")
        .get(pk=entry.pk)
    )
    if entry.status != SignUpStatus.ACCEPTED or not entry.checked_in_at:
        raise DomainError.on("minutes", "只有已签到的志愿者可以确认时长")
    if entry.minutes is not None:
        raise DomainError.on("minutes", "该志愿者的时长已确认")
    if not isinstance(minutes, int) or minutes < 1:
        raise DomainError.on("minutes", "服务时长须至少 1 分钟")
    if minutes > activity.minutes:
        raise DomainError.on("minutes", f"服务时长不能超过活动时长 {activity.minutes} 分钟")
    if rating is not None and not 1 <= rating <= 5:
        raise DomainError.on("rating", "评价须为 1 至 5 星")
    now = timezone.now()
    entry.minutes = minutes
    entry.confirmed_by = actor
    entry.confirmed_at = now
    entry.organiser_rating = rating
    entry.save(
        update_fields=["minutes", "confirmed_by", "confirmed_at", "organiser_rating", "updated_at"]
    )
    person = entry.volunteer.person
    before = bank.stars_for(bank.served_minutes(entry.volunteer_id)).level
    memo = f"志愿服务：{activity.title}"[:200]
    deposit = bank.earn(actor=actor, person=person, minutes=minutes, memo=memo)
    record = ServiceRecord.objects.create(
        signup=entry,
        volunteer=entry.volunteer,
        area=entry.volunteer.area,
        organization=activity.organization,
        organiser_name=activity.organiser_name,
        content=activity.title[:200],
        served_on=timezone.localtime(activity.starts_at).date(),
        place=activity.place,
        minutes=minutes,
        recorded_by=actor,
        deposit=deposit,
    )
    audit_record(
        actor=actor, action="activity.confirm", obj=entry, changes={"minutes": [None, minutes]}
    )
    hours = f"{minutes // 60} 小时 {minutes % 60} 分钟" if minutes % 60 else f"{minutes // 60} 小时"
    told = [Message.plain(f"“{activity.title}”服务时长已确认：{hours}", url="/m/volunteer/")]
    after = bank.stars_for(bank.served_minutes(entry.volunteer_id)).level
    if after > before:
        told.append(Message.plain(f"累计服务时长达标，您已是{after}星志愿者", url="/m/volunteer/"))
    notify_many([([entry.volunteer.applied_by], message) for message in told])
    return record


@transaction.atomic
def volunteer_rate(*, actor: User, entry: SignUp, rating: int, comment: str = "") -> SignUp:
    entry = SignUp.objects.select_for_update().get(pk=entry.pk)
    if entry.minutes is None:
        raise DomainError.on("rating", "时长确认后才能评价活动")
    if entry.volunteer_rating is not None:
        raise DomainError.on("rating", "您已评价过该活动")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError.on("rating", "评价须为 1 至 5 星")
    entry.volunteer_rating = rating
    entry.volunteer_comment = comment.strip()[:200]
    entry.save(update_fields=["volunteer_rating", "volunteer_comment", "updated_at"])
    return entry
