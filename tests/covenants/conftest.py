"""The neighbourhood of tests/notices (estate 滨江花园 in community A1, residents with and
without accounts), community staff, and the decisions a covenant is adopted by: meetings and
owners' votes recorded as deliberation stores them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequtong.core.models import Area, User
from shequtong.covenants.models import Covenant, CovenantVersion
from shequtong.covenants.services import covenant_create, version_consult, version_draft
from shequtong.covenants.services import version_edit as edit
from shequtong.deliberation.models import Meeting, Vote
from shequtong.registry.models import Estate
from tests.notices import conftest as neighbourhood

# The neighbourhood's fixtures, shared rather than copied.
_sms_log = neighbourhood._sms_log
place = neighbourhood.place
staff = neighbourhood.staff

TEXT = "第一条 爱护公共设施。\n第二条 垃圾分类投放。\n第三条 邻里互助。"


def meeting(
    area: Area, *, kind: str = "residents", passed: bool = True, held: bool = True, **extra
) -> Meeting:
    """A meeting as `meeting_record` leaves it: held, with the rule's outcome."""
    return Meeting.objects.create(
        area=area,
        kind=kind,
        title=extra.pop("title", "居民会议"),
        starts_at=extra.pop("starts_at", timezone.now()),
        place="社区活动室",
        held=held,
        outcome={"passed": passed, "failed": [] if passed else ["到会居民"]} if held else None,
        **extra,
    )


def vote(
    estate: Estate, *, matter: str = "rules", passed: bool = True, status: str = "closed"
) -> Vote:
    """An owners' vote as `vote_close` leaves it, its tally published."""
    now = timezone.now()
    return Vote.objects.create(
        estate=estate,
        area=estate.area,
        title="修订管理规约",
        matter=matter,
        opens_at=now,
        closes_at=now + timedelta(days=7),
        status=status,
        result={"passed": passed} if status == "closed" else None,
    )


def consulting(actor: User, covenant: Covenant, *, days: int = 7) -> CovenantVersion:
    version = version_draft(actor=actor, covenant=covenant, blank=True)
    edit(actor=actor, version=version, text=TEXT)
    return version_consult(
        actor=actor, version=version, until=timezone.localdate() + timedelta(days=days)
    )


def end_consultation(version: CovenantVersion) -> CovenantVersion:
    """The consultation's last day was yesterday."""
    yesterday = timezone.localdate() - timedelta(days=1)
    CovenantVersion.objects.filter(pk=version.pk).update(consult_until=yesterday)
    version.refresh_from_db()
    return version


@pytest.fixture
def covenant(tree, staff) -> Covenant:
    return covenant_create(
        actor=staff, kind="residents", title="甲一社区居民公约", area=tree.comm_a1
    )


@pytest.fixture
def estate_covenant(place, staff) -> Covenant:
    return covenant_create(
        actor=staff, kind="estate", title="滨江花园管理规约", estate=place.estate
    )
