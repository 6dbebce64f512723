"""Scoped reads of accounts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from shequtong.core.models import User
from shequtong.core.scoping import scoped
from shequtong.registry.models import Person

from .models import ClaimStatus, OrgMembership, Proxy, ResidentClaim


def organisation_ids(user: User) -> list[int]:
    """What core.scoping narrows an organisation account to (registered in `ready()`)."""
    return list(OrgMembership.objects.filter(user=user).values_list("organization_id", flat=True))


def accounts_of(person_ids: Iterable[int] | QuerySet[Any]) -> QuerySet[User]:
    """The confirmed resident accounts of these registry persons (ids, or a query of them):
    who can be told in-app."""
    if not isinstance(person_ids, QuerySet):
        person_ids = list(person_ids)
    return User.objects.filter(
        resident_claim__person_id__in=person_ids,
        resident_claim__status=ClaimStatus.CONFIRMED,
        is_active=True,
    )


def claim_list(*, user: User, status: str | None = ClaimStatus.PENDING) -> QuerySet[ResidentClaim]:
    rows = scoped(ResidentClaim.objects.all(), user, "read").select_related(
        "person", "area", "user"
    )
    return rows.filter(status=status) if status else rows


def org_members(*, user: User) -> QuerySet[OrgMembership]:
    return scoped(OrgMembership.objects.all(), user, "read").select_related(
        "user", "organization", "area"
    )


def household_elders(person: Person) -> QuerySet[Person]:
    """Who `person` may act for (代办): active members of their household born at least
    PROXY_MIN_AGE years ago."""
    from datetime import date

    from django.utils import timezone

    from .services import PROXY_MIN_AGE

    if person.household_id is None:
        return Person.objects.none()
    today = timezone.localdate()
    try:
        born_by = today.replace(year=today.year - PROXY_MIN_AGE)
    except ValueError:  # 29 February
        born_by = date(today.year - PROXY_MIN_AGE, 2, 28)
    return (
        Person.objects.filter(
            household_id=person.household_id, status="active", birth_date__lte=born_by
        )
        .exclude(pk=person.pk)
        .order_by("birth_date")
    )


def proxies_of(user: User) -> QuerySet[Proxy]:
    return Proxy.objects.filter(user=user, revoked_at__isnull=True).select_related("person")
