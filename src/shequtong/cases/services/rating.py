"""The resident's rating, which closes a case or sends it back."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import User

from ..choices import (
    CaseStatus,
    CategoryKind,
    Rating,
)
from ..models import (
    Case,
)
from .steps import _dispatch_notice, _locked, _step, reporters


@transaction.atomic
def case_rate(*, actor: User, case: Case, rating: str, comment: str = "") -> Case:
    """The reporter rates a resolved case. Unsatisfied within the reopen window sends it back
    to its handler; otherwise the rating closes it."""
    case = _locked(case)
    if actor.pk not in {u.pk for u in reporters(case)}:
        raise PermissionDeniedError("只有反映人可以评价")
    if rating not in Rating.values:
        raise DomainError("invalid", "请选择评价", {"rating": ["请选择满意、基本满意或不满意"]})
    if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED) or case.resolved_at is None:
        raise DomainError("invalid_transition", "事件办结后才能评价")
    if case.rated_at is not None and case.rated_at >= case.resolved_at:  # once per resolution
        raise DomainError("invalid_transition", "您已评价过该事件")
    window = timedelta(days=settings.SHEQUTONG_REOPEN_DAYS)
    now = timezone.now()
    before = case.status
    case.rating, case.rating_comment, case.rated_at = rating, comment.strip()[:500], now
    if rating == Rating.UNSATISFIED and now - case.resolved_at <= window:
        case.status, case.resolved_at = CaseStatus.IN_PROGRESS, None
        case.reopen_count += 1
        action, label = "reopen", "居民不满意，重新办理"
    else:
        action, label = "rate", f"居民评价：{Rating(rating).label}"
        # A hazard stays open for its acceptance check; anything else the rating closes.
        if case.category.kind != CategoryKind.HAZARD:
            case.status, case.closed_at = CaseStatus.CLOSED, case.closed_at or now
    case.save()
    _step(case, actor, action, label, before, case.status, note=case.rating_comment)
    if action == "reopen":
        _dispatch_notice(case)
    return case
