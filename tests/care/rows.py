"""Care rows spread over the fixture tree, for the isolation matrix (tests/core)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from shequtong.care.choices import AlarmKind, CareService, DeviceKind, Living, VisitFinding
from shequtong.care.models import Alarm, CareOrder, CareProfile, Device, Visit, VisitPlan
from shequtong.core.models import User
from shequtong.registry.models import Person
from shequtong.registry.services import PersonData, apply_person_data
from tests.core.factories import AreaTree
from tests.registry.factories import id_number


def _profiles(tree: AreaTree) -> list[CareProfile]:
    """A person under care in every area of the tree (made once, shared by the three models)."""
    found = list(CareProfile.objects.filter(person__name="照护老人"))
    if found:
        return found
    profiles = []
    for i, area in enumerate(tree.all):
        person = Person(area=area, area_path=area.path)
        apply_person_data(person, PersonData(name="照护老人", id_number=id_number(7000 + i)), None)
        person.save()
        profiles.append(
            CareProfile.objects.create(
                person=person, area=area, area_path=area.path, living=Living.ALONE
            )
        )
    return profiles


def rows_careprofile(tree: AreaTree, viewer: User) -> None:
    _profiles(tree)


def rows_device(tree: AreaTree, viewer: User) -> None:
    for i, profile in enumerate(_profiles(tree)):
        Device.objects.create(
            kind=DeviceKind.SOS_BUTTON,
            serial=f"SOS-{i}",
            token_hash=f"{i:064d}",
            profile=profile,
            area_id=profile.area_id,
            area_path=profile.area_path,
        )


def rows_alarm(tree: AreaTree, viewer: User) -> None:
    for profile in _profiles(tree):
        Alarm.objects.create(
            profile=profile,
            kind=AlarmKind.SOS,
            raised_at=timezone.now(),
            area_id=profile.area_id,
            area_path=profile.area_path,
        )


def rows_visit(tree: AreaTree, viewer: User) -> None:
    for profile in _profiles(tree):
        Visit.objects.create(
            profile=profile,
            visitor=viewer,
            visited_at=timezone.now(),
            finding=VisitFinding.WELL,
            area_id=profile.area_id,
            area_path=profile.area_path,
        )


def rows_visitplan(tree: AreaTree, viewer: User) -> None:
    for area in tree.all:
        VisitPlan.objects.create(area=area, area_path=area.path, name="独居每周", every_days=7)


def rows_careorder(tree: AreaTree, viewer: User) -> None:
    for profile in _profiles(tree):
        CareOrder.objects.create(
            profile=profile,
            service=CareService.MEAL,
            wanted_at=timezone.now(),
            requested_by=viewer,
            area_id=profile.area_id,
            area_path=profile.area_path,
        )


ROWS: dict[str, Callable[[AreaTree, User], None]] = {
    "care.careprofile": rows_careprofile,
    "care.device": rows_device,
    "care.alarm": rows_alarm,
    "care.visit": rows_visit,
    "care.visitplan": rows_visitplan,
    "care.careorder": rows_careorder,
}
