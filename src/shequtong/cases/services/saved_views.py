"""A staff member's saved case-list filters."""

from __future__ import annotations

from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import User

from ..models import (
    SavedView,
)


def saved_view_save(*, actor: User, name: str, query: str) -> SavedView:
    """Keep the list's filters under a name (saving the same name again replaces it)."""
    name = name.strip()[:40]
    if not name:
        raise DomainError("invalid", "请为视图命名", {"name": ["必填"]})
    kept = "&".join(p for p in query.split("&") if p and not p.startswith(("page=", "export=")))
    view, _ = SavedView.objects.update_or_create(
        user=actor, name=name, defaults={"query": kept[:500]}
    )
    return view


def saved_view_delete(*, actor: User, view: SavedView) -> None:
    if view.user_id != actor.pk:
        raise PermissionDeniedError("只能删除自己的视图")
    view.delete()
