"""Covenants spread over the fixture tree, for the isolation matrix (tests/core): in every area
a 居民公约 with a version under consultation and a resident's comment on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from shequtong.core.models import User
from shequtong.covenants.models import Covenant, CovenantComment, CovenantVersion
from tests.core.factories import AreaTree
from tests.notices.rows import _people


def rows_covenant(tree: AreaTree, viewer: User) -> None:
    if Covenant.objects.filter(title="矩阵公约").exists():
        return
    covenants = Covenant.objects.bulk_create(
        Covenant(kind="residents", title="矩阵公约", area=area, area_path=area.path)
        for area in tree.all
    )
    until = timezone.localdate() + timedelta(days=7)
    versions = CovenantVersion.objects.bulk_create(
        CovenantVersion(
            covenant=c,
            number=1,
            text="第一条 矩阵",
            status="consulting",
            consult_until=until,
            area=c.area,
            area_path=c.area_path,
        )
        for c in covenants
    )
    by_area = {v.area_id: v for v in versions}
    CovenantComment.objects.bulk_create(
        CovenantComment(
            version=by_area[p.area_id], person=p, text="意见", area=p.area, area_path=p.area_path
        )
        for p in _people(tree)
    )


ROWS: dict[str, Callable[[AreaTree, User], None]] = {
    "covenants.covenant": rows_covenant,
    "covenants.covenantversion": rows_covenant,
    "covenants.covenantcomment": rows_covenant,
}
