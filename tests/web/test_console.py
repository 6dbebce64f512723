"""The console as a signed-in person uses it, through Django's test client."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from shequtong.core import services as core_services
from shequtong.core.choices import Role
from shequtong.core.models import ApiToken, AuditEntry, CalendarOverride, HolidayNotice
from shequtong.registry import services as registry_services
from tests.core.factories import PASSWORD
from tests.registry.factories import id_number

pytestmark = pytest.mark.django_db


def login(client, user, password=PASSWORD):
    return client.post("/console/login/", {"username": user.username, "password": password})


# --- signing in -----------------------------------------------------------------------------


def test_login_page_is_chinese_and_self_hosted(client):
    page = client.get("/console/login/").content.decode()
    assert "用户名" in page and "密码" in page
    # No asset from outside: every src/href is a path on this server.
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_wrong_password_says_so_in_chinese(client, grid_worker):
    response = login(client, grid_worker, "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert AuditEntry.objects.filter(action="auth.login_failed").exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_after_repeated_failures_is_a_chinese_page_not_a_500(client, grid_worker):
    for _ in range(2):
        assert login(client, grid_worker, "nope").status_code == 200
    locked = login(client, grid_worker, "nope")
    assert locked.status_code == 429
    assert "账号已被暂时锁定" in locked.content.decode()
    # Even the right password is refused while locked.
    assert login(client, grid_worker).status_code == 429


def test_login_lands_on_the_home_page_with_the_users_grant(client, grid_worker, tree):
    response = login(client, grid_worker)
    assert response.status_code == 302 and response["Location"] == "/console/"
    home = client.get("/console/").content.decode()
    assert tree.grid_a1a.name in home
    assert "网格员" in home
    assert "我的待办" in home  # the grid worker sees the task list, empty for now


def test_logout_needs_post(client, grid_worker):
    client.force_login(grid_worker)
    assert client.get("/console/logout/").status_code == 405
    assert client.post("/console/logout/").status_code == 302
    assert client.get("/console/").status_code == 302


def test_console_requires_login(client):
    response = client.get("/console/areas/")
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")


# --- navigation and scope -------------------------------------------------------------------


def test_navigation_follows_the_policy_table(client, grid_worker, user_with, tree):
    client.force_login(grid_worker)
    page = client.get("/console/").content.decode()
    assert "区划与网格" in page and "审计日志" not in page and "人员与授权" not in page
    client.force_login(user_with(Role.AUDITOR, tree.district))
    page = client.get("/console/").content.decode()
    assert "审计日志" in page


def test_grid_worker_sees_only_their_grid(client, grid_worker, tree):
    client.force_login(grid_worker)
    page = client.get("/console/areas/").content.decode()
    assert f'href="/console/areas/{tree.grid_a1a.pk}/"' in page
    for other in (tree.grid_a1b, tree.grid_a2a, tree.grid_b1a, tree.comm_a1, tree.district):
        assert f'href="/console/areas/{other.pk}/"' not in page
    response = client.get(f"/console/areas/{tree.grid_b1a.pk}/")
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()


def test_area_detail_draws_children_on_a_self_hosted_map(client, district_admin, tree):
    client.force_login(district_admin)
    page = client.get(f"/console/areas/{tree.comm_a1.pk}/").content.decode()
    assert tree.grid_a1a.name in page and tree.grid_a1b.name in page
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in page
    # Breadcrumbs lead up the tree.
    assert tree.sub_a.name in page and tree.district.name in page


def test_area_switcher_narrows_lists_and_refuses_foreign_areas(client, district_admin, tree):
    client.force_login(district_admin)
    client.post("/console/scope/", {"area": tree.sub_b.pk, "next": "/console/areas/"})
    page = client.get("/console/areas/").content.decode()
    assert tree.grid_b1a.name in page and tree.grid_a1a.name not in page
    client.post("/console/scope/", {"area": "", "next": "/console/areas/"})
    assert tree.grid_a1a.name in client.get("/console/areas/").content.decode()
    # The switcher offers only areas inside the grant, and marks the current one.
    assert f'<option value="{tree.sub_b.pk}"' in page


def test_area_switcher_cannot_reach_outside_the_grant(client, user_with, tree):
    worker = user_with(Role.SUBDISTRICT_ADMIN, tree.sub_a)
    client.force_login(worker)
    response = client.post("/console/scope/", {"area": tree.sub_b.pk})
    assert response.status_code == 404


def test_area_filters_by_level_and_name(client, district_admin, tree):
    client.force_login(district_admin)
    page = client.get("/console/areas/", {"level": "community"}).content.decode()
    assert tree.comm_a1.name in page and f">{tree.grid_a1a.name}<" not in page


# --- personal data --------------------------------------------------------------------------


def test_phones_are_masked_and_a_reveal_is_audited(client, district_admin, grid_worker):
    client.force_login(district_admin)
    page = client.get("/console/staff/").content.decode()
    full = grid_worker.phone
    assert full not in page
    assert f"{full[:3]}****{full[-4:]}" in page
    response = client.post(f"/console/staff/{grid_worker.pk}/reveal-phone/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and full in response.content.decode()
    entry = AuditEntry.objects.get(action="pii.reveal")
    assert entry.actor == district_admin and entry.object_id == str(grid_worker.pk)


def test_reveal_without_the_grant_is_refused(client, user_with, tree, grid_worker):
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    client.force_login(staff)
    page = client.get("/console/staff/").content.decode()
    assert "reveal-phone" not in page
    response = client.post(f"/console/staff/{grid_worker.pk}/reveal-phone/", HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="pii.reveal").exists()


def test_area_export_is_scoped_and_audited(client, user_with, tree):
    admin = user_with(Role.SUBDISTRICT_ADMIN, tree.sub_a)
    client.force_login(admin)
    response = client.get("/console/areas/", {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "名称,层级,行政区划代码,上级"
    assert tree.grid_a1a.name in body and tree.grid_b1a.name not in body
    entry = AuditEntry.objects.get(action="area.export")
    assert entry.actor == admin and entry.object_repr.endswith(" 6 条")  # 1 + 2 + 3 areas


def test_grid_worker_may_not_export(client, grid_worker):
    client.force_login(grid_worker)
    page = client.get("/console/areas/").content.decode()
    assert "导出" not in page
    response = client.get("/console/areas/", {"export": "csv"})
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="area.export").exists()


# --- audit log ------------------------------------------------------------------------------


def test_auditor_finds_a_reveal_in_the_audit_log(client, district_admin, grid_worker, user_with):
    client.force_login(district_admin)
    client.post(f"/console/staff/{grid_worker.pk}/reveal-phone/")
    auditor = user_with(Role.AUDITOR, district_admin.grants.get().area)
    client.force_login(auditor)
    page = client.get("/console/audit/", {"action": "pii.reveal"}).content.decode()
    assert "查看手机号" in page and district_admin.username in page
    assert grid_worker.phone not in page  # the log names the field, never the value


def test_the_audit_log_reads_in_chinese_and_filters_by_a_listed_action(
    client, tree, district_admin, user_with
):
    """Actions once showed as codes (auth.login, pii.reveal) and changes as `field：∅ → phone`."""
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    person = registry_services.person_create(
        actor=staff,
        data=registry_services.PersonData(name="钱审计", id_number=id_number(1)),
        dwelling=None,
        area=tree.comm_a1,
    )
    core_services.pii_reveal(actor=staff, obj=person, field="id_number")
    core_services.pii_reveal(actor=district_admin, obj=staff, field="phone")
    auditor = user_with(Role.AUDITOR, tree.district)
    client.force_login(auditor)

    page = client.get("/console/audit/").content.decode()
    assert "新增居民" in page and "查看身份证号" in page and "查看手机号" in page
    assert "pii.reveal</span>" not in page and "person.create</span>" not in page
    listed = client.get("/console/audit/").context["form"].fields["action"].choices
    assert ("pii.reveal:registry.person:id_number", "查看身份证号") in listed
    assert ("case.summon", "事件街道吹哨（召集部门）") in listed  # each app names its own

    only = client.get("/console/audit/", {"action": "pii.reveal:registry.person:id_number"})
    rows = only.context["rows"]
    assert [r.label for r in rows] == ["查看身份证号"] and rows[0].entry.object_id == str(person.pk)
    by_actor = client.get("/console/audit/", {"actor": district_admin.username}).context["rows"]
    assert {r.label for r in by_actor} == {"查看手机号"}
    today = timezone.localdate()
    later = client.get("/console/audit/", {"since": (today + timedelta(days=1)).isoformat()})
    assert later.context["rows"] == []
    wrong = client.get(
        "/console/audit/", {"since": today.isoformat(), "until": "2000-01-01"}
    ).content.decode()
    assert "截止日期不能早于起始日期" in wrong


def test_the_audit_csv_neutralises_formulas(client, district_admin, user_with):
    from shequtong.core.audit import audit_record

    audit_record(actor=None, action="test.note", object_repr="=cmd|' /C calc'!A0")
    audit_record(actor=None, action="test.note", object_repr="@SUM(1+1)")
    client.force_login(user_with(Role.AUDITOR, district_admin.grants.get().area))
    body = b"".join(client.get("/console/audit/", {"export": "csv"}).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    objects = {row[5] for row in rows[1:]}  # 对象
    assert "'=cmd|' /C calc'!A0" in objects and "'@SUM(1+1)" in objects
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_audit_log_is_closed_to_grid_workers(client, grid_worker):
    client.force_login(grid_worker)
    response = client.get("/console/audit/")
    assert response.status_code == 403 and "您无权查看审计日志" in response.content.decode()


# --- calendar -------------------------------------------------------------------------------


def test_calendar_shows_national_day_and_make_up_days(client, grid_worker):
    client.force_login(grid_worker)
    page = client.get("/console/calendar/", {"month": "2025-10"}).content.decode()
    assert 'data-day="2025-10-01" data-working="0"' in page
    assert "国庆节" in page
    # 2025-09-28 (Sunday) was a make-up working day; 2025-10-11 (Saturday) too.
    assert 'data-day="2025-10-11" data-working="1"' in page and "调休上班" in page


def test_deadline_calculator_crosses_the_spring_festival(client, grid_worker):
    client.force_login(grid_worker)
    page = client.get("/console/calendar/", {"start": "2026-02-13", "days": "3"}).content.decode()
    # 2026 Spring Festival: 2/15–2/23 off; Saturday 2/14 is a make-up working day (the first),
    # then 2/24 and 2/25.
    assert "2026 年 2 月 25 日" in page


def test_only_district_admins_adjust_the_calendar(client, grid_worker, district_admin):
    data = {"day": "2026-12-31", "is_working": "0", "note": "区政府通知"}
    client.force_login(grid_worker)
    assert "保存调整" not in client.get("/console/calendar/").content.decode()
    client.post("/console/calendar/", data)
    assert not CalendarOverride.objects.exists()
    client.force_login(district_admin)
    client.post("/console/calendar/", data)
    assert CalendarOverride.objects.get().day == date(2026, 12, 31)


def test_an_unannounced_year_shows_a_banner_until_its_notice_is_imported(client, district_admin):
    client.force_login(district_admin)
    page = client.get("/console/calendar/", {"month": "2027-2"}).content.decode()
    assert "2027 年的调休安排尚未导入" in page
    assert 'data-day="2027-02-05" data-working="0"' in page and "春节" in page  # 除夕, by law

    refused = client.post(
        "/console/calendar/?month=2027-2",
        {"year": "2027", "source": "国办发明电〔2026〕7号", "text": "2027-02-30 休 春节"},
    ).content.decode()
    assert "第 1 行：日期“2027-02-30”不对" in refused and not HolidayNotice.objects.exists()

    client.post(
        "/console/calendar/",
        {
            "year": "2027",
            "source": "国办发明电〔2026〕7号",
            "text": "2027-02-05~2027-02-12 休 春节",
        },
    )
    page = client.get("/console/calendar/", {"month": "2027-2"}).content.decode()
    assert "尚未导入" not in page and "国办发明电〔2026〕7号" in page
    assert 'data-day="2027-02-11" data-working="0"' in page


# --- API tokens -----------------------------------------------------------------------------


def test_token_is_shown_once_works_and_can_be_revoked(client, grid_worker):
    client.force_login(grid_worker)
    page = client.post("/console/tokens/", {"name": "12345 对接", "valid_days": "30"})
    plaintext = re.search(r'id="new-token">(sqt_[^<]+)<', page.content.decode()).group(1)
    client.logout()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 200
    assert plaintext not in client.get("/console/tokens/").content.decode()
    client.force_login(grid_worker)
    token = ApiToken.objects.get()
    client.post(f"/console/tokens/{token.pk}/revoke/")
    client.logout()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 401


def test_token_form_errors_are_chinese(client, grid_worker):
    client.force_login(grid_worker)
    page = client.post("/console/tokens/", {"name": "", "valid_days": "30"}).content.decode()
    assert "这个字段是必填项" in page
    assert not ApiToken.objects.exists()


# --- two-factor -----------------------------------------------------------------------------


@override_settings(SHEQUTONG_REQUIRE_2FA=True)
def test_admin_enrols_totp_before_reaching_the_console(client, district_admin):
    login(client, district_admin)
    response = client.get("/console/areas/")
    assert response.status_code == 302 and response["Location"] == "/console/2fa/"
    page = client.get("/console/2fa/").content.decode()
    assert "<svg" in page and "扫描二维码" in page
    device = TOTPDevice.objects.get(user=district_admin)
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"
    assert "验证码不正确" in client.post("/console/2fa/", {"token": wrong}).content.decode()
    # A failure throttles the device: an immediate retry is told to wait, not that it is wrong.
    retry = client.post("/console/2fa/", {"token": f"{totp(device.bin_key):06d}"})
    assert "稍等" in retry.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    good = client.post("/console/2fa/", {"token": f"{totp(device.bin_key):06d}"})
    assert good.status_code == 302
    assert client.get("/console/areas/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="auth.totp_enrol").exists()


@override_settings(SHEQUTONG_REQUIRE_2FA=True)
def test_grid_workers_are_not_asked_for_totp(client, grid_worker):
    login(client, grid_worker)
    assert client.get("/console/areas/").status_code == 200


# --- errors and the resident portal ---------------------------------------------------------


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/console/no-such-page/")
    assert response.status_code == 404
    assert "找不到页面" in response.content.decode()


def test_csrf_failure_is_explained_in_chinese(grid_worker):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(grid_worker)
    response = strict.post("/console/tokens/", {"name": "x", "valid_days": "30"})
    assert response.status_code == 403
    assert "CSRF" in response.content.decode() and "刷新页面" in response.content.decode()


def test_resident_portal_is_a_mobile_shell(client):
    page = client.get("/m/").content.decode()
    assert 'name="viewport"' in page and "随手拍" in page


@pytest.mark.parametrize("raw", ["²", "１", "9" * 40, "-1"])
def test_the_area_switcher_takes_any_text_without_a_500(client, district_admin, raw):
    client.force_login(district_admin)
    response = client.post("/console/scope/", {"area": raw, "next": "/console/areas/"})
    assert response.status_code == 302
