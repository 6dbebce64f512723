"""Scoped reads of notices, publicity and disclosures; who a notice is addressed to; what a
resident sees of them (by where the registry says they live)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shequtong.accounts.models import ClaimStatus, ResidentClaim
from shequtong.core.models import User
from shequtong.core.scoping import scoped
from shequtong.registry.choices import PersonStatus
from shequtong.registry.models import Person, PersonTagAssignment

from .choices import Audience, DisclosureStatus, NoticeStatus
from .models import Disclosure, Notice, NoticeRead, Publicity, PublicityComment, Supervisor

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


def accounts_of(people: QuerySet[Person]) -> QuerySet[User]:
    """The resident accounts confirmed as these people (实名认证)."""
    claimed = ResidentClaim.objects.filter(
        status=ClaimStatus.CONFIRMED, person__in=people.values("pk")
    ).values("user_id")
    return User.objects.filter(pk__in=claimed, is_active=True)


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
    """What is (or was) on public display where the person lives, newest first."""
    return Publicity.objects.filter(
        area_path__in=prefixes(person.area_path), starts_at__lte=timezone.now()
    ).order_by("-starts_at", "-pk")


def comments_of(publicity: Publicity) -> QuerySet[PublicityComment]:
    return publicity.comments.select_related("person", "answered_by").order_by("created_at", "pk")


# --- 三务公开 -------------------------------------------------------------------------------


def disclosure_list(*, user: User) -> QuerySet[Disclosure]:
    return (
        scoped(Disclosure.objects.all(), user, "read")
        .select_related("area", "signed_by", "created_by")
        .order_by("-period", "board", "-pk")
    )


def disclosures_for(person: Person) -> QuerySet[Disclosure]:
    """The published boards of the resident's community."""
    return Disclosure.objects.filter(
        area_path__in=prefixes(person.area_path), status=DisclosureStatus.PUBLISHED
    ).order_by("-period", "board", "-pk")


def supervisor_list(*, user: User) -> QuerySet[Supervisor]:
    return scoped(Supervisor.objects.filter(ended_on__isnull=True), user, "read").select_related(
        "area", "user"
    )


def supervisor_of(user: User, area_path: str) -> Supervisor | None:
    """The user's current seat on the 居务监督委员会 of the community at `area_path`."""
    return (
        Supervisor.objects.filter(user=user, ended_on__isnull=True, area_path=area_path)
        .select_related("area")
        .first()
    )


def to_sign(user: User) -> QuerySet[Disclosure]:
    """Boards waiting for this 监委会 member's signature (not their own)."""
    seats = Supervisor.objects.filter(user=user, ended_on__isnull=True).values("area_id")
    return (
        Disclosure.objects.filter(area_id__in=seats, status=DisclosureStatus.SUBMITTED)
        .exclude(created_by=user)
        .select_related("area")
        .order_by("submitted_at", "pk")
    )
