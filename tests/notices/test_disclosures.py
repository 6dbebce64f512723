"""三务公开 at the service level: one board per community, board and period; attachments checked
by their bytes; 财务 lines in 分 citing sealed ledger transactions; submitted to the 居务监督委员会,
signed off by a seated member who is not the author (or returned with the reason), published
only once signed; every step audited."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.core.models import AuditEntry, Notification
from shequtong.ledger.models import Transaction, Unit
from shequtong.ledger.services import account_open, post, reverse
from shequtong.notices import selectors
from shequtong.notices.models import Disclosure, DisclosureAttachment, FinanceItem, Supervisor
from shequtong.notices.money import fen_of, yuan
from shequtong.notices.periods import period_label, period_of, period_parse
from shequtong.notices.services import (
    attachment_remove,
    disclosure_attach,
    disclosure_create,
    disclosure_edit,
    disclosure_publish,
    disclosure_sign,
    disclosure_submit,
    finance_item_add,
    finance_item_remove,
    supervisor_end,
    supervisor_name,
)
from shequtong.notices.services.disclosures import MAX_AMOUNT, MAX_ATTACHMENTS
from tests.notices.conftest import PDF, finance_board, pdf

pytestmark = pytest.mark.django_db


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    return err.value


def draft(actor, area, *, board: str = "party", period: str = "2026-Q4", title: str = "x", **kw):
    return disclosure_create(actor=actor, area=area, board=board, period=period, title=title, **kw)


def audited(action: str, obj) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, object_id=str(obj.pk)))


def fen_transaction(*, seal: bool = True, unit: str = Unit.FEN) -> Transaction:
    """A transaction of the ledger in 分 (the fund's money), sealed as `post` seals it."""
    fund = account_open(code=f"{unit}:fund:a1", name="社区基金", unit=unit, allow_negative=True)
    bank = account_open(code=f"{unit}:bank:a1", name="银行存款", unit=unit)
    if not seal:
        return Transaction.objects.create(kind="fund", memo="未记完", unit=unit)
    return post(actor=None, kind="fund", memo="拨付办公经费", lines=[(fund, -50000), (bank, 50000)])


# --- periods and money ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2026-Q4", "2026-Q4"),
        ("2026q4", "2026-Q4"),
        ("2026Ｑ1", "2026-Q1"),
        ("2026年第4季度", "2026-Q4"),
        ("2026年第四季度", "2026-Q4"),
        ("2026 年 第 2 季度", "2026-Q2"),
        ("2026年3季度", "2026-Q3"),
        ("2026 Q1", "2026-Q1"),
        ("2026-12", "2026-12"),
        ("2026年12月", "2026-12"),
        ("2026年3月", "2026-03"),
        ("2026/3", "2026-03"),
        ("2026年4", "2026-04"),
        (" 2026.07 ", "2026-07"),
    ],
)
def test_a_period_is_typed_as_staff_write_it_and_stored_in_one_form(typed, stored):
    assert period_parse(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "2026", "2026-Q5", "2026年13月", "2026年0月", "第四季度", "abc"]
)
def test_a_period_that_is_neither_a_quarter_nor_a_month_is_refused(typed):
    err = refused(period_parse, typed)
    assert err.fields == {"period": ["公开期间应为季度或月份，如 2026年第4季度 或 2026年12月"]}


def test_a_period_year_out_of_range_is_refused_and_labels_read_in_chinese():
    for typed in ("1999-Q4", "2101年1月"):
        assert refused(period_parse, typed).fields == {
            "period": ["公开期间的年份应在 2000 至 2100 之间"]
        }
    assert period_parse("2000-01") == "2000-01" and period_parse("2100-Q4") == "2100-Q4"
    assert period_label("2026-Q4") == "2026年第4季度" and period_label("2026-03") == "2026年3月"
    assert period_of(date(2026, 3, 31)) == "2026-Q1" and period_of(date(2026, 4, 1)) == "2026-Q2"
    assert period_of(date(2026, 12, 5), month=True) == "2026-12"


def test_money_is_typed_in_yuan_and_kept_in_fen():
    assert fen_of("1280.5") == 128050 and fen_of("1,280.50") == 128050
    assert fen_of("¥36") == 3600 and fen_of("0.01") == 1 and fen_of("12元") == 1200
    for bad in ("1.234", "-5", "abc", "1e5", "12.3.4"):
        assert refused(fen_of, bad).fields == {"amount": ["金额应为元，最多两位小数，如 1280.50"]}
    assert refused(fen_of, " ").fields == {"amount": ["请填写金额"]}
    assert yuan(128050) == "1,280.50" and yuan(-5) == "-0.05" and yuan(0) == "0.00"


# --- the 居务监督委员会 ---------------------------------------------------------------------


def test_a_member_is_a_confirmed_resident_or_staff_of_the_community(staff, place, tree, user_with):
    seat = supervisor_name(actor=staff, area=tree.comm_a1, user=place.user("张三"), name="张三")
    assert (seat.area, seat.duty, seat.named_by) == (tree.comm_a1, "委员", staff)
    assert audited("supervisor.name", seat)
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a)
    assert supervisor_name(actor=staff, area=tree.comm_a1, user=worker, name="网格员", duty="主任")
    elsewhere = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    err = refused(supervisor_name, actor=staff, area=tree.comm_a1, user=elsewhere, name="外人")
    assert err.fields == {"user": ["监委会成员须为甲一社区已实名认证的居民或本社区工作人员"]}
    again = refused(
        supervisor_name, actor=staff, area=tree.comm_a1, user=place.user("张三"), name="张三"
    )
    assert again.fields == {"user": ["该账号已是本社区监委会成员"]}


def test_seating_refuses_bad_input_with_the_field_named(staff, place, tree, user_with):
    user = place.user("张三")
    grid = refused(supervisor_name, actor=staff, area=tree.grid_a1a, user=user, name="张三")
    assert grid.fields == {"area": ["监委会成员须登记在社区"]}
    long = refused(
        supervisor_name, actor=staff, area=tree.comm_a1, user=user, name="张" * 33, duty="委" * 33
    )
    assert long.fields == {"name": ["姓名不能超过 32 字"], "duty": ["职务不能超过 32 字"]}
    empty = refused(supervisor_name, actor=staff, area=tree.comm_a1, user=user, name=" ")
    assert empty.fields == {"name": ["请填写监委会成员姓名"]}
    outsider = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    forbidden = refused(supervisor_name, actor=outsider, area=tree.comm_a1, user=user, name="张三")
    assert forbidden.code == "forbidden"
    assert not Supervisor.objects.exists()


def test_a_member_who_ends_the_term_keeps_the_row_and_may_be_seated_again(
    staff, member, tree, place
):
    seat = Supervisor.objects.get(user=member)
    supervisor_end(actor=staff, supervisor=seat)
    seat.refresh_from_db()
    assert seat.ended_on is not None and audited("supervisor.end", seat)
    supervisor_end(actor=staff, supervisor=seat)  # once is enough
    assert len(audited("supervisor.end", seat)) == 1
    assert supervisor_name(actor=staff, area=tree.comm_a1, user=member, name="李四")
    assert Supervisor.objects.filter(user=member).count() == 2


# --- boards ---------------------------------------------------------------------------------


def test_one_board_per_community_board_and_period(staff, tree, user_with):
    board = draft(staff, tree.comm_a1, period="2026年第4季度", title="党务公开")
    assert (board.period, board.status, board.created_by) == ("2026-Q4", "draft", staff)
    assert audited("disclosure.create", board)
    err = refused(draft, staff, tree.comm_a1, title="又一份")
    assert err.fields == {"period": ["甲一社区2026年第4季度的党务公开已存在"]}
    # Another board, another period, another community: each its own.
    draft(staff, tree.comm_a1, board="finance")
    draft(staff, tree.comm_a1, period="2026-12")
    draft(user_with(Role.COMMUNITY_STAFF, tree.comm_b1), tree.comm_b1)
    assert Disclosure.objects.count() == 4


def test_a_board_refuses_bad_input_with_the_field_named(staff, tree, user_with):
    grid = refused(draft, staff, tree.grid_a1a)
    assert grid.fields == {"area": ["三务公开以社区为单位，请选择社区"]}
    bad = refused(draft, staff, tree.comm_a1, board="sports", title="x" * 201, body="字" * 20001)
    assert bad.fields == {
        "board": ["请选择公开类别：党务、居务或财务"],
        "title": ["标题不能超过 200 字"],
        "body": ["公开内容不能超过 20000 字"],
    }
    outsider = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    assert refused(draft, outsider, tree.comm_a1).code == "forbidden"
    auditor = user_with(Role.AUDITOR, tree.district)  # reads the boards, drafts none
    assert refused(draft, auditor, tree.comm_a1).code == "forbidden"
    assert not Disclosure.objects.exists()


def test_a_draft_is_edited_until_submitted(staff, tree, member):
    board = finance_board(staff, tree)
    disclosure_edit(actor=staff, disclosure=board, title="第四季度财务收支公开", body="说明")
    board.refresh_from_db()
    assert (board.title, board.body) == ("第四季度财务收支公开", "说明")
    [entry] = audited("disclosure.edit", board)
    assert entry.changes["title"] == ["2026年第四季度财务公开", "第四季度财务收支公开"]
    assert refused(disclosure_edit, actor=staff, disclosure=board, title=" ", body="").fields == {
        "title": ["请填写标题"]
    }
    disclosure_submit(actor=staff, disclosure=board)
    err = refused(disclosure_edit, actor=staff, disclosure=board, title="改", body="")
    assert err.fields == {"status": ["已提交审核的公开事项不能修改，请先由监委会退回"]}


# --- attachments ----------------------------------------------------------------------------


def test_an_attachment_is_checked_by_its_bytes_stored_sealed_and_audited(staff, tree):
    board = draft(staff, tree.comm_a1, board="residence", title="居务公开")
    attached = disclosure_attach(actor=staff, disclosure=board, file=pdf("低保评议结果.pdf"))
    assert (attached.name, attached.size, attached.area) == (
        "低保评议结果.pdf",
        len(PDF),
        tree.comm_a1,
    )
    assert attached.file.open("rb").read() == PDF  # read back through the sealed storage
    with open(attached.file.path, "rb") as raw:
        assert PDF not in raw.read()  # encrypted at rest
    [entry] = audited("disclosure.attach", board)
    assert entry.changes == {"file": [None, "低保评议结果.pdf"]}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("凭证.pdf", b"MZ\x90\x00 a renamed program", "附件的内容不是 PDF 文件，请检查后重新上传"),
        ("setup.exe", b"MZ\x90\x00", "附件须为 PDF、JPG 或 PNG 文件"),
        ("凭证.pdf", b"", "附件是空文件，请重新选择"),
        ("凭证.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024 - 3), "附件不能超过 10 MB"),
    ],
)
def test_an_attachment_that_is_not_what_it_claims_is_refused(staff, tree, name, content, message):
    board = draft(staff, tree.comm_a1, board="residence", title="居务公开")
    err = refused(disclosure_attach, actor=staff, disclosure=board, file=pdf(name, content))
    assert err.fields == {"file": [message]}
    assert not DisclosureAttachment.objects.exists() and not audited("disclosure.attach", board)


def test_a_board_takes_at_most_its_attachments_and_long_names_keep_their_type(staff, tree):
    board = draft(staff, tree.comm_a1, board="residence", title="居务公开")
    long = disclosure_attach(actor=staff, disclosure=board, file=pdf("长" * 120 + ".pdf"))
    assert len(long.name) == 100 and long.name.endswith(".pdf")
    for _ in range(MAX_ATTACHMENTS - 1):
        disclosure_attach(actor=staff, disclosure=board, file=pdf())
    err = refused(disclosure_attach, actor=staff, disclosure=board, file=pdf())
    assert err.fields == {"file": ["每项公开最多 20 个附件"]}
    attachment_remove(actor=staff, attachment=long)
    assert board.attachments.count() == MAX_ATTACHMENTS - 1
    assert audited("disclosure.detach", board)[0].changes == {"file": [long.name, None]}


# --- 财务 lines -----------------------------------------------------------------------------


def test_finance_lines_are_bounded_and_totalled(staff, tree):
    board = finance_board(staff, tree, lines=0)
    add = {"actor": staff, "disclosure": board, "description": "上级拨款", "direction": "income"}
    finance_item_add(**add, amount=MAX_AMOUNT)
    finance_item_add(**{**add, "direction": "expense", "description": "绿化"}, amount=1)
    for amount, message in (
        (0, "金额须大于 0"),
        (-100, "金额须大于 0"),
        (True, "金额须大于 0"),
        ("100", "金额须大于 0"),
        (MAX_AMOUNT + 1, "金额不能超过 100 亿元，请核对"),
    ):
        assert refused(finance_item_add, **add, amount=amount).fields == {"amount": [message]}
    err = refused(
        finance_item_add,
        actor=staff,
        disclosure=board,
        description="x" * 201,
        direction="loan",
        amount=5,
    )
    assert err.fields == {"description": ["事项不能超过 200 字"], "direction": ["请选择收入或支出"]}
    assert selectors.finance_totals(board) == {
        "income": MAX_AMOUNT,
        "expense": 1,
        "balance": MAX_AMOUNT - 1,
    }
    assert len(audited("disclosure.item", board)) == 2
    line = board.items.get(description="绿化")
    finance_item_remove(actor=staff, item=line)
    assert selectors.finance_totals(board)["expense"] == 0
    assert audited("disclosure.item_remove", board)[0].changes == {
        "amount": [1, None],
        "direction": ["expense", None],
    }


def test_only_a_finance_board_takes_lines(staff, tree):
    party = draft(staff, tree.comm_a1, board="party", title="党务")
    err = refused(
        finance_item_add,
        actor=staff,
        disclosure=party,
        description="党费",
        direction="income",
        amount=100,
    )
    assert err.fields == {"board": ["只有财务公开可以添加收支明细"]}


def test_a_line_cites_a_sealed_unreversed_transaction_in_fen_once(staff, tree):
    board = finance_board(staff, tree, lines=0)
    add = {
        "actor": staff,
        "disclosure": board,
        "description": "办公经费",
        "direction": "expense",
        "amount": 50000,
    }
    booked = fen_transaction()
    line = finance_item_add(**add, transaction_id=booked.pk)
    assert line.transaction == booked
    assert refused(finance_item_add, **add, transaction_id=booked.pk).fields == {
        "transaction": [f"交易 {booked.pk} 已在本期明细中"]
    }
    assert refused(finance_item_add, **add, transaction_id=987654).fields == {
        "transaction": ["账本中没有编号为 987654 的交易"]
    }
    coins = fen_transaction(unit=Unit.COINS)
    assert refused(finance_item_add, **add, transaction_id=coins.pk).fields == {
        "transaction": ["引用的交易须以人民币（分）记账"]
    }
    open_one = fen_transaction(seal=False)
    assert refused(finance_item_add, **add, transaction_id=open_one.pk).fields == {
        "transaction": ["引用的交易尚未记账完成"]
    }
    mistaken = fen_transaction()
    reverse(actor=None, txn=mistaken, memo="记错")
    assert refused(finance_item_add, **add, transaction_id=mistaken.pk).fields == {
        "transaction": [f"交易 {mistaken.pk} 已冲正，不能作为公开依据"]
    }
    other = fen_transaction()
    assert refused(finance_item_add, **add | {"amount": 5}, transaction_id=other.pk).fields == {
        "amount": [f"金额与账本交易 {other.pk} 的记账金额（500.00 元）不符"]
    }
    assert FinanceItem.objects.count() == 1


# --- submit, sign, publish ------------------------------------------------------------------


def test_submitting_needs_content_and_a_member_who_may_sign(staff, tree, place):
    empty = finance_board(staff, tree, lines=0)
    assert refused(disclosure_submit, actor=staff, disclosure=empty).fields == {
        "items": ["财务公开至少要有一条收支明细"]
    }
    party = draft(staff, tree.comm_a1, board="party", title="党务")
    assert refused(disclosure_submit, actor=staff, disclosure=party).fields == {
        "body": ["请填写公开内容或上传附件"]
    }
    disclosure_attach(actor=staff, disclosure=party, file=pdf())
    no_one = refused(disclosure_submit, actor=staff, disclosure=party)
    assert no_one.fields == {"status": ["本社区还没有可以签字的监委会成员，请先登记监委会成员"]}
    # The author seated alone may not sign their own board: still no one.
    supervisor_name(actor=staff, area=tree.comm_a1, user=staff, name="社区干部")
    assert refused(disclosure_submit, actor=staff, disclosure=party).fields == no_one.fields
    supervisor_name(actor=staff, area=tree.comm_a1, user=place.user("李四"), name="李四")
    disclosure_submit(actor=staff, disclosure=party)
    party.refresh_from_db()
    assert party.status == "submitted" and party.submitted_at is not None
    assert audited("disclosure.submit", party)
    # The members who may sign are told, the author is not; nothing personal leaves.
    told = Notification.objects.filter(url=f"/m/disclosures/sign/{party.pk}/")
    assert [n.user for n in told] == [place.user("李四")]
    assert told[0].title == "三务公开待您审核：2026年第4季度党务"
    assert refused(disclosure_submit, actor=staff, disclosure=party).fields == {
        "status": ["已提交审核的公开事项不能修改，请先由监委会退回"]
    }
    late = refused(disclosure_attach, actor=staff, disclosure=party, file=pdf())
    assert late.fields == {"status": ["已提交审核的公开事项不能修改，请先由监委会退回"]}


def test_only_a_seated_member_other_than_the_author_signs(staff, member, tree, place, user_with):
    board = finance_board(staff, tree)
    disclosure_submit(actor=staff, disclosure=board)
    not_member = refused(disclosure_sign, actor=place.user("张三"), disclosure=board, approve=True)
    assert not_member.code == "forbidden"
    assert not_member.fields == {"status": ["只有本社区居务监督委员会成员可以签字"]}
    # A member of another community's committee is no member here.
    b1_staff = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    supervisor_name(actor=b1_staff, area=tree.comm_b1, user=b1_staff, name="乙")
    assert (
        refused(disclosure_sign, actor=b1_staff, disclosure=board, approve=True).code == "forbidden"
    )
    # The author holding a seat may not sign their own board.
    supervisor_name(actor=staff, area=tree.comm_a1, user=staff, name="社区干部")
    own = refused(disclosure_sign, actor=staff, disclosure=board, approve=True)
    assert own.fields == {"status": ["撰写人不能为自己编制的公开签字，请由其他监委会成员审核"]}
    # A member whose term ended signs nothing.
    supervisor_end(actor=staff, supervisor=Supervisor.objects.get(user=member))
    assert (
        refused(disclosure_sign, actor=member, disclosure=board, approve=True).code == "forbidden"
    )
    board.refresh_from_db()
    assert board.status == "submitted" and board.signed_by is None


def test_a_member_returns_a_board_with_the_reason_and_signs_it_when_fixed(staff, member, tree):
    board = finance_board(staff, tree)
    draft = refused(disclosure_sign, actor=member, disclosure=board, approve=True)
    assert draft.fields == {"status": ["该公开事项不在待审核状态"]}
    disclosure_submit(actor=staff, disclosure=board)
    assert refused(
        disclosure_sign, actor=member, disclosure=board, approve=False, note=" "
    ).fields == {"note": ["退回时请填写意见"]}
    assert refused(
        disclosure_sign, actor=member, disclosure=board, approve=False, note="字" * 201
    ).fields == {"note": ["意见不能超过 200 字"]}
    disclosure_sign(actor=member, disclosure=board, approve=False, note="缺少办公用品发票")
    board.refresh_from_db()
    assert (board.status, board.sign_note, board.signed_by) == ("draft", "缺少办公用品发票", None)
    [entry] = audited("disclosure.return", board)
    assert entry.actor == member and entry.changes == {"note": [None, "缺少办公用品发票"]}
    assert Notification.objects.filter(
        user=staff, title="2026年第4季度财务公开被监委会退回，请查看意见"
    ).exists()
    # The author fixes it and submits again; the member signs.
    disclosure_attach(actor=staff, disclosure=board, file=pdf("发票.pdf"))
    disclosure_submit(actor=staff, disclosure=board)
    board.refresh_from_db()
    assert board.sign_note == ""
    disclosure_sign(actor=member, disclosure=board, approve=True)
    board.refresh_from_db()
    assert board.status == "signed_off" and board.signed_by.user == member and board.signed_at
    assert audited("disclosure.sign", board)[0].actor == member
    assert Notification.objects.filter(
        user=staff, title="2026年第4季度财务公开监委会已签字，可以公开"
    ).exists()
    again = refused(disclosure_sign, actor=member, disclosure=board, approve=True)
    assert again.fields == {"status": ["该公开事项不在待审核状态"]}


def test_a_board_is_published_only_once_signed_and_only_by_its_community(
    staff, member, tree, place, user_with
):
    board = finance_board(staff, tree)
    early = refused(disclosure_publish, actor=staff, disclosure=board)
    assert early.fields == {"status": ["须经居务监督委员会签字后才能公开"]}
    disclosure_submit(actor=staff, disclosure=board)
    assert refused(disclosure_publish, actor=staff, disclosure=board).fields == early.fields
    assert not selectors.disclosures_for(place.person("张三")).exists()
    disclosure_sign(actor=member, disclosure=board, approve=True)
    assert not selectors.disclosures_for(place.person("张三")).exists()  # signed, not yet shown
    outsider = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    assert refused(disclosure_publish, actor=outsider, disclosure=board).code == "forbidden"
    assert refused(disclosure_publish, actor=member, disclosure=board).code == "forbidden"
    disclosure_publish(actor=staff, disclosure=board)
    board.refresh_from_db()
    assert board.status == "published" and board.published_at is not None
    assert audited("disclosure.publish", board)[0].actor == staff
    assert refused(disclosure_publish, actor=staff, disclosure=board).fields == {
        "status": ["该公开事项已经公开"]
    }
    assert list(selectors.disclosures_for(place.person("张三"))) == [board]


def test_a_resident_reads_only_their_own_communitys_published_boards(staff, member, tree, caplog):
    from tests.volunteering.helpers import resident

    board = finance_board(staff, tree)
    disclosure_submit(actor=staff, disclosure=board)
    disclosure_sign(actor=member, disclosure=board, approve=True)
    disclosure_publish(actor=staff, disclosure=board)
    draft(staff, tree.comm_a1, board="party", title="草稿")
    _, far = resident(9301, tree.grid_b1a, caplog)
    _, near = resident(9302, tree.grid_a1b, caplog)
    assert list(selectors.disclosures_for(near)) == [board]
    assert not selectors.disclosures_for(far).exists()
    near.status = "moved_out"
    assert not selectors.disclosures_for(near).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_members_signing_at_once_sign_it_once(tree, caplog, user_with):
    if connection.vendor != "postgresql":
        pytest.skip("two connections racing: the PostgreSQL run proves it")
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    members = [user_with(Role.COMMUNITY_STAFF, tree.comm_a1) for _ in range(2)]
    for n, user in enumerate(members):
        supervisor_name(actor=staff, area=tree.comm_a1, user=user, name=f"委员{n}")
    board = finance_board(staff, tree)
    disclosure_submit(actor=staff, disclosure=board)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign(user) -> None:
        try:
            barrier.wait()
            disclosure_sign(actor=user, disclosure=board, approve=True)
            outcomes.append("signed")
        except DomainError as err:
            outcomes.append(err.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(u,)) for u in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["signed", "该公开事项不在待审核状态"]
    board.refresh_from_db()
    assert board.status == "signed_off" and board.signed_by.user in members
    assert len(audited("disclosure.sign", board)) == 1
