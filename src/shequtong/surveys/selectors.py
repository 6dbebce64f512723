"""Scoped reads of surveys; the households of a survey's place as the registry has them; the
results, the coverage (全覆盖) and `support_of`, the share of households agreeing that the
集中民意 step of deliberation reads.

`support_of(survey) -> Support` is a public API (deliberation calls it): its fields and their
meaning stay as documented on `Support`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from itertools import groupby
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shequtong.core.errors import DomainError
from shequtong.core.models import User
from shequtong.core.scoping import scope_paths, scoped
from shequtong.registry.choices import PersonStatus
from shequtong.registry.models import Household, Person

from .choices import COVERING_OUTCOMES, QuestionKind, SurveyStatus, VisitOutcome
from .models import Question, Response, Survey, Visit

# 集中民意: "大多数住户(60%以上)有整治要求" — 以上 includes exactly 60 %.
THRESHOLD = Fraction(3, 5)
ADULT_AGE = 18


def prefixes(path: str) -> list[str]:
    """/1/2/3/ → ["/1/", "/1/2/", "/1/2/3/"]: every area a row placed at `path` lies in."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def age_of(person: Person, today: date | None = None) -> int:
    today = today or timezone.localdate()
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def answer_key(question: Question) -> str:
    """The key of a question in `Response.answers` and the name of its form field."""
    return f"q{question.pk}"


# --- the households of a survey -------------------------------------------------------------


def households_of(survey: Survey) -> QuerySet[Household]:
    """The households of the survey's place with someone living there today."""
    living = Person.objects.filter(household=OuterRef("pk"), status=PersonStatus.ACTIVE)
    rows = Household.objects.filter(Exists(living))
    if survey.building_id:
        return rows.filter(dwelling__building_id=survey.building_id)
    if survey.estate_id:
        return rows.filter(dwelling__building__estate_id=survey.estate_id)
    return rows.filter(area_path__startswith=survey.area_path)


def in_scope(survey: Survey, household: Household) -> bool:
    return households_of(survey).filter(pk=household.pk).exists()


def _counted(survey: Survey) -> QuerySet[Response]:
    """The answers that count: each household's current one; while the survey runs, only of
    households still living in its place (a household that moved away drops out of both the
    answers and the households)."""
    rows = Response.objects.filter(survey=survey, current=True)
    if survey.status == SurveyStatus.CLOSED:
        return rows
    return rows.filter(household__in=households_of(survey).values("pk"))


def household_total(survey: Survey) -> int:
    """All households of the place (fixed when the survey closed), answered or not."""
    if survey.status == SurveyStatus.CLOSED and survey.closed_households is not None:
        return survey.closed_households
    return households_of(survey).count()


# --- 集中民意 -----------------------------------------------------------------------------


class _Share:
    """A share of households, as a page shows it."""

    share: Fraction

    @property
    def percent(self) -> str:
        return f"{float(self.share) * 100:.1f}%"

    @property
    def ratio(self) -> str:
        """The share as a <meter> reads it (0.6000)."""
        return f"{float(self.share):.4f}"


@dataclass(frozen=True)
class Support(_Share):
    """How many households agree, out of every household of the survey's place.

    `households` is the denominator: ALL households of the place (for a closed survey, as
    fixed when it closed), not only those that answered; `agreeing` the households whose
    counted answer to the consent question is the consent option; `share` their exact
    fraction; `passed` whether `share` reaches `threshold` (3/5: "60%以上" includes 60 %).
    A place without households passes nothing."""

    households: int
    agreeing: int
    share: Fraction
    threshold: Fraction
    passed: bool


def agreeing_of(survey: Survey) -> int:
    key = f"q{survey.consent_question_id}"
    return sum(
        1
        for answers in _counted(survey).values_list("answers", flat=True)
        if answers.get(key) == survey.consent_option
    )


def support_of(survey: Survey) -> Support:
    """The 60 % rule of 集中民意 on this survey's consent question. Raises DomainError on
    `consent_question` for a survey without one."""
    if survey.consent_question_id is None:
        raise DomainError.on("consent_question", "该问卷未设置同意率计算题，无法计算同意比例")
    if survey.status == SurveyStatus.CLOSED and survey.closed_agreeing is not None:
        households, agreeing = survey.closed_households or 0, survey.closed_agreeing
    else:
        households, agreeing = household_total(survey), agreeing_of(survey)
    share = Fraction(agreeing, households) if households else Fraction(0)
    return Support(
        households=households,
        agreeing=agreeing,
        share=share,
        threshold=THRESHOLD,
        passed=households > 0 and share >= THRESHOLD,
    )


# --- the console ----------------------------------------------------------------------------


def survey_list(*, user: User) -> QuerySet[Survey]:
    """The surveys the user may read, and those running or run over an area the user works
    in (a grid worker keys in the answers of their grid for the community's survey)."""
    readable = scoped(Survey.objects.all(), user, "read").values("pk")
    above = {p for path in scope_paths(user, Response, "change") for p in prefixes(path)}
    condition = Q(pk__in=readable)
    if above:
        condition |= Q(area_path__in=above, status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED])
    return (
        Survey.objects.filter(condition)
        .select_related("area", "estate", "building__estate")
        .annotate(
            answered=Count("responses", filter=Q(responses__current=True)),
            question_count=Count("questions", distinct=True),
        )
        .order_by("-opens_at", "-pk")
    )


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("order"))


@dataclass(frozen=True)
class OptionCount(_Share):
    option: str
    count: int
    share: Fraction  # of all households of the place


@dataclass
class QuestionResult:
    question: Question
    answered: int
    options: list[OptionCount] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def results(survey: Survey, *, staff: User | None = None) -> list[QuestionResult]:
    """Counts per option (and their share of all households) for everyone who may see the
    survey; the text answers only with `staff`, and only those of households that user may
    read. Never per household."""
    households = household_total(survey)
    answers = list(_counted(survey).values_list("answers", flat=True))
    texts_of: list[dict[str, Any]] = []
    if staff is not None:
        texts_of = list(
            scoped(_counted(survey), staff, "read").order_by("pk").values_list("answers", flat=True)
        )
    out = []
    for question in questions_of(survey):
        key = answer_key(question)
        given = [a[key] for a in answers if a.get(key) not in (None, "", [])]
        result = QuestionResult(question, len(given))
        if question.kind == QuestionKind.TEXT:
            result.texts = [a[key] for a in texts_of if a.get(key)]
        else:
            tally: Counter[str] = Counter()
            for value in given:
                tally.update(value if isinstance(value, list) else [value])
            result.options = [
                OptionCount(
                    option,
                    tally[option],
                    Fraction(tally[option], households) if households else Fraction(0),
                )
                for option in question.options
            ]
        out.append(result)
    return out


@dataclass(frozen=True)
class HouseholdRow:
    """A household as the visit lists show it to staff: the door and who heads it."""

    pk: int
    building: str
    door: str
    head: str
    calls: str  # earlier calls that did not cover it (无人在家 ×2)


@dataclass
class Coverage(_Share):
    households: int
    answered: int
    refused: int
    uncovered_rows: list[tuple[str, list[HouseholdRow]]]
    uncovered_shown: int

    @property
    def covered(self) -> int:
        return self.answered + self.refused

    @property  # type: ignore[override]
    def share(self) -> Fraction:
        return Fraction(self.covered, self.households) if self.households else Fraction(0)

    @property
    def full(self) -> bool:
        """全覆盖: every household answered or refused at the door."""
        return self.households > 0 and self.covered == self.households


def _rows(households: QuerySet[Household], survey: Survey) -> list[tuple[str, list[HouseholdRow]]]:
    calls: dict[int, Counter[str]] = {}
    for household_id, label in Visit.objects.filter(
        survey=survey, household__in=households.values("pk")
    ).values_list("household_id", "outcome"):
        calls.setdefault(household_id, Counter())[label] += 1
    rows = []
    for h in households.select_related("dwelling__building__estate", "head").order_by(
        "dwelling__building__estate__name",
        "dwelling__building__number",
        "dwelling__unit",
        "dwelling__number",
        "pk",
    ):
        counted = calls.get(h.pk, Counter())
        rows.append(
            HouseholdRow(
                pk=h.pk,
                building=str(h.dwelling.building),
                door=f"{h.dwelling.unit}单元{h.dwelling.number}",
                head=h.head.name if h.head_id else "",
                calls="、".join(f"{VisitOutcome(k).label}×{n}" for k, n in counted.items()),
            )
        )
    return [(b, list(group)) for b, group in groupby(rows, key=lambda r: r.building)]


def coverage(survey: Survey, *, user: User) -> Coverage:
    """Households answered, refused at the door (covered) and still to visit: the counts are
    the whole place's, the list of uncovered households only those the user may read,
    grouped by building, for grid workers to go and call."""
    households = households_of(survey)
    answered = set(
        Response.objects.filter(
            survey=survey, current=True, household__in=households.values("pk")
        ).values_list("household_id", flat=True)
    )
    refused = (
        set(
            Visit.objects.filter(
                survey=survey, outcome__in=COVERING_OUTCOMES, household__in=households.values("pk")
            ).values_list("household_id", flat=True)
        )
        - answered
    )
    uncovered = scoped(households, user, "read").exclude(pk__in=answered | refused)
    grouped = _rows(uncovered, survey)
    return Coverage(
        households=households.count(),
        answered=len(answered),
        refused=len(refused),
        uncovered_rows=grouped,
        uncovered_shown=sum(len(g) for _, g in grouped),
    )


def household_for_visit(survey: Survey, *, user: User, pk: int) -> Household | None:
    """A household of the survey's place that the user may call on."""
    return (
        scoped(households_of(survey), user, "read")
        .select_related("dwelling__building__estate", "head")
        .filter(pk=pk)
        .first()
    )


def adults_of(household: Household) -> list[Person]:
    """Who may answer for the household: its members living there, 18 or older."""
    today = timezone.localdate()
    members = Person.objects.filter(household=household, status=PersonStatus.ACTIVE).order_by("pk")
    return [p for p in members if age_of(p, today) >= ADULT_AGE]


def current_response(survey: Survey, household_id: int | None) -> Response | None:
    if household_id is None:
        return None
    return (
        Response.objects.filter(survey=survey, household_id=household_id, current=True)
        .select_related("person")
        .first()
    )


# --- what a resident sees -------------------------------------------------------------------


def surveys_for(person: Person) -> QuerySet[Survey]:
    """The surveys asked of the person's household (open or closed, never drafts)."""
    household = person.household if person.household_id else None
    if household is None or person.status != PersonStatus.ACTIVE:
        return Survey.objects.none()
    building = household.dwelling.building
    asked = (
        Q(building_id=building.pk)
        | Q(estate_id=building.estate_id)
        | Q(estate__isnull=True, building__isnull=True, area_path__in=prefixes(household.area_path))
    )
    return (
        Survey.objects.filter(asked, status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED])
        .select_related("area", "estate", "building__estate")
        .order_by("-opens_at", "-pk")
    )


def accepting(survey: Survey) -> bool:
    now = timezone.now()
    return survey.status == SurveyStatus.OPEN and survey.opens_at <= now < survey.closes_at
