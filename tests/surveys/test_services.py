"""Surveys at the service level: the limits and every refusal in Chinese naming its field or
its question's number; one counted answer per household, the latest; the 60 % rule of 集中民意
over all households of the place; coverage (全覆盖) counting answers and refusals at the door."""

from __future__ import annotations

import threading
from datetime import timedelta
from fractions import Fraction

import pytest
from django.db import connection
from django.utils import timezone

from shequtong.accounts.services import claim_submit
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.core.models import AuditEntry
from shequtong.registry.models import Building, Estate, Person
from shequtong.surveys import selectors
from shequtong.surveys.models import Response, Survey
from shequtong.surveys.selectors import support_of
from shequtong.surveys.services import (
    question_add,
    question_change,
    question_remove,
    response_submit,
    survey_close,
    survey_consent,
    survey_open,
    visit_record,
)
from tests.surveys.conftest import Hood, consent_survey, draft, home
from tests.volunteering.helpers import sign_in

pytestmark = pytest.mark.django_db


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    return err.value


def survey_of_four(staff, hood: Hood) -> tuple[Survey, list]:
    """An open survey of 滨江花园: 第1题 single (required), 第2题 multiple (at most 2), 第3题
    text (optional), 第4题 text (required)."""
    survey = draft(staff, estate=hood.estate)
    questions = [
        question_add(
            actor=staff, survey=survey, kind="single", text="是否同意", options=["是", "否"]
        ),
        question_add(
            actor=staff,
            survey=survey,
            kind="multiple",
            text="最想改什么",
            options=["屋面", "管网", "电梯"],
            max_choices=2,
        ),
        question_add(actor=staff, survey=survey, kind="text", text="其他意见", required=False),
        question_add(actor=staff, survey=survey, kind="text", text="联系时段"),
    ]
    return survey_open(actor=staff, survey=survey), questions


def keys(questions) -> list[str]:
    return [f"q{q.pk}" for q in questions]


# --- making a survey -------------------------------------------------------------------------


def test_a_survey_is_placed_where_its_households_are(staff, hood, tree):
    assert draft(staff, estate=hood.estate).area == tree.comm_a1
    by_building = draft(staff, building=hood.b2)
    assert by_building.area == tree.grid_a1b and by_building.estate is None
    assert draft(staff, area=tree.grid_a1a).area == tree.grid_a1a
    assert refused(draft, staff, area=tree.sub_a).fields == {
        "area": ["请选择问卷调查的社区、网格、小区或楼栋"]
    }
    assert refused(draft, staff, area=tree.comm_b1).code == "forbidden"
    assert AuditEntry.objects.filter(action="survey.create").count() == 3


def test_title_and_window_are_checked(staff, hood):
    now = timezone.now()
    err = refused(draft, staff, estate=hood.estate, title=" ")
    assert err.fields == {"title": ["请填写问卷标题"]}
    err = refused(draft, staff, estate=hood.estate, title="标" * 201)
    assert err.fields == {"title": ["问卷标题不能超过 200 字"]}
    err = refused(draft, staff, estate=hood.estate, opens_at=now, closes_at=now)
    assert err.fields == {"closes_at": ["截止时间须晚于开始时间"]}


def test_question_limits(staff, hood):
    survey = draft(staff, estate=hood.estate)
    add = question_add
    err = refused(add, actor=staff, survey=survey, kind="single", text="题", options=["唯一"])
    assert err.message == "选择题至少要有 2 个选项"
    options = [f"选项{n}" for n in range(21)]
    err = refused(add, actor=staff, survey=survey, kind="single", text="题", options=options)
    assert err.fields == {"options": ["每题最多 20 个选项"]}
    assert (
        len(add(actor=staff, survey=survey, kind="single", text="题", options=options[:20]).options)
        == 20
    )
    err = refused(
        add, actor=staff, survey=survey, kind="single", text="题", options=["长" * 101, "短"]
    )
    assert err.message == f"选项「{'长' * 10}…」超过 100 字"
    assert add(actor=staff, survey=survey, kind="single", text="题", options=["长" * 100, "短"])
    err = refused(add, actor=staff, survey=survey, kind="single", text="题", options=["是", "是"])
    assert err.message == "选项「是」重复"
    err = refused(
        add,
        actor=staff,
        survey=survey,
        kind="multiple",
        text="题",
        options=["甲", "乙"],
        max_choices=3,
    )
    assert err.fields == {"max_choices": ["最多选几项应在 1 到 2 之间"]}
    err = refused(add, actor=staff, survey=survey, kind="text", text="题" * 301)
    assert err.fields == {"text": ["题目不能超过 300 字"]}
    err = refused(add, actor=staff, survey=survey, kind="rating", text="题")
    assert err.fields == {"kind": ["请选择题型：单选、多选或填空"]}
    # Text questions keep no options.
    assert (
        add(actor=staff, survey=survey, kind="text", text="意见", options=["x", "y"]).options == []
    )


def test_at_most_fifty_questions(staff, hood):
    survey = draft(staff, estate=hood.estate)
    for n in range(50):
        question_add(actor=staff, survey=survey, kind="text", text=f"第{n}个问题")
    err = refused(question_add, actor=staff, survey=survey, kind="text", text="第51个问题")
    assert err.fields == {"text": ["一份问卷最多 50 题"]}


def test_questions_change_only_while_a_draft_and_renumber_when_removed(staff, hood):
    survey = draft(staff, estate=hood.estate)
    first = question_add(actor=staff, survey=survey, kind="text", text="一")
    second = question_add(actor=staff, survey=survey, kind="text", text="二")
    third = question_add(actor=staff, survey=survey, kind="text", text="三")
    question_remove(actor=staff, question=first)
    assert [(q.pk, q.order) for q in survey.questions.order_by("order")] == [
        (second.pk, 1),
        (third.pk, 2),
    ]
    question_change(actor=staff, question=third, kind="single", text="三改", options=["甲", "乙"])
    survey_open(actor=staff, survey=survey)
    for call, kwargs in (
        (question_add, {"survey": survey, "kind": "text", "text": "晚了"}),
        (question_change, {"question": second, "kind": "text", "text": "晚了"}),
        (question_remove, {"question": second}),
    ):
        assert refused(call, actor=staff, **kwargs).fields == {"survey": ["问卷已发布，不能再修改"]}
    assert {e.action for e in AuditEntry.objects.filter(object_id=str(survey.pk))} >= {
        "question.add",
        "question.change",
        "question.remove",
        "survey.open",
    }


def test_the_consent_question_stays_a_single_choice_with_its_option(staff, hood):
    survey = draft(staff, estate=hood.estate)
    text = question_add(actor=staff, survey=survey, kind="text", text="意见")
    agree = question_add(
        actor=staff, survey=survey, kind="single", text="是否同意", options=["同意", "不同意"]
    )
    err = refused(survey_consent, actor=staff, survey=survey, question=text, option="同意")
    assert err.fields == {"consent_question": ["同意率计算题须为单选题"]}
    err = refused(survey_consent, actor=staff, survey=survey, question=agree, option="赞成")
    assert err.fields == {"consent_option": ["请从第2题的选项中选择计为同意的选项"]}
    survey_consent(actor=staff, survey=survey, question=agree, option="同意")
    err = refused(
        question_change,
        actor=staff,
        question=agree,
        kind="single",
        text="是否同意",
        options=["好", "不好"],
    )
    assert err.message == "第2题用于计算同意比例，须为单选题并保留选项「同意」"
    question_remove(actor=staff, question=agree)
    survey.refresh_from_db()
    assert survey.consent_question is None and survey.consent_option == ""
    assert refused(support_of, survey).fields == {
        "consent_question": ["该问卷未设置同意率计算题，无法计算同意比例"]
    }


def test_opening_needs_a_question_a_window_not_over_and_households(staff, hood, tree):
    survey = draft(staff, estate=hood.estate)
    assert refused(survey_open, actor=staff, survey=survey).fields == {
        "status": ["请先添加至少 1 道题目"]
    }
    question_add(actor=staff, survey=survey, kind="text", text="意见")
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(days=1)
    )
    assert refused(survey_open, actor=staff, survey=survey).fields == {
        "closes_at": ["截止时间已过，请先修改问卷的截止时间"]
    }
    empty = draft(staff, area=tree.comm_a1)
    Person.objects.filter(area_path__startswith=tree.comm_a1.path).update(status="moved_out")
    question_add(actor=staff, survey=empty, kind="text", text="意见")
    assert refused(survey_open, actor=staff, survey=empty).fields == {
        "area": [f"{tree.comm_a1.name}目前没有在住住户，无法发布问卷"]
    }


def test_opening_is_audited_with_the_households_counted(staff, hood):
    survey, _ = consent_survey(staff, estate=hood.estate)
    entry = AuditEntry.objects.get(action="survey.open", object_id=str(survey.pk))
    assert entry.changes["households"] == [None, 3]  # 101, 102, 2-201; not 孙七's in A2


# --- answers ---------------------------------------------------------------------------------


def test_every_answer_is_checked_against_its_question_naming_its_number(staff, hood):
    survey, questions = survey_of_four(staff, hood)
    q1, q2, q3, q4 = keys(questions)
    resident = hood.users["张三"]
    good = {q1: ["是"], q2: ["屋面"], q3: "", q4: "晚上"}

    def answer(**changed):
        return response_submit(actor=resident, survey=survey, answers={**good, **changed})

    cases = [
        ({q1: []}, q1, "第1题为必答题"),
        ({q1: ["是", "否"]}, q1, "第1题为单选题，只能选 1 项"),
        ({q1: ["也许"]}, q1, "第1题没有选项「也许」"),
        ({q2: ["屋面", "管网", "电梯"]}, q2, "第2题最多选2项"),
        ({q2: []}, q2, "第2题为必答题"),
        ({q4: "  "}, q4, "第4题为必答题"),
        ({q4: "字" * 501}, q4, "第4题不能超过 500 字"),
        ({q3: "字" * 501}, q3, "第3题不能超过 500 字"),
    ]
    for changed, field, message in cases:
        assert refused(answer, **changed).fields == {field: [message]}, message
    assert Response.objects.count() == 0
    response = answer(**{q2: ["电梯", "屋面"], q4: "字" * 500})
    # Stored in the question's order; the optional empty text left out.
    assert response.answers == {q1: "是", q2: ["屋面", "电梯"], q4: "字" * 500}
    assert response.channel == "online" and response.household == hood.homes["101"]


def test_who_may_answer_online(staff, hood, tree, caplog):
    survey, _ = consent_survey(staff, estate=hood.estate)
    answers = {f"q{survey.consent_question_id}": ["同意"]}
    err = refused(response_submit, actor=hood.users["孙七"], survey=survey, answers=answers)
    assert err.fields == {"survey": ["您家不在本次问卷调查的范围内"]} and err.code == "forbidden"
    nobody = sign_in("13900001111", caplog)
    assert refused(response_submit, actor=nobody, survey=survey, answers=answers).fields == {
        "survey": ["请先完成实名认证"]
    }
    # A child of the household is no one to answer for it.
    child_account = sign_in("13900002222", caplog)
    child = hood.people["张小宝"]
    claim_submit(user=child_account, name=child.name, id_number=child.id_number, community=None)
    err = refused(response_submit, actor=child_account, survey=survey, answers=answers)
    assert err.fields == {"survey": ["您未满 18 周岁，不能代表本户作答"]}


def test_answers_only_inside_the_window(staff, hood):
    later = draft(staff, estate=hood.estate, opens_at=timezone.now() + timedelta(days=1))
    question_add(actor=staff, survey=later, kind="text", text="意见")
    survey_open(actor=staff, survey=later)
    err = refused(response_submit, actor=hood.users["张三"], survey=later, answers={})
    assert err.message.startswith("问卷尚未开始，")
    survey, _ = consent_survey(staff, estate=hood.estate)
    survey_close(actor=staff, survey=survey)
    err = refused(response_submit, actor=hood.users["张三"], survey=survey, answers={})
    assert err.fields == {"survey": ["问卷已结束"]}
    err = refused(
        visit_record, actor=staff, survey=survey, household=hood.homes["102"], outcome="refused"
    )
    assert err.fields == {"outcome": ["问卷已结束"]}


def test_the_latest_answer_of_any_adult_member_counts(staff, hood):
    survey, agree = consent_survey(staff, estate=hood.estate)
    key = f"q{agree.pk}"
    first = response_submit(actor=hood.users["张三"], survey=survey, answers={key: "同意"})
    second = response_submit(actor=hood.users["李四"], survey=survey, answers={key: "不同意"})
    first.refresh_from_db()
    assert not first.current and second.current and second.person == hood.people["李四"]
    assert Response.objects.filter(survey=survey, household=hood.homes["101"]).count() == 2
    assert support_of(survey).agreeing == 0
    entries = AuditEntry.objects.filter(action="survey.response").order_by("pk")
    assert [e.changes["replaced"] for e in entries] == [[None, False], [None, True]]
    assert entries[0].changes["household"] == [None, hood.homes["101"].pk]


def test_staff_key_in_an_answer_at_the_door_within_their_grid(
    staff, hood, grid_worker, worker_b, district_admin
):
    survey, agree = consent_survey(staff, estate=hood.estate)
    answers = {f"q{agree.pk}": "同意"}
    h102, wang = hood.homes["102"], hood.people["王五"]
    err = refused(
        response_submit, actor=worker_b, survey=survey, answers=answers, household=h102, person=wang
    )
    assert err.fields == {"household": ["您无权为该户录入答卷"]}
    err = refused(
        response_submit, actor=grid_worker, survey=survey, answers=answers, household=h102
    )
    assert err.fields == {"person": ["请选择作答的家庭成员"]}
    err = refused(
        response_submit,
        actor=grid_worker,
        survey=survey,
        answers=answers,
        household=h102,
        person=hood.people["张三"],
    )
    assert err.fields == {"person": ["作答人不是该户的在住成员"]}
    response = response_submit(
        actor=grid_worker, survey=survey, answers=answers, household=h102, person=wang
    )
    assert response.channel == "visit" and response.created_by == grid_worker
    assert response.area == h102.area
    outside = hood.homes["2-901"]
    err = refused(
        response_submit,
        actor=staff,
        survey=survey,
        answers=answers,
        household=outside,
        person=hood.people["孙七"],
    )
    assert err.fields == {"household": ["您无权为该户录入答卷"]}
    # The district may key in anywhere, yet not for a household outside the survey's place.
    err = refused(
        response_submit,
        actor=district_admin,
        survey=survey,
        answers=answers,
        household=outside,
        person=hood.people["孙七"],
    )
    assert err.fields == {"household": ["该户不在本次问卷调查的范围内"]}


# --- 集中民意: the 60 % rule -------------------------------------------------------------------


@pytest.fixture
def five(hood, caplog) -> Hood:
    """1栋 with five households (101, 102 of the fixture and three more)."""
    for number, name in (("103", "周八"), ("104", "吴九"), ("105", "郑十")):
        home(hood, hood.b1, number, name)
    return hood


def agree_in(staff, survey, five: Hood, numbers: dict[str, str]) -> None:
    key = f"q{survey.consent_question_id}"
    for number, choice in numbers.items():
        household = five.homes[number]
        person = selectors.adults_of(household)[0]
        response_submit(
            actor=staff, survey=survey, answers={key: choice}, household=household, person=person
        )


def test_exactly_sixty_percent_passes_and_one_household_less_fails(staff, five):
    survey, _ = consent_survey(staff, building=five.b1)
    agree_in(staff, survey, five, {"101": "同意", "102": "同意", "103": "不同意"})
    below = support_of(survey)
    assert (below.households, below.agreeing, below.share) == (5, 2, Fraction(2, 5))
    assert not below.passed and below.threshold == Fraction(3, 5)
    agree_in(staff, survey, five, {"104": "同意"})
    at = support_of(survey)
    assert (at.agreeing, at.share, at.passed) == (3, Fraction(3, 5), True)


def test_the_denominator_is_every_household_not_only_those_who_answered(staff, five):
    survey, _ = consent_survey(staff, building=five.b1)
    agree_in(staff, survey, five, {"101": "同意", "102": "同意"})
    support = support_of(survey)
    # Everyone who answered agrees, yet two of five households is not most of them.
    assert support.households == 5 and support.share == Fraction(2, 5) and not support.passed


def test_a_household_moving_away_leaves_both_counts_and_the_close_fixes_them(staff, five):
    survey, _ = consent_survey(staff, building=five.b1)
    agree_in(staff, survey, five, {"101": "同意", "102": "同意", "103": "同意"})
    assert support_of(survey).passed
    Person.objects.filter(household=five.homes["103"]).update(status="moved_out")
    moved = support_of(survey)
    assert (moved.households, moved.agreeing, moved.passed) == (4, 2, False)
    survey = survey_close(actor=staff, survey=survey)
    entry = AuditEntry.objects.get(action="survey.close", object_id=str(survey.pk))
    assert entry.changes["households"] == [None, 4] and entry.changes["agreeing"] == [None, 2]
    home(five, five.b1, "106", "新住户")  # moves in after the close
    assert support_of(survey) == moved


def test_no_households_passes_nothing(staff, five):
    survey, _ = consent_survey(staff, building=five.b1)
    Person.objects.filter(household__dwelling__building=five.b1).update(status="moved_out")
    assert support_of(survey).households == 0 and not support_of(survey).passed


# --- coverage and results --------------------------------------------------------------------


def test_coverage_counts_answers_and_refusals_at_the_door_only(staff, five, grid_worker, worker_b):
    survey, _ = consent_survey(staff, estate=five.estate)
    agree_in(staff, survey, five, {"101": "同意"})
    visit_record(actor=grid_worker, survey=survey, household=five.homes["102"], outcome="refused")
    visit_record(
        actor=grid_worker, survey=survey, household=five.homes["103"], outcome="nobody_home"
    )
    visit_record(
        actor=grid_worker, survey=survey, household=five.homes["103"], outcome="nobody_home"
    )
    visit_record(actor=grid_worker, survey=survey, household=five.homes["104"], outcome="moved")
    # A refusal of a household that answered later counts once, as answered.
    visit_record(actor=grid_worker, survey=survey, household=five.homes["101"], outcome="refused")
    seen = selectors.coverage(survey, user=staff)
    assert (seen.households, seen.answered, seen.refused, seen.covered) == (6, 1, 1, 2)
    assert seen.share == Fraction(1, 3) and not seen.full
    (b1, rows1), (b2, rows2) = seen.uncovered_rows
    assert b1 == "滨江花园1栋" and [r.door for r in rows1] == ["1单元103", "1单元104", "1单元105"]
    assert rows1[0].calls == "无人在家×2" and rows1[1].calls == "已搬离×1"
    assert b2 == "滨江花园2栋" and [r.head for r in rows2] == ["赵六"]
    # The grid worker of 2栋 counts the same but lists only the doors of their grid.
    theirs = selectors.coverage(survey, user=worker_b)
    assert theirs.covered == 2 and [b for b, _ in theirs.uncovered_rows] == ["滨江花园2栋"]
    err = refused(
        visit_record, actor=worker_b, survey=survey, household=five.homes["105"], outcome="refused"
    )
    assert err.fields == {"household": ["您无权为该户记录走访"]}
    err = refused(
        visit_record, actor=grid_worker, survey=survey, household=five.homes["105"], outcome="gone"
    )
    assert err.fields == {"outcome": ["请选择走访结果：当面拒答、无人在家或已搬离"]}
    err = refused(
        visit_record,
        actor=grid_worker,
        survey=survey,
        household=five.homes["105"],
        outcome="refused",
        note="注" * 201,
    )
    assert err.fields == {"note": ["备注不能超过 200 字"]}
    for number in ("103", "104", "105"):
        agree_in(staff, survey, five, {number: "同意"})
    response_submit(
        actor=worker_b,
        survey=survey,
        answers={f"q{survey.consent_question_id}": "同意"},
        household=five.homes["2-201"],
        person=five.people["赵六"],
    )
    assert selectors.coverage(survey, user=staff).full
    assert AuditEntry.objects.filter(action="survey.visit").count() == 5


def test_results_count_options_over_all_households_and_texts_go_to_staff_only(
    staff, hood, worker_b
):
    survey, questions = survey_of_four(staff, hood)
    q1, q2, q3, q4 = keys(questions)
    response_submit(
        actor=hood.users["张三"],
        survey=survey,
        answers={q1: "是", q2: ["屋面", "管网"], q3: "楼道灯坏了", q4: "晚上"},
    )
    response_submit(
        actor=hood.users["赵六"], survey=survey, answers={q1: "否", q2: ["管网"], q4: "周末"}
    )
    shown = selectors.results(survey, staff=staff)
    assert [(o.option, o.count, o.share) for o in shown[0].options] == [
        ("是", 1, Fraction(1, 3)),
        ("否", 1, Fraction(1, 3)),
    ]
    assert [(o.option, o.count) for o in shown[1].options] == [
        ("屋面", 1),
        ("管网", 2),
        ("电梯", 0),
    ]
    assert shown[2].texts == ["楼道灯坏了"] and shown[3].texts == ["晚上", "周末"]
    # The grid worker of 2栋 reads the texts of their grid only; a resident's view none.
    assert selectors.results(survey, staff=worker_b)[3].texts == ["周末"]
    assert all(r.texts == [] for r in selectors.results(survey))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_members_answering_at_once_leave_one_current_answer(tree, caplog, user_with):
    if connection.vendor != "postgresql":
        pytest.skip("two connections racing: the PostgreSQL run proves it")
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    estate = Estate.objects.create(name="并发小区", area=tree.comm_a1)
    building = Building.objects.create(estate=estate, number="9栋", area=tree.grid_a1a)
    hood = Hood(estate, building, building)
    home(hood, building, "101", "周甲", "周乙", caplog=caplog)
    survey, agree = consent_survey(staff, building=building)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def answer(user, choice: str) -> None:
        try:
            barrier.wait()
            response_submit(actor=user, survey=survey, answers={f"q{agree.pk}": choice})
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer, args=(hood.users["周甲"], "同意")),
        threading.Thread(target=answer, args=(hood.users["周乙"], "不同意")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Response.objects.filter(survey=survey).count() == 2
    assert Response.objects.filter(survey=survey, current=True).count() == 1


def test_the_demo_has_an_open_survey_and_a_passed_one():
    from shequtong.core.demo import seed_demo

    seed_demo()
    running = Survey.objects.get(title="加装电梯意愿调查")
    assert running.status == "open" and running.responses.filter(current=True).exists()
    assert running.visits.filter(outcome="refused").count() == 1
    renovation = Survey.objects.get(title="老旧小区改造集中民意征询")
    support = support_of(renovation)
    assert renovation.status == "closed" and support.passed and support.households > 0
