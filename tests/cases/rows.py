"""Case rows spread over the fixture tree, for the isolation matrix (tests/core)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from shequtong.cases.choices import CaseSource, SummonsRole
from shequtong.cases.models import Case, Category, SavedView, Summons
from shequtong.core.models import Department, Notification, User
from tests.core.factories import AreaTree


def rows_case(tree: AreaTree, viewer: User) -> None:
    """A case in every area; each department is summoned to one grid case only (departments
    dealt round the four grid cases), so a department handler sees what was summoned to their
    department and not the other cases of their area."""
    category = Category.objects.get(code="hazard-fire-escape")
    cases = [
        Case.objects.create(
            area=area,
            category=category,
            source=CaseSource.PATROL,
            description=f"{area.name}楼道堆物",
        )
        for area in tree.all
    ]
    grid_cases = [case for case in cases if case.area.level == "grid"]
    respond_by = timezone.now() + timedelta(days=1)
    Summons.objects.bulk_create(
        Summons(
            case=grid_cases[i % len(grid_cases)],
            department=department,
            role=SummonsRole.LEAD,
            respond_by=respond_by,
        )
        for i, department in enumerate(Department.objects.order_by("pk"))
    )


def rows_category(tree: AreaTree, viewer: User) -> None:
    """The default tree is loaded by a migration; global configuration."""


def rows_savedview(tree: AreaTree, viewer: User) -> None:
    other = User.objects.create(username="viewer2", display_name="viewer2")
    SavedView.objects.bulk_create(
        SavedView(user=u, name=f"视图{i}", query="status=open")
        for u in (viewer, other)
        for i in range(2)
    )


def rows_notification(tree: AreaTree, viewer: User) -> None:
    other = User.objects.create(username="notified", display_name="notified")
    Notification.objects.bulk_create(
        Notification(user=u, title=f"通知{i}") for u in (viewer, other) for i in range(2)
    )


ROWS: dict[str, Callable[[AreaTree, User], None]] = {
    "cases.case": rows_case,
    "cases.category": rows_category,
    "cases.savedview": rows_savedview,
    "core.notification": rows_notification,
}
