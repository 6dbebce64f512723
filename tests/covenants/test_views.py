"""The covenant pages: staff run a version from the console, residents read and comment on
/m/; nobody reaches another community's covenant, a neighbour's comment never shows their
name, and bad input is a Chinese refusal, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shequtong.core.choices import Role
from shequtong.covenants.models import Covenant, CovenantComment, CovenantVersion
from shequtong.covenants.services import (
    comment_add,
    comment_answer,
    covenant_create,
    version_adopt,
    version_publish,
    version_submit,
)

from .conftest import consulting, end_consultation, meeting

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_create_draft_edit_and_consult_from_the_console(staff, tree):
    desk = client_for(staff)
    assert desk.get("/console/covenants/").status_code == 200
    created = desk.post(
        "/console/covenants/",
        {"kind": "residents", "title": "甲一社区居民公约", "area": tree.comm_a1.pk},
    )
    covenant = Covenant.objects.get()
    assert created.url == f"/console/covenants/{covenant.pk}/"
    drafted = desk.post(f"/console/covenants/{covenant.pk}/draft/", {"start": "blank"})
    version = CovenantVersion.objects.get()
    assert drafted.url == f"/console/covenants/versions/{version.pk}/edit/"
    base = f"/console/covenants/versions/{version.pk}/"
    assert desk.get(f"{base}edit/").status_code == 200
    desk.post(f"{base}edit/", {"text": "第一条 甲。\r\n第二条 乙。", "note": "首次"})
    assert CovenantVersion.objects.get().text == "第一条 甲。\n第二条 乙。"
    bad = desk.post(f"{base}consult/", {"until": "2026/13/40"})
    assert bad.status_code == 400
    assert "征求意见截止日期格式不对，应如 2026-12-31" in bad.content.decode()
    until = timezone.localdate() + timedelta(days=7)
    desk.post(f"{base}consult/", {"until": until.isoformat(), "publicity": "on"})
    version.refresh_from_db()
    assert (version.status, version.consult_until) == ("consulting", until)
    assert version.publicity is not None
    page = desk.get(base).content.decode()
    assert "征求意见中" in page and "提请表决" in page
    assert desk.get(f"{base}edit/").status_code == 302  # no longer a draft
    assert desk.get(f"/console/covenants/{covenant.pk}/").status_code == 200


def test_the_list_page_costs_the_same_queries_for_more_covenants(
    staff, tree, place, django_assert_num_queries
):
    desk = client_for(staff)
    first = covenant_create(actor=staff, kind="residents", title="居民公约", area=tree.comm_a1)
    consulting(staff, first)
    desk.get("/console/covenants/")
    with django_assert_num_queries(11):
        desk.get("/console/covenants/")
    for n in range(3):
        estate = place.estate.__class__.objects.create(name=f"小区{n}", area=tree.comm_a1)
        covenant_create(actor=staff, kind="estate", title=f"规约{n}", estate=estate)
    with django_assert_num_queries(11):
        page = desk.get("/console/covenants/").content.decode()
    assert page.count("规约") >= 3 and "第1版 · 征求意见中" in page


def test_staff_of_another_community_and_a_grid_worker_get_404(staff, covenant, tree, user_with):
    version = consulting(staff, covenant)
    outsider = client_for(user_with(Role.COMMUNITY_STAFF, tree.comm_b1))
    for url in (
        f"/console/covenants/{covenant.pk}/",
        f"/console/covenants/versions/{version.pk}/",
        f"/console/covenants/versions/{version.pk}/diff/",
    ):
        assert outsider.get(url).status_code == 404
    assert outsider.post(f"/console/covenants/versions/{version.pk}/submit/").status_code == 404
    # A grid worker's grant covers their grid's rows; a covenant is the whole community's.
    worker = client_for(user_with(Role.GRID_WORKER, tree.grid_a1a))
    assert "甲一社区居民公约" not in worker.get("/console/covenants/").content.decode()
    assert worker.get(f"/console/covenants/versions/{version.pk}/").status_code == 404
    refused = worker.post(f"/console/covenants/versions/{version.pk}/withdraw/", {"reason": "x"})
    assert refused.status_code == 404
    assert CovenantVersion.objects.get().status == "consulting"


def test_adopting_names_the_meeting_and_refuses_one_out_of_reach(staff, covenant, tree):
    version = end_consultation(consulting(staff, covenant))
    version_submit(actor=staff, version=version)
    desk = client_for(staff)
    page = f"/console/covenants/versions/{version.pk}/"
    ours = meeting(tree.comm_a1, title="甲一居民会议")
    theirs = meeting(tree.comm_b1, title="乙一居民会议")
    failed = meeting(tree.comm_a1, title="没通过的会", passed=False)
    offered = desk.get(page).content.decode()
    assert "甲一居民会议" in offered and "乙一居民会议" not in offered
    assert "没通过的会" not in offered
    far = desk.post(f"{page}adopt/", {"meeting": theirs.pk})
    assert far.status_code == 400 and "所选会议不存在或不在您的范围内" in far.content.decode()
    bad = desk.post(f"{page}adopt/", {"meeting": failed.pk})
    assert "「没通过的会」的表决未获通过" in bad.content.decode()
    assert desk.post(f"{page}adopt/", {"meeting": "abc"}).status_code == 400
    done = desk.post(f"{page}adopt/", {"meeting": ours.pk})
    assert done.status_code == 302
    version.refresh_from_db()
    assert (version.status, version.adopted_by_meeting) == ("adopted", ours)
    desk.post(f"{page}publish/")
    version.refresh_from_db()
    assert version.published_at is not None


def test_a_resident_reads_the_covenant_in_force_and_comments_on_the_draft(
    staff, covenant, tree, place
):
    first = end_consultation(consulting(staff, covenant))
    first = version_submit(actor=staff, version=first)
    first = version_adopt(actor=staff, version=first, meeting=meeting(tree.comm_a1))
    version_publish(actor=staff, version=first)
    from shequtong.covenants.services import version_consult, version_draft

    second = version_draft(actor=staff, covenant=covenant)
    second = version_consult(
        actor=staff, version=second, until=timezone.localdate() + timedelta(days=5)
    )
    neighbour = comment_add(
        actor=place.user("李四"), version=second, text="我是李四，住1栋102，电话13912345678"
    )
    comment_answer(
        actor=staff, comment=neighbour, disposition="partly", answer="李四的意见已部分采纳"
    )
    phone = client_for(place.user("张三"))
    listing = phone.get("/m/covenants/").content.decode()
    assert "现行第1版" in listing and "第2版草案 · 征求意见中" in listing
    assert "第一条 爱护公共设施。" in phone.get(f"/m/covenants/{first.pk}/").content.decode()
    draft = phone.get(f"/m/covenants/{second.pk}/").content.decode()
    shown = draft.split('id="comments"')[1]
    assert "李*" in shown and "社区答复（部分采纳）" in shown
    assert "李四" not in shown and "13912345678" not in shown and "102" not in shown
    sent = phone.post(f"/m/covenants/{second.pk}/", {"text": "建议第三条写具体", "clause": "3"})
    assert sent.status_code == 302
    mine = CovenantComment.objects.get(person=place.person("张三"))
    assert (mine.clause, mine.text) == (3, "建议第三条写具体")
    assert "<strong>我</strong>" in phone.get(f"/m/covenants/{second.pk}/").content.decode()
    bad = phone.post(f"/m/covenants/{second.pk}/", {"text": "x", "clause": "第三条"})
    assert bad.status_code == 400 and "条款序号应为整数" in bad.content.decode()


def test_a_resident_elsewhere_neither_reads_nor_comments(staff, covenant, tree, caplog):
    from shequtong.registry.models import Building, Estate
    from tests.notices.conftest import door, dweller

    version = consulting(staff, covenant)
    elsewhere = Estate.objects.create(name="乙一小区", area=tree.comm_b1)
    building = Building.objects.create(estate=elsewhere, number="1栋", area=tree.grid_b1a)
    _, outsider = dweller(60, door(building, "101"), caplog, name="乙一居民")
    phone = client_for(outsider)
    assert "还没有公布公约" in phone.get("/m/covenants/").content.decode()
    assert phone.get(f"/m/covenants/{version.pk}/").status_code == 404
    assert phone.post(f"/m/covenants/{version.pk}/", {"text": "我也说"}).status_code == 404
    assert not CovenantComment.objects.exists()
    assert phone.get("/console/covenants/").status_code == 403


def test_the_diff_page_compares_with_the_version_drafted_from(staff, covenant, tree):
    first = end_consultation(consulting(staff, covenant))
    first = version_submit(actor=staff, version=first)
    first = version_adopt(actor=staff, version=first, meeting=meeting(tree.comm_a1))
    from shequtong.covenants.services import version_draft, version_edit

    second = version_draft(actor=staff, covenant=covenant)
    version_edit(actor=staff, version=second, text=second.text.replace("邻里互助", "邻里<互助>"))
    desk = client_for(staff)
    page = desk.get(f"/console/covenants/versions/{second.pk}/diff/").content.decode()
    assert "第1版 → 第2版" in page
    assert "<mark>&lt;</mark>" in page and "邻里<互助>" not in page
    other = desk.get(f"/console/covenants/versions/{second.pk}/diff/?against={second.pk + 99}")
    assert other.status_code == 404
    assert desk.get(f"/console/covenants/versions/{second.pk}/diff/?against=x").status_code == 400
