"""Scoped reads of covenants and their versions, the decisions that may adopt a version, the
difference between two versions' texts, and what a resident sees where they live."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery

from shequtong.core.models import User, community_path
from shequtong.core.scoping import scoped
from shequtong.deliberation import selectors as deliberation
from shequtong.deliberation.choices import MeetingKind, OwnerMatter, VoteStatus
from shequtong.deliberation.models import Meeting, Vote
from shequtong.notices.selectors import home_of
from shequtong.registry.choices import PersonStatus
from shequtong.registry.models import Person

from .choices import ADOPTED_STATUSES, OPEN_STATUSES, CovenantKind, VersionStatus
from .models import Covenant, CovenantComment, CovenantVersion

# --- the console ----------------------------------------------------------------------------


def covenant_list(*, user: User) -> QuerySet[Covenant]:
    """Each covenant with the number and day of the version in force and the version being
    worked on, if any: one query for the whole page."""
    versions = CovenantVersion.objects.filter(covenant=OuterRef("pk"))
    current = versions.filter(status=VersionStatus.ADOPTED)
    working = versions.filter(status__in=OPEN_STATUSES)
    return (
        scoped(Covenant.objects.select_related("area", "estate"), user, "read")
        .annotate(
            current_number=Subquery(current.values("number")[:1]),
            current_adopted_on=Subquery(current.values("adopted_on")[:1]),
            working_number=Subquery(working.values("number")[:1]),
            working_status=Subquery(working.values("status")[:1]),
        )
        .order_by("area_path", "kind", "pk")
    )


def version_list(*, user: User) -> QuerySet[CovenantVersion]:
    return scoped(
        CovenantVersion.objects.select_related(
            "covenant__area",
            "covenant__estate",
            "based_on",
            "adopted_by_meeting",
            "adopted_by_vote",
            "publicity",
        ),
        user,
        "read",
    )


def current_version(covenant: Covenant) -> CovenantVersion | None:
    """The one version in force (a partial unique constraint keeps it one)."""
    return covenant.versions.filter(status=VersionStatus.ADOPTED).first()


def history_of(covenant: Covenant) -> QuerySet[CovenantVersion]:
    return covenant.versions.select_related(
        "based_on", "adopted_by_meeting", "adopted_by_vote"
    ).order_by("-number")


def comments_of(version: CovenantVersion) -> QuerySet[CovenantComment]:
    return version.comments.select_related("person", "answered_by").order_by("created_at", "pk")


def _used(field_name: str) -> QuerySet[CovenantVersion]:
    return CovenantVersion.objects.filter(**{f"{field_name}__isnull": False}).values(field_name)


def meetings_to_adopt(*, user: User, version: CovenantVersion) -> QuerySet[Meeting]:
    """The held, passed 居民会议 and 居民代表会议 of the covenant's community since the draft,
    not yet used for another version: what the adopt form offers."""
    return (
        deliberation.meeting_list(user=user)
        .filter(
            area_id=version.covenant.area_id,
            kind__in=[MeetingKind.RESIDENTS, MeetingKind.REPRESENTATIVES],
            held=True,
            outcome__passed=True,
            starts_at__gte=version.created_at,
        )
        .exclude(pk__in=_used("adopted_by_meeting"))
        .order_by("-starts_at", "-pk")
    )


def votes_to_adopt(*, user: User, version: CovenantVersion) -> QuerySet[Vote]:
    """The closed, passed owners' votes of the estate on 管理规约 since the draft, unused."""
    return (
        deliberation.vote_list(user=user)
        .filter(
            estate_id=version.covenant.estate_id,
            matter=OwnerMatter.RULES,
            status=VoteStatus.CLOSED,
            result__passed=True,
            opens_at__gte=version.created_at,
        )
        .exclude(pk__in=_used("adopted_by_vote"))
        .order_by("-closes_at", "-pk")
    )


# --- the difference between two texts -------------------------------------------------------


@dataclass
class DiffLine:
    """One line of a diff: `kind` is same, removed, added or skip (unchanged lines folded);
    `parts` are (text, changed) pieces, the changed characters of a rewritten line marked."""

    kind: str
    old: int | None = None
    new: int | None = None
    parts: list[tuple[str, bool]] = field(default_factory=list)
    skipped: int = 0


def _marked(a: str, b: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """The pieces of two versions of one line, the characters that differ marked."""
    old: list[tuple[str, bool]] = []
    new: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if a[i1:i2]:
            old.append((a[i1:i2], tag != "equal"))
        if b[j1:j2]:
            new.append((b[j1:j2], tag != "equal"))
    return old, new


def text_diff(before: str, after: str, context: int = 3) -> list[DiffLine]:
    """Line by line (a clause a line), with `context` unchanged lines around each change and
    the rest folded; a line rewritten shows which characters changed."""
    a, b = before.splitlines(), after.splitlines()
    rows: list[DiffLine] = []
    last = 0
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if group[0][1] > last:
            rows.append(DiffLine("skip", skipped=group[0][1] - last))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [
                    DiffLine("same", i + 1, j + 1, [(a[i], False)])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
                continue
            removed = [DiffLine("removed", i + 1, None, [(a[i], False)]) for i in range(i1, i2)]
            added = [DiffLine("added", None, j + 1, [(b[j], False)]) for j in range(j1, j2)]
            if tag == "replace":
                for old, new in zip(removed, added, strict=False):
                    old.parts, new.parts = _marked(old.parts[0][0], new.parts[0][0])
            rows += removed + added
        last = group[-1][2]
    if rows and last < len(a):
        rows.append(DiffLine("skip", skipped=len(a) - last))
    return rows


# --- what a resident sees -------------------------------------------------------------------


def lives_under(person: Person, covenant: Covenant) -> bool:
    """Whether the covenant binds the person: a 居民公约 those living in its community, a
    小区公约 those living in its estate (by their door, or their household's)."""
    if person.status != PersonStatus.ACTIVE:
        return False
    if covenant.kind == CovenantKind.ESTATE:
        return home_of(person)[1] == covenant.estate_id
    return person.area_path.startswith(covenant.area_path)


def covenants_for(person: Person) -> QuerySet[Covenant]:
    """The 居民公约 of the person's community and the 小区公约 of their estate."""
    if person.status != PersonStatus.ACTIVE:
        return Covenant.objects.none()
    mine = Q(kind=CovenantKind.RESIDENTS, area_path=community_path(person.area_path))
    estate_id = home_of(person)[1]
    if estate_id:
        mine |= Q(kind=CovenantKind.ESTATE, estate_id=estate_id)
    return Covenant.objects.filter(mine).select_related("area", "estate").order_by("kind", "pk")


def versions_for(person: Person) -> QuerySet[CovenantVersion]:
    """What a resident may open: the published versions (in force or superseded) and the
    versions under consultation of the covenants binding them."""
    shown = Q(status=VersionStatus.CONSULTING) | Q(
        status__in=ADOPTED_STATUSES, published_at__isnull=False
    )
    return (
        CovenantVersion.objects.filter(shown, covenant__in=covenants_for(person))
        .select_related(
            "covenant__area", "covenant__estate", "adopted_by_meeting", "adopted_by_vote"
        )
        .order_by("covenant__kind", "covenant_id", "-number")
    )


@dataclass
class ResidentCovenant:
    covenant: Covenant
    in_force: CovenantVersion | None  # the latest published version
    consulting: CovenantVersion | None


def resident_covenants(person: Person) -> list[ResidentCovenant]:
    """Each covenant binding the person with the text they read now and the draft they may
    comment on; a covenant with neither is left out."""
    found: dict[int, ResidentCovenant] = {}
    for version in versions_for(person):
        row = found.setdefault(version.covenant_id, ResidentCovenant(version.covenant, None, None))
        if version.status == VersionStatus.CONSULTING:
            row.consulting = version
        elif row.in_force is None:  # newest first
            row.in_force = version
    return list(found.values())
