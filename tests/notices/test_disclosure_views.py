"""三务公开's pages: staff draft, fill, submit and publish from the console; a 监委会 member signs
on /m/ (or in the console when staff); residents read their own community's published boards
on /m/. Another community's staff get 404, residents never see an unpublished board or another
community's files, and bad input is a Chinese refusal, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from shequtong.core.choices import Role
from shequtong.core.models import AuditEntry
from shequtong.notices.models import Disclosure, FinanceItem, Supervisor
from shequtong.notices.services import (
    disclosure_attach,
    disclosure_create,
    disclosure_publish,
    disclosure_sign,
    disclosure_submit,
    supervisor_name,
)
from tests.notices.conftest import PDF, finance_board, pdf

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def published(staff, member, tree, **kw) -> Disclosure:
    board = finance_board(staff, tree, **kw)
    disclosure_attach(actor=staff, disclosure=board, file=pdf())
    disclosure_submit(actor=staff, disclosure=board)
    disclosure_sign(actor=member, disclosure=board, approve=True)
    return disclosure_publish(actor=staff, disclosure=board)


def action(client: Client, board: Disclosure, **data):
    return client.post(f"/console/disclosures/{board.pk}/action/", data)


def test_staff_draft_fill_submit_and_publish_a_finance_board(staff, member, tree):
    desk = client_for(staff)
    assert desk.get("/console/disclosures/new/").status_code == 200
    made = desk.post(
        "/console/disclosures/new/",
        {
            "area": tree.comm_a1.pk,
            "board": "finance",
            "period": "2026年第4季度",
            "title": "第四季度财务公开",
            "body": "",
        },
    )
    board = Disclosure.objects.get()
    assert made.status_code == 302 and made.url == f"/console/disclosures/{board.pk}/"
    assert board.period == "2026-Q4"
    assert (
        action(
            desk, board, action="item", description="上级拨款", direction="income", amount="2,000"
        ).status_code
        == 302
    )
    action(desk, board, action="item", description="办公用品", direction="expense", amount="128.5")
    assert (
        desk.post(
            f"/console/disclosures/{board.pk}/action/",
            {"action": "attach", "file": pdf("发票.pdf")},
        ).status_code
        == 302
    )
    page = desk.get(f"/console/disclosures/{board.pk}/").content.decode()
    totals = page.split('id="totals"')[1]
    assert "2,000.00 元" in totals and "128.50 元" in totals and "1,871.50 元" in totals
    assert "发票.pdf" in page and 'id="submit-form"' in page
    action(desk, board, action="submit")
    board.refresh_from_db()
    assert board.status == "submitted"
    page = desk.get(f"/console/disclosures/{board.pk}/").content.decode()
    assert 'id="submit-form"' not in page and 'id="item-form"' not in page
    assert 'id="sign"' not in page  # staff holding no seat cannot sign
    disclosure_sign(actor=member, disclosure=board, approve=True)
    assert 'id="publish"' in desk.get(f"/console/disclosures/{board.pk}/").content.decode()
    action(desk, board, action="publish")
    board.refresh_from_db()
    assert board.status == "published"
    assert AuditEntry.objects.filter(action="disclosure.publish", object_id=str(board.pk)).exists()


def test_bad_input_is_a_chinese_refusal_and_changes_nothing(staff, tree):
    desk = client_for(staff)
    for data, message in (
        (
            {"area": tree.comm_a1.pk, "board": "finance", "period": "明年", "title": "x"},
            "公开期间应为季度或月份",
        ),
        (
            {"area": tree.comm_a1.pk, "board": "sports", "period": "2026-Q4", "title": "x"},
            "请选择公开类别：党务、居务或财务",
        ),
        (
            {"area": tree.comm_b1.pk, "board": "finance", "period": "2026-Q4", "title": "x"},
            "所选社区不存在或不在您的范围内",
        ),
        (
            {"area": tree.comm_a1.pk, "board": "finance", "period": "2026-Q4", "title": ""},
            "请填写标题",
        ),
        (
            {"area": tree.comm_a1.pk, "board": "finance", "period": "2026-Q4", "title": "x" * 201},
            "标题不能超过 200 字",
        ),
    ):
        answer = desk.post("/console/disclosures/new/", data)
        assert answer.status_code == 400 and message in answer.content.decode(), message
    assert not Disclosure.objects.exists()
    board = finance_board(staff, tree, lines=0)
    again = desk.post(
        "/console/disclosures/new/",
        {"area": tree.comm_a1.pk, "board": "finance", "period": "2026-Q4", "title": "x"},
    )
    assert (
        again.status_code == 400
        and "甲一社区2026年第4季度的财务公开已存在" in again.content.decode()
    )
    for data, message in (
        (
            {"action": "item", "description": "x", "direction": "expense", "amount": "12.345"},
            "金额（元）应为元，最多两位小数",
        ),
        (
            {"action": "item", "description": "x", "direction": "expense", "amount": "-3"},
            "金额（元）应为元，最多两位小数",
        ),
        (
            {"action": "item", "description": "x", "direction": "expense", "amount": "0"},
            "金额须大于 0",
        ),
        (
            {"action": "item", "description": "x", "direction": "loan", "amount": "3"},
            "请选择收入或支出",
        ),
        (
            {"action": "item", "description": "", "direction": "expense", "amount": "3"},
            "请填写事项",
        ),
        (
            {
                "action": "item",
                "description": "x",
                "direction": "expense",
                "amount": "3",
                "transaction": "abc",
            },
            "账本交易编号应为整数",
        ),
        (
            {
                "action": "item",
                "description": "x",
                "direction": "expense",
                "amount": "3",
                "transaction": "99999",
            },
            "账本中没有编号为 99999 的交易",
        ),
        ({"action": "attach"}, "请选择要上传的附件"),
        ({"action": "detach", "attachment": "x"}, "附件应为整数"),
        ({"action": "submit"}, "财务公开至少要有一条收支明细"),
        ({"action": "publish"}, "须经居务监督委员会签字后才能公开"),
        ({"action": "approve"}, "只有本社区居务监督委员会成员可以签字"),
        ({"action": "dance"}, "请选择要进行的操作"),
    ):
        answer = action(desk, board, **data)
        assert answer.status_code == 400 and message in answer.content.decode(), message
    renamed = desk.post(
        f"/console/disclosures/{board.pk}/action/",
        {"action": "attach", "file": pdf("凭证.pdf", b"MZ\x90\x00")},
    )
    assert renamed.status_code == 400 and "附件的内容不是 PDF 文件" in renamed.content.decode()
    assert not FinanceItem.objects.exists() and not board.attachments.exists()
    assert desk.get("/console/disclosures/?period=明年").status_code == 200
    assert desk.get("/console/disclosures/?area=abc").status_code == 400


def test_another_communitys_staff_get_404_and_an_auditor_only_reads(staff, member, tree, user_with):
    board = published(staff, member, tree)
    attachment = board.attachments.get()
    outsider = client_for(user_with(Role.COMMUNITY_STAFF, tree.comm_b1))
    assert outsider.get(f"/console/disclosures/{board.pk}/").status_code == 404
    assert action(outsider, board, action="publish").status_code == 404
    assert outsider.get(f"/console/disclosures/files/{attachment.pk}/").status_code == 404
    assert "disclosure-" not in outsider.get("/console/disclosures/").content.decode()
    auditor = client_for(user_with(Role.AUDITOR, tree.district))
    page = auditor.get(f"/console/disclosures/{board.pk}/")
    assert page.status_code == 200 and 'id="publish"' not in page.content.decode()
    assert auditor.get("/console/disclosures/new/").status_code == 403
    assert (
        b"".join(auditor.get(f"/console/disclosures/files/{attachment.pk}/").streaming_content)
        == PDF
    )
    draft = disclosure_create(
        actor=staff, area=tree.comm_a1, board="party", period="2026-Q4", title="党务"
    )
    refused = action(auditor, draft, action="edit", title="改", body="")
    assert refused.status_code == 400 and "您无权修改该公开事项" in refused.content.decode()


def test_the_list_filters_and_its_query_count_is_pinned(
    staff, member, tree, django_assert_num_queries
):
    published(staff, member, tree)
    for period in ("2026-Q1", "2026-Q2", "2026-Q3"):
        disclosure_create(
            actor=staff, area=tree.comm_a1, board="party", period=period, title=f"党务{period}"
        )
    desk = client_for(staff)
    page = desk.get("/console/disclosures/").content.decode()
    assert page.count('id="disclosure-') == 4 and "三务公开" in page
    only = desk.get("/console/disclosures/?board=finance&status=published").content.decode()
    assert only.count('id="disclosure-') == 1 and "1 个附件 · 1 条明细" in only
    assert (
        desk.get("/console/disclosures/?period=2026年第2季度")
        .content.decode()
        .count('id="disclosure-')
        == 1
    )
    assert (
        desk.get(f"/console/disclosures/?area={tree.comm_b1.pk}")
        .content.decode()
        .count('id="disclosure-')
        == 0
    )
    desk.get("/console/disclosures/")  # warm the per-process reference data
    with django_assert_num_queries(10):
        desk.get("/console/disclosures/")
    for period in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"):
        disclosure_create(
            actor=staff, area=tree.comm_a1, board="finance", period=period, title="财务"
        )
    with django_assert_num_queries(10):  # more rows, the same statements
        desk.get("/console/disclosures/")


def test_members_are_seated_from_the_communitys_accounts_and_end_their_term(
    staff, place, tree, user_with, caplog
):
    from tests.volunteering.helpers import resident

    far, _ = resident(9401, tree.grid_b1a, caplog)
    desk = client_for(staff)
    page = desk.get("/console/disclosures/supervisors/").content.decode()
    assert "张三（居民）" in page and "李四（居民）" in page and "（工作人员）" in page
    assert f'value="{far.pk}"' not in page.split('id="seat-form"')[1]
    assert (
        desk.post(
            "/console/disclosures/supervisors/", {"user": place.user("李四").pk, "duty": "主任"}
        ).status_code
        == 302
    )
    seat = Supervisor.objects.get()
    assert (seat.name, seat.duty, seat.area) == ("李四", "主任", tree.comm_a1)
    page = desk.get("/console/disclosures/supervisors/").content.decode()
    assert "李四（居民）" not in page.split('id="seat-form"')[1]  # seated: no longer offered
    foreign = desk.post("/console/disclosures/supervisors/", {"user": far.pk, "duty": "委员"})
    assert (
        foreign.status_code == 400
        and "所选成员账号不存在或不在您的范围内" in foreign.content.decode()
    )
    bad_duty = desk.post(
        "/console/disclosures/supervisors/", {"user": place.user("张三").pk, "duty": "会长"}
    )
    assert bad_duty.status_code == 400 and "请选择职务" in bad_duty.content.decode()
    outsider = client_for(user_with(Role.COMMUNITY_STAFF, tree.comm_b1))
    assert outsider.post(f"/console/disclosures/supervisors/{seat.pk}/end/").status_code == 404
    assert desk.post(f"/console/disclosures/supervisors/{seat.pk}/end/").status_code == 302
    seat.refresh_from_db()
    assert seat.ended_on is not None
    assert (
        "李四"
        not in desk.get("/console/disclosures/supervisors/")
        .content.decode()
        .split('id="seat-form"')[0]
    )


def test_a_member_signs_on_the_phone_and_staff_with_a_seat_in_the_console(
    staff, member, place, tree, user_with
):
    board = finance_board(staff, tree)
    disclosure_attach(actor=staff, disclosure=board, file=pdf("发票.pdf"))
    disclosure_submit(actor=staff, disclosure=board)
    phone = client_for(member)
    home = phone.get("/m/").content.decode()
    assert "监委会审核" in home and "1 项待审核" in home
    listing = phone.get("/m/disclosures/sign/").content.decode()
    assert f'id="sign-{board.pk}"' in listing
    page = phone.get(f"/m/disclosures/sign/{board.pk}/").content.decode()
    assert "办公用品0" in page and "128.00 元" in page and 'id="sign-form"' in page
    attachment = board.attachments.get()
    assert (
        b"".join(phone.get(f"/m/disclosures/sign/files/{attachment.pk}/").streaming_content) == PDF
    )
    # Not published yet: the member's resident pages show nothing of it.
    assert phone.get(f"/m/disclosures/{board.pk}/").status_code == 404
    assert phone.get(f"/m/disclosures/files/{attachment.pk}/").status_code == 404
    refused = phone.post(f"/m/disclosures/sign/{board.pk}/", {"action": "return", "note": ""})
    assert refused.status_code == 400 and "退回时请填写意见" in refused.content.decode()
    assert phone.post(f"/m/disclosures/sign/{board.pk}/", {"action": "maybe"}).status_code == 400
    phone.post(f"/m/disclosures/sign/{board.pk}/", {"action": "return", "note": "缺发票"})
    board.refresh_from_db()
    assert board.status == "draft" and board.sign_note == "缺发票"
    assert "缺发票" in client_for(staff).get(f"/console/disclosures/{board.pk}/").content.decode()
    # A resident who holds no seat opens none of it.
    other = client_for(place.user("张三"))
    assert other.get("/m/disclosures/sign/").status_code == 400
    assert other.get(f"/m/disclosures/sign/{board.pk}/").status_code == 404
    assert "监委会审核" not in other.get("/m/").content.decode()
    # Staff holding a seat sign in the console.
    signer = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    supervisor_name(actor=staff, area=tree.comm_a1, user=signer, name="王主任")
    disclosure_submit(actor=staff, disclosure=board)
    desk = client_for(signer)
    assert 'id="sign-form"' in desk.get(f"/console/disclosures/{board.pk}/").content.decode()
    action(desk, board, action="approve", note="")
    board.refresh_from_db()
    assert board.status == "signed_off" and board.signed_by.user == signer


def test_residents_read_their_own_communitys_published_boards_only(
    staff, member, place, tree, user_with, caplog
):
    from tests.volunteering.helpers import resident

    board = published(staff, member, tree)
    disclosure_create(
        actor=staff, area=tree.comm_a1, board="party", period="2026-Q4", title="党务草稿"
    )
    b1_staff, b1_member = (user_with(Role.COMMUNITY_STAFF, tree.comm_b1) for _ in range(2))
    supervisor_name(actor=b1_staff, area=tree.comm_b1, user=b1_member, name="乙委员")
    theirs = disclosure_create(
        actor=b1_staff,
        area=tree.comm_b1,
        board="party",
        period="2026-Q4",
        title="乙一党务",
        body="x",
    )
    disclosure_submit(actor=b1_staff, disclosure=theirs)
    disclosure_sign(actor=b1_member, disclosure=theirs, approve=True)
    disclosure_publish(actor=b1_staff, disclosure=theirs)
    attachment = board.attachments.get()
    phone = client_for(place.user("赵六"))  # 2栋, grid A1b: the same community
    listing = phone.get("/m/disclosures/").content.decode()
    assert "财务公开" in listing and f'id="disclosure-{board.pk}"' in listing
    assert "党务草稿" not in listing and "乙一党务" not in listing
    page = phone.get(f"/m/disclosures/{board.pk}/").content.decode()
    assert "办公用品0" in page and "128.00 元" in page and "凭证.pdf" in page
    assert 'id="sign-form"' not in page
    assert b"".join(phone.get(f"/m/disclosures/files/{attachment.pk}/").streaming_content) == PDF
    assert phone.get(f"/m/disclosures/{theirs.pk}/").status_code == 404
    far, _ = resident(9501, tree.grid_b1a, caplog)
    away = client_for(far)
    assert away.get(f"/m/disclosures/{board.pk}/").status_code == 404
    assert away.get(f"/m/disclosures/files/{attachment.pk}/").status_code == 404
    assert "乙一党务" in away.get("/m/disclosures/").content.decode()
    assert "三务公开" in phone.get("/m/").content.decode()  # the tile


def test_the_console_menu_offers_the_boards_and_unclaimed_residents_go_to_claim(staff, db):
    from shequtong.core.models import User

    assert 'href="/console/disclosures/"' in client_for(staff).get("/console/").content.decode()
    nobody = User.objects.create(username="nobody-yet")
    answer = client_for(nobody).get("/m/disclosures/")
    assert answer.status_code == 302 and "/m/me/claim/" in answer.url
