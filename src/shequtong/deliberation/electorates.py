"""Who may take part, read from the registry rather than re-entered: the adult residents (户籍
and non-户籍 alike), the households (one vote each), the residents' representatives (people
tagged 居民代表), or the party members (正式党员: 预备党员 have no vote) of an area."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from shequtong.core.models import Area
from shequtong.registry.choices import PersonStatus
from shequtong.registry.models import Household, Person

from .choices import Electorate, MeetingKind

ADULT_AGE = 18
PARTY_MEMBER = "01"
REPRESENTATIVE_TAG = "resident_rep"


def _eighteen_years_before(day: date) -> date:
    try:
        return day.replace(year=day.year - ADULT_AGE)
    except ValueError:  # 29 February
        return day.replace(year=day.year - ADULT_AGE, day=28)


def _residents(area: Area) -> QuerySet[Person]:
    return Person.objects.filter(area_path__startswith=area.path, status=PersonStatus.ACTIVE)


def is_adult(person: Person) -> bool:
    born = person.birth_date
    return born is not None and born <= _eighteen_years_before(timezone.localdate())


def adult_residents(area: Area) -> QuerySet[Person]:
    return _residents(area).filter(birth_date__lte=_eighteen_years_before(timezone.localdate()))


def households(area: Area) -> QuerySet[Household]:
    """Households with someone living in them: one whose members all moved out has no vote."""
    living = Person.objects.filter(household=OuterRef("pk"), status=PersonStatus.ACTIVE)
    return Household.objects.filter(area_path__startswith=area.path).filter(Exists(living))


def representatives(area: Area) -> QuerySet[Person]:
    return _residents(area).filter(
        tag_assignments__tag__code=REPRESENTATIVE_TAG, tag_assignments__ended_on__isnull=True
    )


def party_members(area: Area) -> QuerySet[Person]:
    return _residents(area).filter(political_status=PARTY_MEMBER)


def due_for(kind: str, area: Area) -> int | None:
    """How many are due at a meeting of `kind`: the registry's count, where the law counts."""
    if kind == MeetingKind.PARTY:
        return party_members(area).count()
    if kind == MeetingKind.RESIDENTS:
        return adult_residents(area).count()
    if kind == MeetingKind.REPRESENTATIVES:
        return representatives(area).count()
    return None


def people_of(electorate: str, area: Area) -> QuerySet[Person]:
    """The persons on the roll of a vote of `electorate` (households are rolled apart)."""
    chosen = {
        Electorate.RESIDENTS: adult_residents,
        Electorate.REPRESENTATIVES: representatives,
        Electorate.PARTY: party_members,
    }
    return chosen[Electorate(electorate)](area)
