"""Scoped reads of notices, publicity and disclosures; who a notice is addressed to; what a
resident sees of them (by where the registry says they live)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from shequtong.accounts.models import ClaimStatus, ResidentClaim
from shequtong.core.models import Area, RoleGrant, User
from shequtong.core.policy import STAFF
from shequtong.core.scoping import scoped
from shequtong.registry.choices import PersonStatus
from shequtong.registry.models import Person, PersonTagAssignment

from .choices import Audience, DisclosureStatus, FlowDirection, NoticeStatus
from .models import (
    Disclosure,
    FinanceItem,
    Notice,
    NoticeRead,
    Publicity,
    PublicityComment,
    Supervisor,
)

# --- who lives where ------------------------------------------------------------------------


def prefixes(path: str) -> list[str]:
    """/1/2/3/ → ["/1/", "/1/2/", "/1/2/3/"]: every area a row placed at `path` lies in."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def _lives_in(field: str, value: object) -> Q:
    """Living in a building or estate: by the person's own door, or, with none recorded, by
    their household's."""
    return Q(**{f"dwelling__building__{field}": value}) | Q(
        dwelling__isnull=True, **{f"household__dwelling__building__{field}": value}
    )


def audience_of(notice: Notice) -> QuerySet[Person]:
    """The registry residents a notice is addressed to, as they live today."""
    people = Person.objects.filter(status=PersonStatus.ACTIVE)
    if notice.audience == Audience.ESTATE:
        return people.filter(_lives_in("estate", notice.estate_id))
    if notice.audience == Audience.BUILDING:
        return people.filter(_lives_in("pk", notice.building_id))
    people = people.filter(area_path__startswith=notice.area_path)
    if notice.audience == Audience.TAG:
        tagged = PersonTagAssignment.objects.filter(
            tag_id=notice.tag_id, ended_on__isnull=True
        ).values("person_id")
        people = people.filter(pk__in=tagged)
    return people


def home_of(person: Person) -> tuple[int | None, int | None]:
    """(building id, estate id) where the person lives, by their door or their household's."""
    dwelling = person.dwelling if person.dwelling_id else None
    if dwelling is None and person.household_id:
        dwelling = person.household.dwelling
    if dwelling is None:
        return None, None
    return dwelling.building_id, dwelling.building.estate_id


def _current() -> Q:
    return Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())


# --- the console ----------------------------------------------------------------------------


def notice_list(*, user: User, status: str | None = None) -> QuerySet[Notice]:
    rows = scoped(Notice.objects.all(), user, "read").select_related(
        "area", "estate", "building__estate", "tag", "organization"
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-pinned", "-published_at", "-pk")


def read_counts(notice: Notice) -> tuple[int, int]:
    """(read, audience): the readers counted are those still in the audience."""
    audience = audience_of(notice)
    read = NoticeRead.objects.filter(notice=notice, person__in=audience.values("pk")).count()
    return read, audience.count()


def unread_of(*, user: User, notice: Notice) -> QuerySet[Person]:
    """Who in the audience has not opened the notice, residents without an account too, as far
    as the user may see them in the registry (grid workers then call at their door)."""
    read = NoticeRead.objects.filter(notice=notice).values("person_id")
    people = audience_of(notice).exclude(pk__in=read)
    return (
        scoped(people, user, "read")
        .select_related("dwelling__building__estate", "household__dwelling__building__estate")
        .annotate(
            has_account=Exists(
                ResidentClaim.objects.filter(person=OuterRef("pk"), status=ClaimStatus.CONFIRMED)
            )
        )
        .order_by("area_path", "dwelling__building_id", "dwelling__unit", "dwelling__number", "pk")
    )


# --- what a resident sees -------------------------------------------------------------------


def notices_for(person: Person) -> QuerySet[Notice]:
    """The published, unexpired notices addressed to `person`, pinned first, each with
    `unread` set."""
    building_id, estate_id = home_of(person)
    tags = PersonTagAssignment.objects.filter(
        person=person, ended_on__isnull=True, tag__sensitive=False
    ).values("tag_id")
    around = prefixes(person.area_path)
    addressed = Q(audience__in=[Audience.COMMUNITY, Audience.GRID], area_path__in=around) | Q(
        audience=Audience.TAG, tag_id__in=tags, area_path__in=around
    )
    if building_id:
        addressed |= Q(audience=Audience.BUILDING, building_id=building_id)
    if estate_id:
        addressed |= Q(audience=Audience.ESTATE, estate_id=estate_id)
    if person.status != PersonStatus.ACTIVE:
        return Notice.objects.none()
    return (
        Notice.objects.filter(addressed, _current(), status=NoticeStatus.PUBLISHED)
        .select_related("organization")
        .annotate(unread=~Exists(NoticeRead.objects.filter(notice=OuterRef("pk"), person=person)))
        .order_by("-pinned", "-published_at", "-pk")
    )


def unread_count(person: Person) -> int:
    return notices_for(person).filter(unread=True).count()


# --- publicity ------------------------------------------------------------------------------


def publicity_list(*, user: User) -> QuerySet[Publicity]:
    return (
        scoped(Publicity.objects.all(), user, "read")
        .select_related("area")
        .annotate(
            comment_count=Count("comments"),
            open_comments=Count("comments", filter=Q(comments__answered_at__isnull=True)),
        )
        .order_by("-starts_at", "-pk")
    )


def publicity_for(person: Person) -> QuerySet[Publicity]:
    """What is (or was) on public display where the person lives, newest first; nothing for
    someone who has moved out."""
    if person.status != PersonStatus.ACTIVE:
        return Publicity.objects.none()
    return Publicity.objects.filter(
        area_path__in=prefixes(person.area_path), starts_at__lte=timezone.now()
    ).order_by("-starts_at", "-pk")


def comments_of(publicity: Publicity) -> QuerySet[PublicityComment]:
    return publicity.comments.select_related("person", "answered_by").order_by("created_at", "pk")


# --- 三务公开 -------------------------------------------------------------------------------


def disclosure_list(
    *,
    user: User,
    area_id: int | None = None,
    board: str = "",
    period: str = "",
    status: str = "",
) -> QuerySet[Disclosure]:
    """The boards the user may read, optionally one community's, board's, period's or
    status's, each with its line and attachment counts."""
    rows = scoped(Disclosure.objects.all(), user, "read")
    if area_id:
        rows = rows.filter(area_id=area_id)
    if board:
        rows = rows.filter(board=board)
    if period:
        rows = rows.filter(period=period)
    if status:
        rows = rows.filter(status=status)
    return (
        rows.select_related("area", "signed_by", "created_by")
        .annotate(
            item_count=Count("items", distinct=True),
            attachment_count=Count("attachments", distinct=True),
        )
        .order_by("-period", "area__path", "board", "-pk")
    )


def finance_totals(disclosure: Disclosure) -> dict[str, int]:
    """Income, expense and their balance in 分."""
    sums = disclosure.items.aggregate(
        income=Sum("amount", filter=Q(direction=FlowDirection.INCOME)),
        expense=Sum("amount", filter=Q(direction=FlowDirection.EXPENSE)),
    )
    income, expense = sums["income"] or 0, sums["expense"] or 0
    return {"income": income, "expense": expense, "balance": income - expense}


def items_of(disclosure: Disclosure) -> QuerySet[FinanceItem]:
    return disclosure.items.select_related("transaction").order_by("pk")


def disclosures_for(person: Person) -> QuerySet[Disclosure]:
    """The published boards of the resident's community (an active resident's only)."""
    if person.status != PersonStatus.ACTIVE:
        return Disclosure.objects.none()
    return Disclosure.objects.filter(
        area_path__in=prefixes(person.area_path), status=DisclosureStatus.PUBLISHED
    ).order_by("board", "-period", "-pk")


def supervisor_list(*, user: User, area_id: int | None = None) -> QuerySet[Supervisor]:
    rows = scoped(Supervisor.objects.filter(ended_on__isnull=True), user, "read")
    if area_id:
        rows = rows.filter(area_id=area_id)
    return rows.select_related("area", "user").order_by("area__path", "pk")


def supervisor_of(user: User, area_path: str) -> Supervisor | None:
    """The user's current seat on the 居务监督委员会 of the community at `area_path`."""
    return (
        Supervisor.objects.filter(user=user, ended_on__isnull=True, area_path=area_path)
        .select_related("area")
        .first()
    )


def seat_candidates(area: Area) -> QuerySet[User]:
    """Who may take a seat in the community: its confirmed residents' accounts and the staff
    working in it (the community or its grids), not yet seated."""
    residents = ResidentClaim.objects.filter(
        status=ClaimStatus.CONFIRMED, person__area_path__startswith=area.path
    ).values("user_id")
    staff = RoleGrant.objects.filter(area__path__startswith=area.path, role__in=STAFF).values(
        "user_id"
    )
    seated = Supervisor.objects.filter(area=area, ended_on__isnull=True).values("user_id")
    return (
        User.objects.filter(Q(pk__in=residents) | Q(pk__in=staff), is_active=True)
        .exclude(pk__in=seated)
        .select_related("resident_claim__person")
        .order_by("pk")
    )


def seated(user: User) -> QuerySet[Supervisor]:
    return Supervisor.objects.filter(user=user, ended_on__isnull=True)


def to_sign(user: User) -> QuerySet[Disclosure]:
    """Boards waiting for this 监委会 member's signature (not their own)."""
    return (
        Disclosure.objects.filter(
            area_id__in=seated(user).values("area_id"), status=DisclosureStatus.SUBMITTED
        )
        .exclude(created_by=user)
        .select_related("area")
        .order_by("submitted_at", "pk")
    )


def signed_by_me(user: User) -> QuerySet[Disclosure]:
    """What this member has signed, newest first."""
    return (
        Disclosure.objects.filter(signed_by__user=user)
        .select_related("area")
        .order_by("-signed_at", "-pk")
    )


def for_supervisor(user: User) -> QuerySet[Disclosure]:
    """What a member may open on /m/: the boards waiting for them and those they signed."""
    return Disclosure.objects.filter(
        Q(pk__in=to_sign(user).values("pk")) | Q(pk__in=signed_by_me(user).values("pk"))
    ).select_related("area")
