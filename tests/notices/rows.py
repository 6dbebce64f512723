"""Notices, publicity and 三务公开 spread over the fixture tree, for the isolation matrix
(tests/core): in every area a notice of the community's own and one of each of the area's two
organisations (tests/volunteering/rows: the ORG_STAFF viewer acts for "队伍"), a read, a
publicity with a comment, a 监委会 member and a board with an attachment and a finance line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from shequtong.core.models import User
from shequtong.notices.models import (
    Disclosure,
    DisclosureAttachment,
    FinanceItem,
    Notice,
    NoticeRead,
    Publicity,
    PublicityComment,
    Supervisor,
)
from shequtong.registry.models import Person
from shequtong.registry.services import PersonData, person_create
from tests.core.factories import AreaTree, UserFactory
from tests.registry.factories import id_number
from tests.volunteering.rows import OURS, THEIRS, _orgs


def _people(tree: AreaTree) -> list[Person]:
    found = list(Person.objects.filter(name="公告居民").order_by("pk"))
    if found:
        return found
    return [
        person_create(
            actor=None,
            data=PersonData(name="公告居民", id_number=id_number(8600 + i)),
            dwelling=None,
            area=area,
        )
        for i, area in enumerate(tree.all)
    ]


def rows_notice(tree: AreaTree, viewer: User) -> None:
    if Notice.objects.filter(title="矩阵通知").exists():
        return
    orgs = _orgs(tree)
    now = timezone.now()
    notices = []
    for area in tree.all:
        for org in (None, orgs[(OURS, area.pk)], orgs[(THEIRS, area.pk)]):
            notices.append(
                Notice(
                    title="矩阵通知",
                    body="内容",
                    audience="community",
                    organization=org,
                    status="published" if org is None else "pending",
                    published_at=now if org is None else None,
                    area=area,
                    area_path=area.path,
                )
            )
    Notice.objects.bulk_create(notices)
    ours = {n.area_id: n for n in Notice.objects.filter(title="矩阵通知", organization=None)}
    NoticeRead.objects.bulk_create(
        NoticeRead(notice=ours[p.area_id], person=p, area=p.area, area_path=p.area_path)
        for p in _people(tree)
    )


def rows_publicity(tree: AreaTree, viewer: User) -> None:
    if Publicity.objects.filter(title="矩阵公示").exists():
        return
    now = timezone.now()
    made = Publicity.objects.bulk_create(
        Publicity(
            title="矩阵公示",
            body="内容",
            starts_at=now,
            ends_at=now + timedelta(days=7),
            area=area,
            area_path=area.path,
        )
        for area in tree.all
    )
    by_area = {p.area_id: p for p in made}
    PublicityComment.objects.bulk_create(
        PublicityComment(
            publicity=by_area[p.area_id], person=p, text="意见", area=p.area, area_path=p.area_path
        )
        for p in _people(tree)
    )


def rows_disclosure(tree: AreaTree, viewer: User) -> None:
    if Disclosure.objects.filter(title="矩阵公开").exists():
        return
    member = UserFactory(username="notices-supervisor")
    seats = Supervisor.objects.bulk_create(
        Supervisor(user=member, name="监委", area=area, area_path=area.path) for area in tree.all
    )
    made = Disclosure.objects.bulk_create(
        Disclosure(
            board="finance",
            period="2026-Q4",
            title="矩阵公开",
            status="published",
            signed_by=seat,
            area=seat.area,
            area_path=seat.area_path,
        )
        for seat in seats
    )
    for board in made:
        attachment = DisclosureAttachment(
            disclosure=board, name="凭证.pdf", size=8, area=board.area, area_path=board.area_path
        )
        attachment.file.save("凭证.pdf", ContentFile(b"%PDF-1.4"), save=False)
        attachment.save()
    FinanceItem.objects.bulk_create(
        FinanceItem(
            disclosure=board,
            description="办公用品",
            direction="expense",
            amount=12800,
            area=board.area,
            area_path=board.area_path,
        )
        for board in made
    )


ROWS: dict[str, Callable[[AreaTree, User], None]] = {
    "notices.notice": rows_notice,
    "notices.noticeread": rows_notice,
    "notices.publicity": rows_publicity,
    "notices.publicitycomment": rows_publicity,
    "notices.supervisor": rows_disclosure,
    "notices.disclosure": rows_disclosure,
    "notices.disclosureattachment": rows_disclosure,
    "notices.financeitem": rows_disclosure,
}
