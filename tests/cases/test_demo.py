"""The demo cases: in every community, each at a different point of its life."""

from __future__ import annotations

import pytest

from shequtong.cases.choices import CaseStatus, DeadlineState, HandlerLevel, SummonsStatus
from shequtong.cases.demo import STORIES
from shequtong.cases.models import Case
from shequtong.core.choices import AreaLevel
from shequtong.core.demo import seed_demo
from shequtong.core.models import Area

pytestmark = pytest.mark.django_db


def test_every_community_gets_cases_at_every_stage():
    seed_demo()
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY)
    for community in communities:
        cases = Case.objects.filter(area_path__startswith=community.path)
        assert cases.count() == len(STORIES)
        assert not cases.filter(lon__isnull=True).exists()  # placed inside their grids
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED} <= statuses
    assert CaseStatus.CLOSED in statuses  # rated by the demo resident
    overdue = Case.objects.filter(deadline_state=DeadlineState.OVERDUE)
    assert overdue.count() == communities.count()
    assert set(overdue.values_list("handler_level", flat=True)) == {HandlerLevel.COMMUNITY}
    summoned = Case.objects.filter(summonses__status=SummonsStatus.ACCEPTED)
    assert summoned.exists() and all(c.status == CaseStatus.IN_PROGRESS for c in summoned)


def test_the_demo_disputes_were_mediated_between_named_parties():
    """A resolved demo dispute once had no parties and no mediation."""
    seed_demo()
    disputes = Case.objects.filter(category__code="dispute-neighbour")
    assert disputes.count() == Area.objects.filter(level=AreaLevel.COMMUNITY).count()
    for case in disputes.select_related("dispute"):
        assert case.status == CaseStatus.RESOLVED
        assert case.dispute.parties.count() == 2 and case.dispute.sessions.count() == 1
        assert case.dispute.outcome == "mediated" and case.dispute.agreement
