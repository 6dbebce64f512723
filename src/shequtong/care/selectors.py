"""Scoped reads of care: profiles, the open alarms of the wall, one alarm, the visits due,
home-service orders and their monthly subsidies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from shequtong.core.choices import AreaLevel, Role
from shequtong.core.errors import NotFoundError
from shequtong.core.models import Area, RoleGrant, User
from shequtong.core.scoping import scope_paths, scoped
from shequtong.registry.models import Organization

from .choices import OPEN_ALARMS, CareOrderStatus, CareService
from .models import Alarm, AlarmStep, CareOrder, CareProfile, Device, Visit, VisitPlan
from .watch import is_offline


def open_alarms(*, user: User, within: Area | None = None) -> QuerySet[Alarm]:
    alarms = scoped(Alarm.objects.filter(status__in=OPEN_ALARMS), user, "read")
    if within is not None:
        alarms = alarms.filter(area_path__startswith=within.path)
    return alarms.select_related(
        "profile__person__dwelling__building__estate",
        "profile__person__area",
        "device",
        "acknowledged_by",
        "dispatched_to",
    ).order_by("-raised_at")


def alarm_get(*, user: User, pk: int) -> Alarm:
    alarm = scoped(Alarm.objects.filter(pk=pk), user, "read").first()
    if alarm is None:
        raise NotFoundError("告警不存在或不在您的管辖范围内")
    return alarm


def profile_list(*, user: User, within: Area | None = None) -> QuerySet[CareProfile]:
    profiles = scoped(CareProfile.objects.all(), user, "read")
    if within is not None:
        profiles = profiles.filter(area_path__startswith=within.path)
    return (
        profiles.select_related("person__dwelling__building__estate")
        .annotate(
            device_count=Count("devices", distinct=True),
            open_alarms=Count("alarms", filter=Q(alarms__status__in=OPEN_ALARMS), distinct=True),
        )
        .order_by("area_path", "person__name_pinyin")
    )


def profile_get(*, user: User, pk: int, action: str = "read") -> CareProfile:
    profile = (
        scoped(CareProfile.objects.filter(pk=pk), user, action)
        .select_related("person__dwelling", "person__area")
        .first()
    )
    if profile is None:
        raise NotFoundError("照护档案不存在或不在您的管辖范围内")
    return profile


def recent_alarms(profile: CareProfile, limit: int = 20) -> list[Alarm]:
    """A person's latest alarms with their timelines (the caller has read the profile)."""
    return list(
        profile.alarms.prefetch_related(
            Prefetch("steps", queryset=AlarmStep.objects.select_related("actor"))
        ).order_by("-raised_at")[:limit]
    )


@dataclass
class VisitDue:
    """A person under a visit plan: when they were last visited and when the next is due."""

    profile: CareProfile
    plan: VisitPlan
    last_visit: datetime | None
    due_on: date
    overdue_days: int
    community: str
    workers: list[str]


def visit_plans(*, user: User) -> QuerySet[VisitPlan]:
    """The plans that bear on the user's areas: their own and those of the areas above."""
    if user.is_superuser:
        return VisitPlan.objects.filter(active=True).select_related("area")
    paths = scope_paths(user, VisitPlan, "read")
    if not paths:
        return VisitPlan.objects.none()
    above = {i for path in paths for i in Area(path=path).path_ids}
    within = Q()
    for path in paths:
        within |= Q(area_path__startswith=path)
    return (
        VisitPlan.objects.filter(within | Q(area_id__in=above), active=True)
        .select_related("area")
        .order_by("area_path", "every_days")
    )


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _strictest(profile: CareProfile, plans: list[VisitPlan], today: date) -> VisitPlan | None:
    """The plan that asks the most of the visitors, among those the person falls under."""
    person = profile.person
    fitting = [
        plan
        for plan in plans
        if profile.area_path.startswith(plan.area_path)
        and plan.living in ("", profile.living)
        and plan.care_level in ("", profile.care_level)
        and (plan.min_age is None or _age(person.birth_date, today) >= plan.min_age)
    ]
    return min(fitting, key=lambda plan: plan.every_days, default=None)


def visits_due(
    *, user: User, within: Area | None = None, today: date | None = None
) -> list[VisitDue]:
    """Everyone in the user's scope a plan covers, most overdue first. A person never visited
    is due one period after their profile was made. Plans above the user's scope (the
    street's) apply too: a community follows its street's plan."""
    today = today or timezone.localdate()
    profiles = scoped(CareProfile.objects.filter(person__status="active"), user, "read")
    if within is not None:
        profiles = profiles.filter(area_path__startswith=within.path)
    last_visit = Visit.objects.filter(profile=OuterRef("pk")).order_by("-visited_at")
    profiles = list(
        profiles.select_related("person")
        .annotate(last_visit=Subquery(last_visit.values("visited_at")[:1]))
        .order_by("area_path", "person__name_pinyin")
    )
    if not profiles:
        return []
    plans = list(VisitPlan.objects.filter(active=True))
    ids = {i for p in profiles for i in Area(path=p.area_path).path_ids}
    communities = dict(
        Area.objects.filter(pk__in=ids, level=AreaLevel.COMMUNITY).values_list("pk", "name")
    )
    workers = RoleGrant.objects.filter(role=Role.GRID_WORKER, area_id__in=ids).select_related(
        "user"
    )
    rows = []
    for profile in profiles:
        plan = _strictest(profile, plans, today)
        if plan is None:
            continue
        path_ids = Area(path=profile.area_path).path_ids
        since = timezone.localdate(profile.last_visit) if profile.last_visit else None
        due_on = (since or timezone.localdate(profile.created_at)) + timedelta(plan.every_days)
        rows.append(
            VisitDue(
                profile=profile,
                plan=plan,
                last_visit=profile.last_visit,
                due_on=due_on,
                overdue_days=(today - due_on).days,
                community=next((communities[i] for i in path_ids if i in communities), ""),
                workers=[g.user.display_name for g in workers if g.area_id in path_ids],
            )
        )
    return sorted(rows, key=lambda row: (-row.overdue_days, row.community))


def orders_of(profile: CareProfile) -> QuerySet[CareOrder]:
    """A person's orders (the caller has read the profile)."""
    return profile.orders.select_related("provider", "volunteer").order_by("-wanted_at", "-pk")


def order_list(*, user: User, within: Area | None = None, status: str = "") -> QuerySet[CareOrder]:
    orders = scoped(CareOrder.objects.all(), user, "read")
    if within is not None:
        orders = orders.filter(area_path__startswith=within.path)
    if status:
        orders = orders.filter(status=status)
    return orders.select_related("profile__person", "provider", "volunteer").order_by(
        "-wanted_at", "-pk"
    )


def order_get(*, user: User, pk: int) -> CareOrder:
    order = scoped(CareOrder.objects.filter(pk=pk), user, "read").first()
    if order is None:
        raise NotFoundError("服务工单不存在或不在您的管辖范围内")
    return order


def subsidy_totals(*, user: User, month: date, within: Area | None = None) -> list[dict]:
    """Per person, the month's completed orders by service, their price and the subsidy paid:
    the sheet the street settles with providers and reports to civil affairs."""
    start = timezone.make_aware(datetime(month.year, month.month, 1))
    end = timezone.make_aware(datetime(month.year + month.month // 12, month.month % 12 + 1, 1))
    orders = order_list(user=user, within=within).filter(
        status__in=(CareOrderStatus.COMPLETED, CareOrderStatus.RATED),
        completed_at__gte=start,
        completed_at__lt=end,
    )
    by_service = {
        f"n_{service}": Count("pk", filter=Q(service=service)) for service in CareService.values
    }
    return list(
        orders.values("profile_id", "profile__person__name", "area_path")
        .annotate(orders=Count("pk"), price=Sum("price"), subsidy=Sum("subsidy"), **by_service)
        .order_by("area_path", "profile__person__name")
    )


def providers(*, user: User) -> list[Organization]:
    """The organizations a user may give a home-service order to: those of their areas."""
    return list(scoped(Organization.objects.all(), user, "read").order_by("name")[:200])


# The latest values the console shows for a device, in this order, with their labels.
SHOWN_STATE = (("heart_rate", "心率"), ("spo2", "血氧"), ("steps", "步数"), ("door", "门磁"))


def devices_of(profile: CareProfile) -> list[Device]:
    """A person's devices with their latest readings (`latest`) and whether they are silent
    past their kind's limit (`offline`)."""
    now = timezone.now()
    devices = list(profile.devices.all())
    for device in devices:
        state = device.last_state or {}
        device.latest = [  # type: ignore[attr-defined]
            (label, f"{state[metric]['value']:g}")
            for metric, label in SHOWN_STATE
            if metric in state
        ]
        device.offline = is_offline(device, now)  # type: ignore[attr-defined]
    return devices


def home_position(profile: CareProfile) -> tuple[float, float] | None:
    """Where the person lives (their building's WGS-84 lon, lat), when the registry knows it."""
    person = profile.person
    building = person.dwelling.building if person.dwelling_id else None
    if building is None or building.lon is None or building.lat is None:
        return None
    return building.lon, building.lat
