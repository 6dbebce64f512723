"""Scoped reads of volunteering, what a resident sees of their own, and the indicators the
dashboards read (志愿者注册率, 党员与居民参与率, hours per month)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from shequtong.core.models import Area, User
from shequtong.core.scoping import scoped
from shequtong.registry.choices import PersonStatus
from shequtong.registry.models import Organization, Person

from .choices import ActivityStatus, HonourStatus, RedemptionStatus, SignUpStatus, VolunteerStatus
from .models import (
    Activity,
    Commendation,
    Goods,
    Honour,
    Redemption,
    RewardShop,
    ServiceRecord,
    SignUp,
    Volunteer,
)

PARTY_MEMBERS = ("01", "02")  # 中共党员、中共预备党员
# 《关于健全新时代志愿服务体系的意见》 and the 2021 community plan's targets.
TARGETS = {
    "volunteer_share_urban": 13.0,
    "volunteer_share_rural": 8.0,
    "party_active": 80.0,
    "residents_active": 30.0,
}


def volunteer_list(*, user: User, status: str | None = None) -> QuerySet[Volunteer]:
    rows = (
        scoped(Volunteer.objects.all(), user, "read")
        .select_related("person", "area")
        .prefetch_related("teams")
    )
    # Subqueries, not joins: summing records over a join with awards would count each twice.
    served = ServiceRecord.objects.filter(volunteer=OuterRef("pk")).values("volunteer")
    awards = Commendation.objects.filter(volunteer=OuterRef("pk")).values("volunteer")
    rows = rows.annotate(
        served=Subquery(served.annotate(s=Sum("minutes")).values("s")),
        awards=Subquery(awards.annotate(n=Count("pk")).values("n")),
    ).order_by("status", "-created_at", "-pk")
    return rows.filter(status=status) if status else rows


TEAM_KINDS = ("volunteer_team", "micro_group", "safety_team")


def teams(*, user: User) -> QuerySet[Organization]:
    """The volunteer teams (志愿服务队、居民微组织、平安建设志愿服务团队) the user may see."""
    return scoped(Organization.objects.filter(kind__in=TEAM_KINDS), user, "read").order_by("name")


def activity_list(*, user: User) -> QuerySet[Activity]:
    rows = scoped(Activity.objects.all(), user, "read").select_related("area", "organization")
    accepted = Count("signups", filter=Q(signups__status=SignUpStatus.ACCEPTED))
    return rows.annotate(accepted=accepted).order_by("-starts_at", "-pk")


def activity_signups(activity: Activity) -> QuerySet[SignUp]:
    return activity.signups.select_related("volunteer__person", "record").order_by(
        "status", "created_at"
    )


def record_list(*, user: User, action: str = "read") -> QuerySet[ServiceRecord]:
    return scoped(ServiceRecord.objects.all(), user, action).select_related(
        "volunteer__person", "area"
    )


def shop_list(*, user: User) -> QuerySet[RewardShop]:
    return scoped(RewardShop.objects.all(), user, "read").select_related("area")


# --- a resident's own --------------------------------------------------------------------------


def open_activities(person: Person) -> QuerySet[Activity]:
    """What a resident may sign up for: published in their community, not yet over."""
    from shequtong.core.models import community_path

    return (
        Activity.objects.filter(
            status=ActivityStatus.PUBLISHED,
            area_path__startswith=community_path(person.area_path),
            ends_at__gt=timezone.now(),
        )
        .select_related("organization", "area")
        .annotate(accepted=Count("signups", filter=Q(signups__status=SignUpStatus.ACCEPTED)))
        .order_by("starts_at")
    )


def my_signups(volunteer: Volunteer) -> QuerySet[SignUp]:
    return volunteer.signups.select_related("activity", "record").order_by("-activity__starts_at")


def shop_goods(person: Person) -> QuerySet[Goods]:
    from shequtong.core.models import community_path

    return Goods.objects.filter(
        active=True, stock__gt=0, shop__area_path__startswith=community_path(person.area_path)
    ).select_related("shop")


def my_redemptions(person: Person) -> QuerySet[Redemption]:
    return person.redemptions.select_related("goods__shop")


def shop_redemptions(shop: RewardShop) -> QuerySet[Redemption]:
    return Redemption.objects.filter(goods__shop=shop).select_related("goods", "person")


def public_redemptions(area_path: str) -> QuerySet[Redemption]:
    """兑换公示 inside the community: what was redeemed, when, for how many coins; the person
    masked by the template through core.public."""
    return Redemption.objects.filter(
        area_path__startswith=area_path, status=RedemptionStatus.COLLECTED
    ).select_related("goods", "person")


# --- indicators ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicators:
    residents: int
    volunteers: int
    party_members: int
    party_active: int
    residents_active: int
    minutes_by_month: list[tuple[str, int]]

    @staticmethod
    def _share(part: int, whole: int) -> float:
        return round(part * 100 / whole, 1) if whole else 0.0

    @property
    def volunteer_share(self) -> float:
        return self._share(self.volunteers, self.residents)

    @property
    def party_active_share(self) -> float:
        return self._share(self.party_active, self.party_members)

    @property
    def residents_active_share(self) -> float:
        return self._share(self.residents_active, self.residents)


def indicators(area: Area) -> Indicators:
    """Registered volunteers as a share of residents, and who served in the last 12 months."""
    people = Person.objects.filter(area_path__startswith=area.path, status=PersonStatus.ACTIVE)
    since = timezone.localdate() - timedelta(days=365)
    served = ServiceRecord.objects.filter(area_path__startswith=area.path, served_on__gte=since)
    active_ids = served.values("volunteer__person_id")
    party = people.filter(political_status__in=PARTY_MEMBERS)
    months = (
        ServiceRecord.objects.filter(area_path__startswith=area.path, served_on__gte=since)
        .annotate(month=TruncMonth("served_on"))
        .values("month")
        .annotate(minutes=Sum("minutes"))
        .order_by("month")
    )
    return Indicators(
        residents=people.count(),
        volunteers=Volunteer.objects.filter(
            area_path__startswith=area.path, status=VolunteerStatus.ACTIVE
        ).count(),
        party_members=party.count(),
        party_active=party.filter(pk__in=active_ids).count(),
        residents_active=people.filter(pk__in=active_ids).count(),
        minutes_by_month=[(m["month"].strftime("%Y-%m"), m["minutes"]) for m in months],
    )


def honour_board(area_path: str) -> list[Honour]:
    """What a community's residents see: entries in 公示 and published ones not yet expired."""
    today = timezone.localdate()
    return list(
        Honour.objects.filter(area_path=area_path)
        .filter(
            Q(status=HonourStatus.PUBLICISED)
            | Q(status=HonourStatus.PUBLISHED, expires_on__gte=today)
        )
        .select_related("person", "household__head")
        .order_by("kind", "-published_on", "-notice_from")
    )


def volunteer_accounts(area_path: str) -> list[User]:
    """care's volunteer pool (`care.services.orders.VOLUNTEER_POOLS`): the accounts of the
    active registered volunteers of the community of `area_path`."""
    from shequtong.core.models import community_path

    rows = Volunteer.objects.filter(
        status=VolunteerStatus.ACTIVE,
        area_path__startswith=community_path(area_path),
        applied_by__isnull=False,
        applied_by__is_active=True,
    ).select_related("applied_by")
    return [v.applied_by for v in rows]
