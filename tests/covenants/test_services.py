"""A covenant's versions from draft to publication: each refusal says in Chinese what is
missing, one version is in force however the adoptions come, and every step is audited."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.core.models import AuditEntry, Notification
from shequtong.covenants import selectors
from shequtong.covenants.demo import seed_covenants
from shequtong.covenants.models import Covenant, CovenantComment, CovenantVersion
from shequtong.covenants.services import (
    comment_add,
    comment_answer,
    covenant_create,
    version_adopt,
    version_consult,
    version_draft,
    version_edit,
    version_file,
    version_publish,
    version_submit,
    version_withdraw,
)
from shequtong.notices.models import Notice, Publicity
from shequtong.registry.models import Building, Estate
from tests.notices.conftest import door, dweller

from .conftest import TEXT, consulting, end_consultation, meeting, vote

pytestmark = pytest.mark.django_db


def refused(message: str):
    """The refusal, word for word."""
    return pytest.raises(DomainError, match=f"^{re.escape(message)}$")


def actions(obj) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(obj.pk), object_type=obj._meta.label_lower)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def adopting(staff, covenant) -> CovenantVersion:
    """A version consulted, its consultation over, submitted."""
    version = end_consultation(consulting(staff, covenant))
    return version_submit(actor=staff, version=version)


def adopted(staff, covenant, tree) -> CovenantVersion:
    version = adopting(staff, covenant)
    return version_adopt(actor=staff, version=version, meeting=meeting(tree.comm_a1))


# --- covenants and drafts -------------------------------------------------------------------


def test_one_residents_covenant_per_community_and_only_its_office_creates_it(
    tree, staff, covenant, user_with, place
):
    with refused("该社区已有居民公约「甲一社区居民公约」，请在该公约下起草新版本"):
        covenant_create(actor=staff, kind="residents", title="另一个", area=tree.comm_a1)
    with refused("请选择居民公约所属的社区"):
        covenant_create(actor=staff, kind="residents", title="网格公约", area=tree.grid_a1a)
    with refused("请选择小区公约所属的小区"):
        covenant_create(actor=staff, kind="estate", title="规约")
    with refused("公约名称不能超过 100 字"):
        covenant_create(actor=staff, kind="estate", title="约" * 101, estate=place.estate)
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a)
    with refused("您无权为该社区或小区制定公约"):
        covenant_create(actor=worker, kind="estate", title="规约", estate=place.estate)
    assert actions(covenant) == ["covenant.create"]


def test_a_first_draft_is_blank_and_a_revision_starts_from_the_text_in_force(staff, covenant, tree):
    with refused("该公约还没有现行版本，请选择从空白起草"):
        version_draft(actor=staff, covenant=covenant)
    first = adopted(staff, covenant, tree)
    second = version_draft(actor=staff, covenant=covenant)
    assert (second.number, second.text, second.based_on) == (2, TEXT, first)
    with refused("第2版现为「起草中」，请先完成或撤回该版本"):
        version_draft(actor=staff, covenant=covenant, blank=True)
    assert actions(second) == ["covenant.draft"]


def test_only_a_draft_is_edited_and_its_text_is_kept_to_the_limit(staff, covenant):
    version = version_draft(actor=staff, covenant=covenant, blank=True)
    edited = version_edit(actor=staff, version=version, text="第一条 甲。  \r\n第二条 乙。\r\n")
    assert edited.text == "第一条 甲。\n第二条 乙。"
    with refused("公约正文不能超过 20000 字（现为 20001 字）"):
        version_edit(actor=staff, version=version, text="字" * 20001)
    version_edit(actor=staff, version=version, text="字" * 20000)
    version_consult(actor=staff, version=version, until=timezone.localdate() + timedelta(days=3))
    with refused("只有起草中的版本可以修改，第1版现为「征求意见中」"):
        version_edit(actor=staff, version=version, text="改")
    assert actions(version) == [
        "covenant.draft",
        "covenant.edit",
        "covenant.edit",
        "covenant.consult",
    ]


def test_a_grid_worker_does_not_edit(staff, covenant, tree, user_with):
    version = version_draft(actor=staff, covenant=covenant, blank=True)
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a)
    with pytest.raises(DomainError, match="您无权修改该公约草案"):
        version_edit(actor=worker, version=version, text="改")


# --- consultation ---------------------------------------------------------------------------


def test_consultation_needs_a_text_and_an_end_within_ninety_days(staff, covenant):
    version = version_draft(actor=staff, covenant=covenant, blank=True)
    today = timezone.localdate()
    with refused("公约正文为空，请先起草正文再征求意见"):
        version_consult(actor=staff, version=version, until=today + timedelta(days=3))
    version_edit(actor=staff, version=version, text=TEXT)
    with refused("征求意见截止日期须晚于今天"):
        version_consult(actor=staff, version=version, until=today)
    with refused("征求意见期不能超过 90 天"):
        version_consult(actor=staff, version=version, until=today + timedelta(days=91))
    with refused("请填写征求意见截止日期"):
        version_consult(actor=staff, version=version, until=None)
    done = version_consult(
        actor=staff, version=version, until=today + timedelta(days=90), publicity=True
    )
    assert done.status == "consulting" and done.consult_until == today + timedelta(days=90)
    publicity = Publicity.objects.get()
    assert publicity == done.publicity and publicity.body == TEXT
    assert publicity.source_url == f"/m/covenants/{version.pk}/"
    assert (publicity.ends_at - publicity.starts_at).days == 90


def test_residents_of_the_community_comment_until_the_last_day(staff, covenant, place, tree):
    version = consulting(staff, covenant)
    me = place.user("张三")
    comment = comment_add(actor=me, version=version, text="  建议增加文明养犬。 ", clause=2)
    assert (comment.text, comment.clause, comment.person) == (
        "建议增加文明养犬。",
        2,
        place.person("张三"),
    )
    with refused("意见不能超过 1000 字（现为 1001 字）"):
        comment_add(actor=me, version=version, text="意" * 1001)
    with refused("请填写意见内容"):
        comment_add(actor=me, version=version, text="   ")
    with refused("条款序号应为 1 至 999 之间的整数"):
        comment_add(actor=me, version=version, text="好", clause=1000)
    comment_add(actor=me, version=version, text="意" * 1000)
    CovenantVersion.objects.filter(pk=version.pk).update(consult_until=timezone.localdate())
    comment_add(actor=me, version=version, text="最后一天")  # the last day counts
    end_consultation(version)
    until = (timezone.localdate() - timedelta(days=1)).strftime("%Y-%m-%d")
    with refused(f"征求意见已于 {until} 截止，不再接受意见"):
        comment_add(actor=me, version=version, text="晚了")
    assert CovenantComment.objects.filter(version=version).count() == 3
    assert actions(version).count("covenant.comment") == 3


def test_a_comment_comes_from_a_resident_bound_by_the_covenant(
    staff, covenant, estate_covenant, place, tree, caplog, user_with
):
    version = consulting(staff, covenant)
    other_estate = Estate.objects.create(name="别的小区", area=tree.comm_a2)
    elsewhere = Building.objects.create(estate=other_estate, number="9栋", area=tree.grid_a2a)
    _, outsider = dweller(50, door(elsewhere, "101"), caplog, name="外人")
    with refused("您不是本社区居民，不能对本公约提意见"):
        comment_add(actor=outsider, version=version, text="我也想说")
    with refused("请先完成实名认证再提意见"):
        comment_add(actor=user_with(Role.COMMUNITY_STAFF, tree.comm_a1), version=version, text="x")
    rules = consulting(staff, estate_covenant)
    with refused("您不是本小区居民，不能对本公约提意见"):
        comment_add(actor=outsider, version=rules, text="我也想说")
    assert comment_add(actor=place.user("赵六"), version=rules, text="同意").person == place.person(
        "赵六"
    )


def test_a_draft_takes_no_comments(staff, covenant, place):
    version = version_draft(actor=staff, covenant=covenant, blank=True)
    with refused("本版本目前不在征求意见期，不能提意见"):
        comment_add(actor=place.user("张三"), version=version, text="早了")


def test_each_comment_is_answered_with_what_became_of_it_and_the_resident_is_told(
    staff, covenant, place
):
    version = consulting(staff, covenant)
    comment = comment_add(actor=place.user("张三"), version=version, text="加一条")
    with refused("请选择采纳情况：采纳、部分采纳或不予采纳"):
        comment_answer(actor=staff, comment=comment, disposition="maybe", answer="好")
    with refused("请填写答复及理由"):
        comment_answer(actor=staff, comment=comment, disposition="adopted", answer=" ")
    with refused("答复不能超过 2000 字"):
        comment_answer(actor=staff, comment=comment, disposition="adopted", answer="答" * 2001)
    answered = comment_answer(
        actor=staff, comment=comment, disposition="not_adopted", answer="已有法律规定，不再重复。"
    )
    assert (answered.disposition, answered.answered_by) == ("not_adopted", staff)
    told = Notification.objects.get(user=place.user("张三"))
    assert told.title == "您对公约提出的意见已有答复" and told.url == f"/m/covenants/{version.pk}/"
    entry = AuditEntry.objects.filter(action="covenant.answer").get()
    assert entry.changes["disposition"] == [None, "not_adopted"]


# --- submission and adoption ----------------------------------------------------------------


def test_submission_waits_for_the_end_of_consultation_and_every_answer(staff, covenant, place):
    version = consulting(staff, covenant)
    comment = comment_add(actor=place.user("张三"), version=version, text="加一条")
    until = version.consult_until.strftime("%Y-%m-%d")
    with refused(f"征求意见截止日期（{until}）未过，不能提前提请表决"):
        version_submit(actor=staff, version=version)
    end_consultation(version)
    with refused("还有 1 条居民意见未答复，请逐条答复后再提请表决"):
        version_submit(actor=staff, version=version)
    comment_answer(actor=staff, comment=comment, disposition="adopted", answer="已采纳")
    assert version_submit(actor=staff, version=version).status == "adopting"
    with refused("只有征求意见中的版本可以提请表决，第1版现为「待表决通过」"):
        version_submit(actor=staff, version=version)


def test_a_residents_covenant_is_adopted_only_by_a_passed_meeting_of_its_community(
    staff, covenant, tree, place
):
    early = meeting(
        tree.comm_a1, title="早先的居民会议", starts_at=timezone.now() - timedelta(days=3)
    )
    version = consulting(staff, covenant)
    with refused(
        "只有待表决通过的版本可以登记通过，第1版现为「征求意见中」，请先在征求意见截止后提请表决"
    ):
        version_adopt(actor=staff, version=version, meeting=meeting(tree.comm_a1))
    version = version_submit(actor=staff, version=end_consultation(version))
    cases = [
        (None, "请选择通过本公约的居民会议或居民代表会议"),
        (
            meeting(tree.comm_a2, title="甲二居民会议"),
            "「甲二居民会议」不是甲一社区的会议",
        ),
        (
            meeting(tree.grid_a1a, title="网格居民会议"),
            "「网格居民会议」不是甲一社区的会议",
        ),
        (
            meeting(tree.comm_a1, kind="council", title="议事会"),
            "「议事会」是议事会，居民公约须由居民会议或居民代表会议讨论通过",
        ),
        (
            meeting(tree.comm_a1, held=False, title="还没开的会"),
            "「还没开的会」尚未记录会议结果",
        ),
        (
            meeting(tree.comm_a1, passed=False, title="没通过的会"),
            "「没通过的会」的表决未获通过（到会或同意人数未达法定要求）",
        ),
        (early, "「早先的居民会议」召开于第1版起草之前，不能作为其通过依据"),
    ]
    for chosen, message in cases:
        with refused(message):
            version_adopt(actor=staff, version=version, meeting=chosen)
    with refused("居民公约须由居民会议或居民代表会议通过，不能以业主表决通过"):
        version_adopt(actor=staff, version=version, vote=vote(place.estate))
    assert CovenantVersion.objects.get(pk=version.pk).status == "adopting"
    held = meeting(tree.comm_a1, kind="representatives", title="居民代表会议")
    done = version_adopt(actor=staff, version=version, meeting=held)
    assert (done.status, done.adopted_on, done.adopted_by_meeting) == (
        "adopted",
        timezone.localdate(held.starts_at),
        held,
    )
    assert selectors.current_version(covenant) == done
    entry = AuditEntry.objects.get(action="covenant.adopt")
    assert entry.changes["by"] == [None, f"meeting:{held.pk}"]
    again = adopting(staff, covenant)
    with refused(f"该会议已用于通过{done}"):
        version_adopt(actor=staff, version=again, meeting=held)


def test_an_estate_covenant_is_adopted_only_by_a_passed_owners_vote_on_its_rules(
    staff, estate_covenant, tree, place
):
    version = adopting(staff, estate_covenant)
    elsewhere = Estate.objects.create(name="别的小区", area=tree.comm_a1)
    cases = [
        (None, "请选择通过本规约的业主表决"),
        (vote(elsewhere), "「修订管理规约」不是滨江花园的业主表决"),
        (
            vote(place.estate, matter="use_fund"),
            "「修订管理规约」的事项不是「制定和修改业主大会议事规则、管理规约」",
        ),
        (vote(place.estate, status="open"), "「修订管理规约」尚未结束，结果公布后才能登记通过"),
        (
            vote(place.estate, passed=False),
            "「修订管理规约」未获通过（未达到民法典第二百七十八条规定的比例）",
        ),
    ]
    for chosen, message in cases:
        with refused(message):
            version_adopt(actor=staff, version=version, vote=chosen)
    with refused("小区公约（管理规约）须由业主共同决定，请选择业主表决"):
        version_adopt(actor=staff, version=version, meeting=meeting(tree.comm_a1))
    passed = vote(place.estate)
    done = version_adopt(actor=staff, version=version, vote=passed)
    assert (done.status, done.adopted_by_vote, done.adopted_on) == (
        "adopted",
        passed,
        timezone.localdate(passed.closes_at),
    )
    assert list(selectors.votes_to_adopt(user=staff, version=done)) == []


def test_a_new_adoption_supersedes_the_version_in_force(staff, covenant, tree):
    first = adopted(staff, covenant, tree)
    version_draft(actor=staff, covenant=covenant)
    second = CovenantVersion.objects.get(covenant=covenant, number=2)
    version_edit(actor=staff, version=second, text=TEXT + "\n第四条 新增。")
    version_consult(actor=staff, version=second, until=timezone.localdate() + timedelta(days=1))
    second = version_submit(actor=staff, version=end_consultation(second))
    version_adopt(actor=staff, version=second, meeting=meeting(tree.comm_a1, title="第二次"))
    first.refresh_from_db()
    assert first.status == "superseded"
    assert selectors.current_version(covenant).number == 2
    assert CovenantVersion.objects.filter(covenant=covenant, status="adopted").count() == 1
    assert AuditEntry.objects.filter(action="covenant.adopt").order_by("pk").last().changes[
        "superseded"
    ] == [
        None,
        1,
    ]


def test_the_database_holds_one_version_in_force(staff, covenant, tree):
    first = adopted(staff, covenant, tree)
    with pytest.raises(IntegrityError), transaction.atomic():
        CovenantVersion.objects.create(
            covenant=covenant,
            area=covenant.area,
            number=9,
            status="adopted",
            consult_until=first.consult_until,
            adopted_on=first.adopted_on,
            adopted_by_meeting=meeting(tree.comm_a1, title="又一次"),
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_adoptions_at_once_leave_one_version_in_force(tree, user_with):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: the PostgreSQL run proves it")
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    covenant = covenant_create(actor=staff, kind="residents", title="并发公约", area=tree.comm_a1)
    version = adopting(staff, covenant)
    chosen = [meeting(tree.comm_a1, title=f"会议{n}") for n in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def adopt(held) -> None:
        try:
            barrier.wait()
            version_adopt(actor=staff, version=version, meeting=held)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=adopt, args=(m,)) for m in chosen]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [e.message for e in errors if isinstance(e, DomainError)] == [
        "只有待表决通过的版本可以登记通过，第1版现为「现行有效」"
    ]
    assert CovenantVersion.objects.filter(covenant=covenant, status="adopted").count() == 1
    assert AuditEntry.objects.filter(action="covenant.adopt").count() == 1


# --- publication and filing -----------------------------------------------------------------


def test_publishing_tells_the_community_by_a_notice_and_opens_it_to_residents(
    staff, covenant, tree, place
):
    version = adopting(staff, covenant)
    with refused("只有已通过的版本可以公布，第1版现为「待表决通过」"):
        version_publish(actor=staff, version=version)
    version = version_adopt(actor=staff, version=version, meeting=meeting(tree.comm_a1))
    reader = place.person("张三")
    assert selectors.resident_covenants(reader) == []
    done = version_publish(actor=staff, version=version)
    notice = Notice.objects.get()
    assert done.notice == notice and notice.audience == "community" and notice.area == tree.comm_a1
    assert notice.title == "关于公布《甲一社区居民公约》的通知"
    assert "经居民会议通过" in notice.body
    assert selectors.resident_covenants(reader)[0].in_force == done
    with pytest.raises(DomainError, match=r"^第1版已于 .* 公布$"):
        version_publish(actor=staff, version=version)
    assert actions(done)[-1] == "covenant.publish"


def test_an_estate_covenant_is_told_to_its_estate(staff, estate_covenant, place):
    version = adopting(staff, estate_covenant)
    version = version_adopt(actor=staff, version=version, vote=vote(place.estate))
    version_publish(actor=staff, version=version)
    notice = Notice.objects.get()
    assert (notice.audience, notice.estate) == ("estate", place.estate)
    assert "经业主共同决定通过" in notice.body
    with refused("只有居民公约需要报政府备案"):
        version_file(
            actor=staff, version=version, filed_on=timezone.localdate(), filed_with="区政府"
        )


def test_a_residents_covenant_is_filed_once_after_adoption(staff, covenant, tree):
    draft = version_draft(actor=staff, covenant=covenant, blank=True)
    with refused("公约通过后才能备案，第1版现为「起草中」"):
        version_file(actor=staff, version=draft, filed_on=timezone.localdate(), filed_with="区政府")
    version_withdraw(actor=staff, version=draft, reason="重新起草")
    version = adopted(staff, covenant, tree)
    today = timezone.localdate()
    with refused("备案日期不能晚于今天"):
        version_file(
            actor=staff, version=version, filed_on=today + timedelta(days=1), filed_with="区政府"
        )
    with refused(f"备案日期不能早于通过日期（{today:%Y-%m-%d}）"):
        version_file(
            actor=staff, version=version, filed_on=today - timedelta(days=1), filed_with="区政府"
        )
    with refused("请填写备案机关（区、不设区的市人民政府或街道办事处）"):
        version_file(actor=staff, version=version, filed_on=today, filed_with=" ")
    with refused("备案回执须为 PDF、JPG 或 PNG 文件"):
        version_file(
            actor=staff,
            version=version,
            filed_on=today,
            filed_with="区政府",
            receipt=ContentFile(b"MZ", name="回执.exe"),
        )
    filed = version_file(
        actor=staff,
        version=version,
        filed_on=today,
        filed_with="甲街道办事处",
        receipt=ContentFile(b"%PDF-1.4 receipt", name="回执.pdf"),
    )
    assert (filed.filed_on, filed.filed_with) == (today, "甲街道办事处")
    assert filed.filing_receipt.read() == b"%PDF-1.4 receipt"
    with refused(f"第2版已于 {today:%Y-%m-%d} 备案"):
        version_file(actor=staff, version=filed, filed_on=today, filed_with="区政府")
    assert actions(filed)[-1] == "covenant.file"


def test_a_version_not_adopted_is_withdrawn_with_its_reason(staff, covenant, tree):
    version = consulting(staff, covenant)
    with refused("请填写撤回原因"):
        version_withdraw(actor=staff, version=version, reason="")
    done = version_withdraw(actor=staff, version=version, reason="意见较大，重新起草")
    assert (done.status, done.withdraw_reason) == ("withdrawn", "意见较大，重新起草")
    assert version_draft(actor=staff, covenant=covenant, blank=True).number == 2


# --- reads ----------------------------------------------------------------------------------


def test_the_diff_marks_lines_removed_added_and_the_characters_rewritten():
    before = "\n".join(f"第{n}条 原文{n}。" for n in range(1, 11))
    after = before.replace("第5条 原文5。", "第5条 改写5。") + "\n第11条 新增。"
    rows = selectors.text_diff(before, after, context=1)
    kinds = [r.kind for r in rows]
    assert kinds == ["skip", "same", "removed", "added", "same", "skip", "same", "added"]
    assert rows[0].skipped == 3 and rows[5].skipped == 3
    assert rows[2].parts == [("第5条 ", False), ("原文", True), ("5。", False)]
    assert rows[3].parts == [("第5条 ", False), ("改写", True), ("5。", False)]
    assert (rows[3].old, rows[3].new, rows[7].new) == (None, 5, 11)
    assert selectors.text_diff("同", "同") == []


def test_the_demo_adopts_a_covenant_and_consults_on_its_next_version(tree, staff, place):
    tree.comm_a1.name = "杨家坪社区"
    tree.comm_a1.save()
    resident = place.user("张三")
    resident.username = "resident_01"
    resident.save()
    seed_covenants(tree.district, 1)
    seed_covenants(tree.district, 1)  # a second run adds nothing
    covenant = Covenant.objects.get()
    first, second = covenant.versions.order_by("number")
    assert (first.status, first.filed_on is not None, first.published_at is not None) == (
        "adopted",
        True,
        True,
    )
    assert first.adopted_by_meeting.outcome["passed"] is True
    assert second.status == "consulting" and second.publicity is not None
    comment = second.comments.get()
    assert comment.clause == 6 and comment.disposition == "partly"
