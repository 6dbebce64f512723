"""The volunteering tour, as the issue's users walk it: a resident signs up on a phone, claims
their record, applies as a volunteer and is approved; signs up for an activity, checks in by the
venue's QR code, is confirmed for two hours, sees the hours and coins, spends coins in the
爱心超市, downloads the certificate, and a stranger verifies it; the community's numbers move.
Every /m/ page is checked at 390 px."""

from __future__ import annotations

import logging
import re

import pytest

from shequtong.core.demo import seed_demo
from shequtong.registry.models import Person
from shequtong.volunteering.models import Activity, Certificate

from .conftest import open_nav, screenshot
from .test_phone import PHONE, WIDTH
from .test_roles import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
CODE = re.compile(r"验证码 (\d{6})")


def fits(page, name: str, too_wide: dict[str, int]) -> None:
    page.wait_for_load_state("networkidle")
    screenshot(page, f"volunteer-{name}")
    if (width := page.evaluate(WIDTH)) > 390:
        too_wide[name] = width


def participation(page) -> str:
    return page.locator("#participation .card .label").first.inner_text()


def test_a_resident_becomes_a_volunteer_and_is_served_end_to_end(new_page, live_server, caplog):
    caplog.set_level(logging.INFO, logger="shequtong.accounts.services")
    seed_demo()
    live = Activity.objects.get(title="社区环境清洁日", area__name="杨家坪社区")
    me = (
        Person.objects.filter(area_path__startswith=live.area_path, status="active", claims=None)
        .filter(volunteer=None, birth_date__year__range=(1960, 2000))
        .order_by("pk")
        .first()
    )
    too_wide: dict[str, int] = {}
    _, phone = new_page(**PHONE)
    _, desk = new_page(viewport={"width": 1280, "height": 860})
    sign_in(desk, live_server, "community_yangjiaping_01")
    before = participation(desk)

    # Sign in on the phone by SMS code: the portal's tile leads to the sign-in.
    phone.goto(f"{live_server.url}/m/")
    fits(phone, "门户", too_wide)
    phone.get_by_role("link", name=re.compile("志愿服务")).click()
    phone.get_by_label("手机号").fill("13911112222")
    caplog.clear()
    phone.get_by_role("button", name="获取验证码").click()
    phone.get_by_text("验证码已发送").wait_for()
    fits(phone, "登录", too_wide)
    code = CODE.search(caplog.text).group(1)
    phone.get_by_label("验证码").fill(code)
    phone.get_by_role("button", name="登录").click()

    # 实名认证 by name and ID number: the registry settles it at once.
    phone.get_by_label("姓名").wait_for()
    fits(phone, "实名认证", too_wide)
    phone.get_by_label("姓名").fill(me.name)
    phone.get_by_label("身份证号").fill(me.id_number)
    phone.get_by_role("button", name="提交认证").click()
    phone.get_by_text("实名认证成功").wait_for()

    # Apply as a volunteer.
    phone.get_by_role("link", name=re.compile("志愿服务")).click()
    phone.get_by_label("服务技能").fill("陪伴聊天")
    fits(phone, "注册志愿者", too_wide)
    phone.get_by_role("button", name="提交注册").click()
    phone.get_by_text("志愿者注册审核中").wait_for()

    # The community approves, from its console.
    open_nav(desk, "志愿者")
    row = desk.locator("tr", has_text=me.name)
    row.get_by_role("button", name="通过", exact=True).click()
    desk.get_by_text("已通过").wait_for()

    # Sign up for the activity under way, then check in by the venue's QR code.
    phone.reload()
    phone.get_by_role("link", name=re.compile("社区环境清洁日")).click()
    phone.get_by_role("button", name="报名参加").click()
    phone.get_by_text("报名成功").wait_for()
    fits(phone, "活动", too_wide)
    desk.goto(f"{live_server.url}/console/volunteering/activities/{live.pk}/venue/")
    scanned = desk.locator("#code").get_attribute("data-url")
    assert desk.locator("#code svg").count() == 1
    phone.goto(scanned)
    fits(phone, "扫码签到", too_wide)
    phone.get_by_role("button", name="确认签到").click()
    phone.get_by_text("签到成功").wait_for()

    # The organiser confirms two hours.
    desk.goto(f"{live_server.url}/console/volunteering/activities/{live.pk}/")
    row = desk.locator("#signups tr", has_text=me.name)
    row.get_by_label("服务时长（分钟）").fill("120")
    row.get_by_role("button", name="确认时长").click()
    desk.get_by_text("时长已确认").wait_for()

    # Hours and coins on the phone; coins spent in the 爱心超市.
    phone.goto(f"{live_server.url}/m/volunteer/")
    balances = phone.locator("#balances").inner_text()
    assert "2\n累计服务（小时）" in balances and "20\n爱心币" in balances
    fits(phone, "我的志愿服务", too_wide)
    phone.get_by_role("link", name="爱心超市").click()
    phone.locator(".card", has_text="大米 5 斤").get_by_role("button", name="兑换").click()
    message = phone.get_by_text(re.compile(r"兑换成功，请凭兑换码 \d{8}")).inner_text()
    fits(phone, "爱心超市", too_wide)
    code = re.search(r"\d{8}", message).group(0)

    # The counter checks the code off, once.
    open_nav(desk, "爱心超市")
    desk.get_by_role("link", name=re.compile("杨家坪社区爱心超市")).click()
    desk.get_by_label("兑换码").fill(code)
    desk.get_by_role("button", name="核销").click()
    desk.get_by_text("核销成功：大米 5 斤 × 1").wait_for()
    desk.get_by_label("兑换码").fill(code)
    desk.get_by_role("button", name="核销").click()
    desk.get_by_text(re.compile("该兑换码已于 .* 核销")).wait_for()

    # The certificate, downloaded, and checked by a stranger.
    phone.goto(f"{live_server.url}/m/volunteer/")
    with phone.expect_download() as download:
        phone.get_by_role("button", name="下载志愿服务证明").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    certificate = Certificate.objects.get(volunteer__person=me)
    _, stranger = new_page(**PHONE)
    stranger.goto(f"{live_server.url}/v/")
    stranger.get_by_label("证明编号").fill(certificate.number)
    stranger.get_by_role("button", name="查验").click()
    stranger.get_by_text("该证明真实有效").wait_for()
    shown = stranger.locator("#result").inner_text()
    assert "2 小时" in shown and certificate.masked_name in shown
    assert me.name not in shown and me.id_number not in shown
    fits(stranger, "证明查验", too_wide)

    # The community's numbers moved.
    desk.goto(f"{live_server.url}/console/")
    assert participation(desk) != before
    assert too_wide == {}, f"wider than 390 px: {too_wide}"
