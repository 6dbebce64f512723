"""The timeline's steps and who is told: every move writes one step (with its audit entry and
photos) in its transaction, under the case's row lock, and notifies after commit."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.files.base import ContentFile

from shequtong.core.audit import audit_entry, audit_record_many
from shequtong.core.choices import Role
from shequtong.core.errors import NotFoundError
from shequtong.core.models import AuditEntry, User
from shequtong.core.notify import Message, notify
from shequtong.core.selectors import users_granted

from .. import workflow
from ..choices import (
    HandlerLevel,
)
from ..models import (
    Case,
    CasePhoto,
    CaseStep,
)


def _save_photo(case: Case, step: CaseStep | None, stage: str, photo: Any) -> CasePhoto:
    stem = uuid.uuid4().hex
    row = CasePhoto(case=case, step=step, stage=stage, width=photo.width, height=photo.height)
    row.image.save(f"{stem}.{photo.extension}", ContentFile(photo.content), save=False)
    row.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(photo.thumbnail), save=False)
    row.save()
    return row


def _step(*args: Any, **kwargs: Any) -> CaseStep:
    """A timeline step (`_new_step`'s arguments), saved and audited."""
    step = _new_step(*args, **kwargs)
    step.save()
    audit_record_many([_audit_of(step)])
    return step


def _audit_of(step: CaseStep) -> AuditEntry:
    """The audit entry of a timeline step, not yet written: the move, the state it left and
    reached and what it named (level, assignee, departments); never the free-text note, which
    may quote the resident."""
    changes: dict[str, Any] = {key: [None, value] for key, value in step.data.items()}
    if step.from_status != step.to_status:
        changes["status"] = [step.from_status or None, step.to_status]
    return audit_entry(
        actor=step.actor, action=f"case.{step.action}", obj=step.case, changes=changes
    )


def _new_step(
    case: Case,
    actor: User | None,
    action: str,
    label: str,
    before: str,
    after: str,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CaseStep:
    return CaseStep(
        case=case,
        action=action,
        label=label,
        from_status=before,
        to_status=after,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=(actor.display_name or actor.get_username())
        if actor is not None and actor.pk
        else "系统",
        note=note,
        data=data or {},
    )


# --- who is told ----------------------------------------------------------------------------


def holders(case: Case) -> list[User]:
    """The people who hold the case at its level: its assignee, or everyone granted there."""
    if case.assignee_id and case.handler_level in (HandlerLevel.GRID, HandlerLevel.COMMUNITY):
        return [case.assignee]
    if case.handler_level == HandlerLevel.DEPARTMENT:
        return users_granted(
            roles=workflow.HOLDERS[case.handler_level],
            area_path=case.area_path,
            department_ids=workflow.live_departments(case),
        )
    # At grid level the grid workers are told; the community staff see it in their lists.
    roles = {Role.GRID_WORKER} if case.handler_level == HandlerLevel.GRID else None
    return users_granted(
        roles=roles or workflow.HOLDERS[case.handler_level], area_path=case.area_path
    )


def reporters(case: Case) -> list[User]:
    """The reporter and the reporters of every report merged into this case."""
    people = [case.reporter] if case.reporter_id else []
    people += [d.reporter for d in case.duplicates.select_related("reporter") if d.reporter_id]
    return people


def _dispatch_notice(case: Case) -> None:
    notify(*_dispatch_message(case))


def _dispatch_message(case: Case) -> tuple[list[User], Message]:
    """Whoever now holds the case is told of it."""
    message = Message.plain(
        f"新事件 {case.number}：{case.category.name}",
        case.description[:100],
        case.get_absolute_url(),
    )
    return holders(case), message


def _tell_reporters(case: Case, title: str, body: str = "") -> None:
    from django.urls import reverse

    notify(reporters(case), Message.plain(title, body, reverse("cases:my_case", args=[case.pk])))


# --- the row lock every move takes ----------------------------------------------------------


def _locked(case: Case) -> Case:
    try:
        return (
            Case.objects.select_for_update(of=("self",)).select_related("category").get(pk=case.pk)
        )
    except Case.DoesNotExist as exc:
        raise NotFoundError() from exc


def grant_users(case: Case, roles: frozenset[str]) -> list[User]:
    """Everyone granted one of `roles` over the case's area (or an area above it)."""
    return users_granted(roles=roles, area_path=case.area_path)
