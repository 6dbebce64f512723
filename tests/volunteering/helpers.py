"""People, accounts and volunteers for the participation tests, made through the services."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.utils import timezone

from shequtong.accounts.services import claim_submit, code_send, code_verify
from shequtong.core.models import Area, User
from shequtong.registry.models import Person
from shequtong.registry.services import PersonData, person_create
from shequtong.volunteering.models import Activity, Volunteer
from shequtong.volunteering.services import (
    ActivityData,
    activity_create,
    activity_publish,
    volunteer_apply,
    volunteer_decide,
)
from tests.registry.factories import id_number

CODE = re.compile(r"验证码 (\d{6})")


def person(
    n: int, area: Area, *, name: str | None = None, born: date = date(1980, 1, 1), **extra
) -> Person:
    data = PersonData(name=name or f"居民{n:03d}", id_number=id_number(n, born=born), **extra)
    return person_create(actor=None, data=data, dwelling=None, area=area)


def sign_in(phone: str, caplog) -> User:
    """The way a resident signs in: ask for a code, read it where the SMS gateway wrote it."""
    caplog.clear()
    code_send(phone=phone)
    sent = [m for m in caplog.messages if "验证码" in m]
    assert sent, caplog.messages
    return code_verify(phone=phone, code=CODE.search(sent[-1]).group(1))


def resident(n: int, area: Area, caplog, **extra) -> tuple[User, Person]:
    """A signed-in resident who has claimed their registry record."""
    someone = person(n, area, **extra)
    user = sign_in(f"139{n:08d}", caplog)
    claim_submit(user=user, name=someone.name, id_number=someone.id_number, community=None)
    return user, someone


def volunteer(staff: User, user: User, someone: Person) -> Volunteer:
    applied = volunteer_apply(actor=user, person=someone, kind="resident")
    return volunteer_decide(actor=staff, volunteer=applied, approve=True)


def activity(
    staff: User,
    area: Area,
    *,
    start: datetime | None = None,
    hours: float = 2,
    places: int = 10,
    publish: bool = True,
    **extra,
) -> Activity:
    start = start or timezone.now() - timedelta(minutes=10)
    organization = extra.pop("organization", None)
    data = ActivityData(
        title=extra.pop("title", "楼道清洁"),
        content="清理楼道堆物",
        place="小广场",
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        places=places,
        **extra,
    )
    made = activity_create(actor=staff, area=area, data=data, organization=organization)
    return activity_publish(actor=staff, activity=made) if publish else made


def household(*people: Person) -> None:
    """Put `people` in one household of a new dwelling in the first one's area."""
    from shequtong.registry.models import Building, Dwelling, Estate, Household

    first = people[0]
    estate = Estate.objects.create(name="小区", area=first.area)
    building = Building.objects.create(estate=estate, number="1", area=first.area)
    dwelling = Dwelling.objects.create(building=building, unit=1, number="101", area=first.area)
    home = Household.objects.create(dwelling=dwelling, area=first.area)
    for p in people:
        p.household = home
        p.save()
