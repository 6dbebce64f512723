"""Scoped reads of accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from shequtong.core.models import User
from shequtong.core.scoping import scoped

from .models import ClaimStatus, OrgMembership, Proxy, ResidentClaim


def organisation_ids(user: User) -> list[int]:
    """What core.scoping narrows an organisation account to (registered in `ready()`)."""
    return list(OrgMembership.objects.filter(user=user).values_list("organization_id", flat=True))


def claim_list(*, user: User, status: str | None = ClaimStatus.PENDING) -> QuerySet[ResidentClaim]:
    rows = scoped(ResidentClaim.objects.all(), user, "read").select_related(
        "person", "area", "user"
    )
    return rows.filter(status=status) if status else rows


def org_members(*, user: User) -> QuerySet[OrgMembership]:
    return scoped(OrgMembership.objects.all(), user, "read").select_related(
        "user", "organization", "area"
    )


def proxies_of(user: User) -> QuerySet[Proxy]:
    return Proxy.objects.filter(user=user, revoked_at__isnull=True).select_related("person")
