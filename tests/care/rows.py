"""Care rows spread over the fixture tree, for the isolation matrix (tests/core).

Made by the services (a profile, its consent, a bound device, an SOS through the ingester,
a visit, a plan, an order), so each row's place is the one the platform derives."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from shequtong.care.choices import CareService, DeviceKind, Living, VisitFinding
from shequtong.care.ingest import ingest
from shequtong.care.models import CareProfile
from shequtong.care.services import consent_record, device_register, profile_create
from shequtong.care.services.orders import order_request
from shequtong.care.services.visits import visit_plan_create, visit_record
from shequtong.core.models import User
from shequtong.registry.services import PersonData, person_create
from tests.core.factories import AreaTree, UserFactory
from tests.registry.factories import id_number


def _clerk() -> User:
    """Who files the rows: one user who may act everywhere, not the viewer under test."""
    return User.objects.filter(username="care-clerk").first() or UserFactory(
        username="care-clerk", is_superuser=True
    )


def _profiles(tree: AreaTree) -> list[CareProfile]:
    """A consented person under care in every area of the tree (made once, shared)."""
    found = list(CareProfile.objects.filter(person__name="照护老人"))
    if found:
        return found
    clerk = _clerk()
    profiles = []
    for i, area in enumerate(tree.all):
        data = PersonData(name="照护老人", id_number=id_number(7000 + i))
        person = person_create(actor=clerk, data=data, dwelling=None, area=area)
        profile = profile_create(actor=clerk, person=person, living=Living.ALONE)
        profiles.append(consent_record(actor=clerk, profile=profile, by="本人", scope="一键呼叫"))
    return profiles


def rows_careprofile(tree: AreaTree, viewer: User) -> None:
    _profiles(tree)


def rows_device(tree: AreaTree, viewer: User) -> None:
    for i, profile in enumerate(_profiles(tree)):
        device_register(
            actor=_clerk(), kind=DeviceKind.SOS_BUTTON, serial=f"SOS-{i}", profile=profile
        )


def rows_alarm(tree: AreaTree, viewer: User) -> None:
    """An SOS pressed on each person's button, through the ingester."""
    for i, profile in enumerate(_profiles(tree)):
        bound = device_register(
            actor=_clerk(), kind=DeviceKind.SOS_BUTTON, serial=f"SOS-A{i}", profile=profile
        )
        at = timezone.now().isoformat()
        result = ingest(bound.device, [{"at": at, "metric": "sos", "value": 1}])
        assert len(result.alarms) == 1, result


def rows_visit(tree: AreaTree, viewer: User) -> None:
    for profile in _profiles(tree):
        visit_record(actor=_clerk(), profile=profile, finding=VisitFinding.WELL)


def rows_visitplan(tree: AreaTree, viewer: User) -> None:
    for area in tree.all:
        visit_plan_create(actor=_clerk(), area=area, name="独居每周", every_days=7)


def rows_careorder(tree: AreaTree, viewer: User) -> None:
    for profile in _profiles(tree):
        order_request(
            actor=_clerk(), profile=profile, service=CareService.MEAL, wanted_at=timezone.now()
        )


ROWS: dict[str, Callable[[AreaTree, User], None]] = {
    "care.careprofile": rows_careprofile,
    "care.device": rows_device,
    "care.alarm": rows_alarm,
    "care.visit": rows_visit,
    "care.visitplan": rows_visitplan,
    "care.careorder": rows_careorder,
}
