"""A 居民公约 as its users live it: the community drafts it in the console and opens it for
comments, a resident comments on a 390 px phone, the staff answer, the consultation ends, a
居民代表会议 recorded as passed adopts it, the staff publish it, and the resident reads it on
/m/ — the neighbour's comment signed with the surname only (张**), never by name."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shequtong.accounts.services import claim_submit
from shequtong.core.choices import Role
from shequtong.core.demo import DEMO_PASSWORD
from shequtong.covenants.demo import passed_meeting
from shequtong.covenants.models import CovenantComment, CovenantVersion
from shequtong.registry.models import Building, Dwelling, Estate
from shequtong.registry.services import PersonData, person_create
from tests.core.factories import GrantedUserFactory, build_area_tree
from tests.registry.factories import id_number
from tests.volunteering.helpers import sign_in as code_sign_in

from .conftest import screenshot
from .test_phone import PHONE, WIDTH
from .test_roles import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
CODE = re.compile(r"验证码 (\d{6})")
TEXT = (
    "第一条 爱护公共设施，不在楼道堆放杂物。\n"
    "第二条 垃圾分类投放，不高空抛物。\n"
    "第三条 电动车不进楼入户，不飞线充电，到小区集中充电点充电，共同守护邻里平安。"
)


def test_a_covenant_is_consulted_on_a_phone_adopted_and_read(new_page, live_server, caplog):
    caplog.set_level(logging.INFO, logger="shequtong.accounts.services")
    tree = build_area_tree()
    staff = GrantedUserFactory(
        role=Role.COMMUNITY_STAFF, area=tree.comm_a1, username="covenant_staff"
    )
    staff.set_password(DEMO_PASSWORD)
    staff.save()
    estate = Estate.objects.create(name="滨江花园", area=tree.comm_a1)
    building = Building.objects.create(estate=estate, number="1栋", area=tree.grid_a1a)
    dwelling = Dwelling.objects.create(
        building=building, unit=1, number="101", floor=1, area=tree.grid_a1a
    )
    reader = person_create(
        actor=None, data=PersonData(name="张建国", id_number=id_number(5300)), dwelling=dwelling
    )
    account = code_sign_in("13955550031", caplog)
    claim_submit(user=account, name=reader.name, id_number=reader.id_number, community=None)

    # The community creates the covenant, drafts it and opens it for comments.
    _, desk = new_page(viewport={"width": 1280, "height": 860})
    sign_in(desk, live_server, "covenant_staff")
    desk.goto(f"{live_server.url}/console/covenants/")
    desk.locator("#id_kind").select_option("residents")
    desk.get_by_label("公约名称").fill("甲一社区居民公约")
    desk.locator("#id_area").select_option(label="甲一社区")
    desk.get_by_role("button", name="新建公约").click()
    desk.get_by_text("公约已创建，请起草第一版").wait_for()
    desk.get_by_role("button", name="从空白起草").click()
    desk.get_by_label("公约正文").fill(TEXT)
    desk.get_by_role("button", name="保存草案").click()
    desk.get_by_text("草案已保存").wait_for()
    until = timezone.localdate() + timedelta(days=7)
    desk.get_by_label("征求意见截止日期").fill(until.isoformat())
    desk.get_by_role("button", name="开始征求意见").click()
    desk.get_by_text("已开始征求意见").wait_for()
    version = CovenantVersion.objects.get()
    assert version.status == "consulting" and version.consult_until == until

    # The resident signs in on the phone and comments on clause 3.
    _, phone = new_page(**PHONE)
    phone.goto(f"{live_server.url}/m/login/?next=/m/covenants/")
    phone.get_by_label("手机号").fill("13955550031")
    caplog.clear()
    phone.get_by_role("button", name="获取验证码").click()
    phone.get_by_text("验证码已发送").wait_for()
    phone.get_by_label("验证码").fill(CODE.search(caplog.text).group(1))
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server.url}/m/covenants/")
    phone.get_by_text("第1版草案 · 征求意见中").click()
    phone.get_by_label("针对第几条（可不填）").fill("3")
    phone.get_by_label("我的意见").fill("建议写明集中充电点的位置和开放时间。")
    phone.get_by_role("button", name="提交意见").click()
    phone.get_by_text("意见已提交，社区答复后会通知您").wait_for()
    assert "第3条" in phone.locator("#comments").inner_text()
    phone.wait_for_load_state("networkidle")
    screenshot(phone, "covenants-phone-comment")
    assert phone.evaluate(WIDTH) <= 390
    comment = CovenantComment.objects.get()
    assert comment.person == reader and comment.clause == 3

    # The staff answer it; the consultation ends; they submit it.
    desk.reload()
    card = desk.locator(f"#comment-{comment.pk}")
    card.get_by_label("采纳情况").select_option("partly")
    card.get_by_label("答复及理由").fill("充电点位置将在小区公示，公约只写原则。")
    card.get_by_role("button", name="提交答复").click()
    desk.get_by_text("已答复").first.wait_for()
    CovenantVersion.objects.filter(pk=version.pk).update(
        consult_until=timezone.localdate() - timedelta(days=1)
    )
    desk.reload()
    desk.get_by_role("button", name="提请表决").click()
    desk.get_by_text("已提请表决").wait_for()

    # A 居民代表会议 is recorded as passed; the staff adopt and publish.
    held = passed_meeting(staff, tree.comm_a1, "第三次居民代表会议")
    desk.reload()
    desk.locator("#adopt-meeting").select_option(str(held.pk))
    desk.get_by_role("button", name="登记通过").click()
    desk.get_by_text("已登记通过，现行版本已更新").wait_for()
    desk.get_by_role("button", name="公布").click()
    desk.get_by_text("已公布，居民可在手机上查看，并已发布通知").wait_for()
    version.refresh_from_db()
    assert (version.status, version.adopted_by_meeting) == ("adopted", held)
    assert version.published_at is not None
    screenshot(desk, "covenants-console-version")

    # The resident reads the covenant in force on the phone.
    phone.goto(f"{live_server.url}/m/covenants/")
    phone.get_by_text("现行第1版").click()
    phone.get_by_text("共同守护邻里平安").wait_for()
    assert "经居民代表会议通过" in phone.locator("main").inner_text()
    answers = phone.locator("#comments").inner_text()
    assert "社区答复（部分采纳）" in answers and "张建国" not in answers
    phone.wait_for_load_state("networkidle")
    screenshot(phone, "covenants-phone-read")
    assert phone.evaluate(WIDTH) <= 390

    # The console's pages fit a grid worker's phone too.
    _, staff_phone = new_page(**PHONE)
    sign_in(staff_phone, live_server, "covenant_staff")
    for path in (
        f"/console/covenants/versions/{version.pk}/",
        f"/console/covenants/{version.covenant_id}/",
        "/console/covenants/",
    ):
        staff_phone.goto(f"{live_server.url}{path}")
        staff_phone.wait_for_load_state("networkidle")
        assert staff_phone.evaluate(WIDTH) <= 390, path
    screenshot(staff_phone, "covenants-console-phone")
