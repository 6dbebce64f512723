"""三务公开 as its users live it: the community seats a resident on its 居务监督委员会, drafts this
quarter's 财务 board with a line and a scanned voucher and submits it; the member signs it off on
a 390 px phone; the community publishes it; a resident of the community reads it (and downloads
the voucher) on the phone, and a resident of another community finds nothing of it."""

from __future__ import annotations

import logging
import re

import pytest

from shequtong.accounts.services import claim_submit
from shequtong.core.choices import Role
from shequtong.core.demo import DEMO_PASSWORD
from shequtong.notices.models import Disclosure, Supervisor
from shequtong.registry.services import PersonData, person_create
from tests.core.factories import GrantedUserFactory, build_area_tree
from tests.registry.factories import id_number
from tests.volunteering.helpers import sign_in as code_sign_in

from .conftest import screenshot
from .test_phone import PHONE, WIDTH
from .test_roles import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
CODE = re.compile(r"验证码 (\d{6})")
VOUCHER = b"%PDF-1.4\n% the quarter's vouchers, scanned\n"


def phone_for(new_page, live_server, caplog, phone: str, landing: str):
    """A resident's phone at 390 px, signed in by SMS code, on `landing`."""
    _, page = new_page(**PHONE)
    page.goto(f"{live_server.url}/m/login/?next={landing}")
    page.get_by_label("手机号").fill(phone)
    caplog.clear()
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_text("验证码已发送").wait_for()
    page.get_by_label("验证码").fill(CODE.search(caplog.text).group(1))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}{landing}")
    return page


def fits(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    screenshot(page, name)
    assert page.evaluate(WIDTH) <= 390


def test_a_finance_board_is_signed_on_a_phone_published_and_read_by_its_residents(
    new_page, live_server, caplog, tmp_path
):
    caplog.set_level(logging.INFO, logger="shequtong.accounts.services")
    tree = build_area_tree()
    staff = GrantedUserFactory(role=Role.COMMUNITY_STAFF, area=tree.comm_a1, username="board_staff")
    staff.set_password(DEMO_PASSWORD)
    staff.save()
    accounts = {}
    for n, (name, area, phone) in enumerate(
        [
            ("李秀兰", tree.grid_a1a, "13955560001"),  # the 监委会 member
            ("张建国", tree.grid_a1b, "13955560002"),  # a resident of 甲一社区
            ("赵丽华", tree.grid_b1a, "13955560003"),  # a resident of 乙一社区
        ]
    ):
        person = person_create(
            actor=None,
            data=PersonData(name=name, id_number=id_number(5300 + n)),
            dwelling=None,
            area=area,
        )
        account = code_sign_in(phone, caplog)
        claim_submit(user=account, name=person.name, id_number=person.id_number, community=None)
        accounts[name] = account

    # The community seats 李秀兰 on its 居务监督委员会.
    _, desk = new_page(viewport={"width": 1280, "height": 860})
    sign_in(desk, live_server, "board_staff")
    desk.goto(f"{live_server.url}/console/disclosures/supervisors/")
    desk.get_by_label("成员账号").select_option(label="李秀兰（居民）")
    desk.get_by_role("button", name="登记").click()
    desk.get_by_text("已登记李秀兰为监委会委员").wait_for()
    assert Supervisor.objects.get().user == accounts["李秀兰"]

    # It drafts this quarter's 财务 board with a line and the vouchers, and submits it.
    desk.goto(f"{live_server.url}/console/disclosures/")
    desk.get_by_role("link", name="编制公开").click()
    form = desk.locator("#disclosure-form")
    form.get_by_label("社区").select_option(label="甲一社区")
    form.get_by_label("公开类别").select_option("finance")
    form.get_by_label("公开期间").fill("2026年第4季度")
    form.get_by_label("标题").fill("2026年第四季度财务收支公开")
    desk.get_by_role("button", name="保存草稿").click()
    desk.get_by_text("草稿已建立").wait_for()
    board = Disclosure.objects.get()
    items = desk.locator("#item-form")
    items.get_by_label("事项").fill("老旧小区楼道照明维修")
    items.get_by_label("收支").select_option("expense")
    items.get_by_label("金额（元）").fill("3865.50")
    items.get_by_role("button", name="添加明细").click()
    desk.get_by_text("明细已添加").wait_for()
    voucher = tmp_path / "收支凭证.pdf"
    voucher.write_bytes(VOUCHER)
    desk.locator("#attach-form input[type=file]").set_input_files(str(voucher))
    desk.get_by_role("button", name="上传附件").click()
    desk.get_by_text("附件已上传").wait_for()
    assert "3,865.50 元" in desk.locator("#totals").inner_text()
    desk.get_by_role("button", name="提交监委会审核").click()
    desk.get_by_text("已提交居务监督委员会审核").wait_for()
    assert desk.locator("#status").inner_text() == "待监委会审核"

    # 李秀兰 signs it off on her phone: from the portal's home to the board and its lines.
    member = phone_for(new_page, live_server, caplog, "13955560001", "/m/")
    member.locator("#portal-sign").get_by_role("link").click()
    member.locator(f"#sign-{board.pk}").click()
    member.get_by_text("老旧小区楼道照明维修").wait_for()
    assert "-3,865.50 元" in member.locator("#totals").inner_text()
    fits(member, "disclosures-phone-sign")
    member.get_by_role("button", name="签字同意公开").click()
    member.get_by_text("已签字同意公开").wait_for()
    board.refresh_from_db()
    assert board.status == "signed_off" and board.signed_by.user == accounts["李秀兰"]

    # The community publishes it.
    desk.reload()
    desk.get_by_role("button", name="向居民公开").click()
    desk.get_by_text("已公开，本社区居民可在手机上查看").wait_for()

    # 张建国 of 甲一社区 reads it on his phone and downloads the vouchers.
    reader = phone_for(new_page, live_server, caplog, "13955560002", "/m/")
    reader.get_by_role("link", name=re.compile("三务公开")).click()
    reader.locator(f"#disclosure-{board.pk}").click()
    reader.get_by_text("老旧小区楼道照明维修").wait_for()
    assert "3,865.50 元" in reader.locator("#totals").inner_text()
    fits(reader, "disclosures-phone-board")
    with reader.expect_download() as downloaded:
        reader.get_by_role("link", name="收支凭证.pdf").click()
    assert downloaded.value.suggested_filename == "收支凭证.pdf"
    assert downloaded.value.path().read_bytes() == VOUCHER

    # 赵丽华 of 乙一社区 finds nothing of it, not even by its address.
    outsider = phone_for(new_page, live_server, caplog, "13955560003", "/m/disclosures/")
    assert outsider.locator(f"#disclosure-{board.pk}").count() == 0
    assert "本社区还没有公开的" in outsider.content()
    fits(outsider, "disclosures-phone-other-community")
    attachment = board.attachments.get()
    assert outsider.request.get(f"{live_server.url}/m/disclosures/{board.pk}/").status == 404
    assert (
        outsider.request.get(f"{live_server.url}/m/disclosures/files/{attachment.pk}/").status
        == 404
    )

    # The console's pages fit a phone as well.
    _, small = new_page(**PHONE)
    sign_in(small, live_server, "board_staff")
    for path, name in (
        ("/console/disclosures/", "disclosures-console-phone-list"),
        (f"/console/disclosures/{board.pk}/", "disclosures-console-phone-board"),
        ("/console/disclosures/new/", "disclosures-console-phone-new"),
        ("/console/disclosures/supervisors/", "disclosures-console-phone-members"),
    ):
        small.goto(f"{live_server.url}{path}")
        fits(small, name)
