"""A building notice as its users live it: the community posts it to 1栋 from the console, a
resident of 1栋 signs in on a 390 px phone and reads it (marked unread until then), and the
staff's unread list then names the neighbours who have not read it — not the reader."""

from __future__ import annotations

import logging
import re

import pytest

from shequtong.accounts.services import claim_submit
from shequtong.core.choices import Role
from shequtong.core.demo import DEMO_PASSWORD
from shequtong.notices.models import Notice, NoticeRead
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


def test_a_building_notice_is_read_on_a_phone_and_the_unread_are_listed(
    new_page, live_server, caplog
):
    caplog.set_level(logging.INFO, logger="shequtong.accounts.services")
    tree = build_area_tree()
    staff = GrantedUserFactory(
        role=Role.COMMUNITY_STAFF, area=tree.comm_a1, username="notice_staff"
    )
    staff.set_password(DEMO_PASSWORD)
    staff.save()
    estate = Estate.objects.create(name="滨江花园", area=tree.comm_a1)
    b1 = Building.objects.create(estate=estate, number="1栋", area=tree.grid_a1a)
    b2 = Building.objects.create(estate=estate, number="2栋", area=tree.grid_a1a)
    people = {}
    for n, (name, building, number) in enumerate(
        [("张建国", b1, "101"), ("李秀兰", b1, "102"), ("王海峰", b1, "201"), ("赵丽华", b2, "101")]
    ):
        dwelling = Dwelling.objects.create(
            building=building, unit=1, number=number, floor=int(number[0]), area=building.area
        )
        people[name] = person_create(
            actor=None,
            data=PersonData(name=name, id_number=id_number(5100 + n)),
            dwelling=dwelling,
        )
    reader = people["张建国"]
    account = code_sign_in("13955550001", caplog)
    claim_submit(user=account, name=reader.name, id_number=reader.id_number, community=None)

    # The community posts the notice to 1栋.
    _, desk = new_page(viewport={"width": 1280, "height": 860})
    sign_in(desk, live_server, "notice_staff")
    desk.goto(f"{live_server.url}/console/notices/new/")
    desk.get_by_label("标题", exact=True).fill("1栋停水通知")
    desk.get_by_label("正文", exact=True).fill("12月6日 9:00-17:00 1栋管道检修停水，请提前储水。")
    desk.locator("#id_audience").select_option("building")
    desk.locator("#id_building").select_option(label="滨江花园1栋")
    desk.get_by_role("button", name="发布").click()
    desk.get_by_text("通知已发布，已提醒有账号的居民").wait_for()
    notice = Notice.objects.get(title="1栋停水通知")
    assert "已读 0 / 3 人" in desk.locator("#read-count").inner_text()

    # The resident of 1栋 signs in on the phone and reads it.
    _, phone = new_page(**PHONE)
    phone.goto(f"{live_server.url}/m/login/?next=/m/notices/")
    phone.get_by_label("手机号").fill("13955550001")
    caplog.clear()
    phone.get_by_role("button", name="获取验证码").click()
    phone.get_by_text("验证码已发送").wait_for()
    phone.get_by_label("验证码").fill(CODE.search(caplog.text).group(1))
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server.url}/m/notices/")
    item = phone.locator(f"#notice-{notice.pk}")
    assert "未读" in item.inner_text()
    phone.wait_for_load_state("networkidle")
    screenshot(phone, "notices-phone-list")
    assert phone.evaluate(WIDTH) <= 390
    item.click()
    phone.get_by_text("请提前储水").wait_for()
    phone.wait_for_load_state("networkidle")
    screenshot(phone, "notices-phone-notice")
    assert phone.evaluate(WIDTH) <= 390
    assert NoticeRead.objects.filter(notice=notice, person=reader).count() == 1
    phone.go_back()
    phone.reload()
    assert "未读" not in phone.locator(f"#notice-{notice.pk}").inner_text()

    # The staff's unread list: the two neighbours of 1栋, not the reader, not 2栋.
    desk.reload()
    assert "已读 1 / 3 人" in desk.locator("#read-count").inner_text()
    unread = desk.locator("#unread").inner_text()
    assert "李秀兰" in unread and "王海峰" in unread
    assert "张建国" not in unread and "赵丽华" not in unread
    screenshot(desk, "notices-console-unread")

    # The console page also fits a grid worker's phone.
    _, worker_phone = new_page(**PHONE)
    sign_in(worker_phone, live_server, "notice_staff")
    worker_phone.goto(f"{live_server.url}/console/notices/{notice.pk}/")
    worker_phone.wait_for_load_state("networkidle")
    screenshot(worker_phone, "notices-console-phone")
    assert worker_phone.evaluate(WIDTH) <= 390
