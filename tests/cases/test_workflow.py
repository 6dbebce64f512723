"""A case from the resident's report to their rating, through every tier of 吹哨报到."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import prcoords
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequtong.cases import workflow
from shequtong.cases.choices import (
    CaseSource,
    CaseStatus,
    HandlerLevel,
    PhotoStage,
    Rating,
    SummonsRole,
    SummonsStatus,
)
from shequtong.cases.models import Case, Category, Summons
from shequtong.cases.services import (
    case_act,
    case_rate,
    case_report,
    report_once,
    summons_respond,
    summons_review,
)
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import Notification, RoleGrant, User
from shequtong.registry.models import Estate
from tests.core.factories import AreaTree, DepartmentFactory, UserFactory

from .factories import IN_B1A, jpeg, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree: AreaTree, user_with: Callable[..., User]) -> dict[str, User]:
    fire = DepartmentFactory(area=tree.sub_a, name="消防救援站")
    police = DepartmentFactory(area=tree.sub_a, name="派出所")
    handler = UserFactory()
    RoleGrant.objects.create(
        user=handler,
        role=Role.DEPARTMENT_HANDLER,
        area=tree.sub_a,
        area_path=tree.sub_a.path,
        department=fire,
    )
    return {
        "resident": user_with(Role.RESIDENT, tree.comm_a1),
        "grid": user_with(Role.GRID_WORKER, tree.grid_a1a),
        "other_grid": user_with(Role.GRID_WORKER, tree.grid_a1b),
        "community": user_with(Role.COMMUNITY_STAFF, tree.comm_a1),
        "subdistrict": user_with(Role.SUBDISTRICT_ADMIN, tree.sub_a),
        "fire": handler,
        "fire_dept": fire,  # type: ignore[dict-item]
        "police_dept": police,  # type: ignore[dict-item]
    }


def test_the_whole_walk_of_a_blocked_fire_escape(tree: AreaTree, people: dict) -> None:
    resident, grid = people["resident"], people["grid"]
    case = case_report(actor=resident, report=report(photos=[jpeg()]))

    # Found its grid from the point; went straight to the grid worker, who was told.
    assert case.area == tree.grid_a1a
    assert (case.status, case.handler_level) == (CaseStatus.ASSIGNED, HandlerLevel.GRID)
    assert case.photos.get().stage == PhotoStage.REPORT
    assert Notification.objects.filter(user=grid, title__contains=case.number).exists()
    assert case.due_at is not None and case.due_at > timezone.now()

    case = case_act(actor=grid, case=case, action="start")
    assert case.status == CaseStatus.IN_PROGRESS
    # The grid worker cannot move the owners' boxes: the community calls the subdistrict.
    case = case_act(actor=grid, case=case, action="return", note="业主拒不清理，需执法")
    assert (case.status, case.handler_level) == (CaseStatus.RETURNED, HandlerLevel.COMMUNITY)
    case = case_act(actor=people["community"], case=case, action="whistle", note="需消防部门执法")
    assert (case.status, case.handler_level) == (CaseStatus.ASSIGNED, HandlerLevel.SUBDISTRICT)
    assert Notification.objects.filter(user=people["subdistrict"]).exists()

    case = case_act(
        actor=people["subdistrict"],
        case=case,
        action="summon",
        note="街道吹哨，消防主办、派出所协办",
        lead=people["fire_dept"],
        co=[people["police_dept"]],
    )
    assert case.handler_level == HandlerLevel.DEPARTMENT
    lead = Summons.objects.get(case=case, role=SummonsRole.LEAD)
    assert lead.department == people["fire_dept"] and lead.respond_by > timezone.now()
    assert Notification.objects.filter(user=people["fire"]).exists()

    summons_respond(actor=people["fire"], summons=lead, accept=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS

    with pytest.raises(DomainError, match="处置后照片"):
        case_act(actor=people["fire"], case=case, action="resolve", note="已清理")
    case = case_act(
        actor=people["fire"], case=case, action="resolve", note="已责令清理", photos=[jpeg()]
    )
    assert case.status == CaseStatus.RESOLVED
    assert case.photos.filter(stage=PhotoStage.AFTER).count() == 1
    assert Notification.objects.filter(user=resident, title__contains="已办结").exists()
    # The police never reported in: not left 待报到 on a finished case.
    co = Summons.objects.get(case=case, role=SummonsRole.CO)
    assert co.status == SummonsStatus.LAPSED and co.get_status_display() == "未报到（已办结）"

    case = case_rate(actor=resident, case=case, rating=Rating.SATISFIED, comment="很快")
    # A hazard waits for the acceptance check on site, with photos, to close.
    assert case.status == CaseStatus.RESOLVED and case.rating == Rating.SATISFIED
    assert "close" not in {t.name for t in workflow.available(people["community"], case)}
    with pytest.raises(DomainError, match="验收须上传现场照片"):
        case_act(actor=people["community"], case=case, action="verify", note="现场已畅通")
    case = case_act(
        actor=people["community"], case=case, action="verify", note="现场已畅通", photos=[jpeg()]
    )
    assert case.status == CaseStatus.CLOSED and case.hazard.accepted_by == people["community"]
    # The acceptance check's photo is the site as accepted, not once more 处置后.
    assert case.photos.filter(stage=PhotoStage.ACCEPTANCE).get().get_stage_display() == "验收"

    actions = list(case.steps.values_list("action", flat=True))
    assert actions == [
        "report",
        "assign",
        "start",
        "return",
        "whistle",
        "summon",
        "report_in",
        "resolve",
        "rate",
        "verify",
    ]


def test_the_state_machine_refuses_what_it_does_not_allow(tree: AreaTree, people: dict) -> None:
    case = case_report(actor=people["resident"], report=report())
    with pytest.raises(DomainError, match="不能办结"):
        case_act(actor=people["grid"], case=case, action="resolve", note="x")
    with pytest.raises(PermissionDeniedError):
        case_act(actor=people["other_grid"], case=case, action="start")
    with pytest.raises(DomainError, match="须填写说明"):
        case_act(actor=people["grid"], case=case, action="return", note="  ")
    with pytest.raises(DomainError, match="没有"):
        case_act(actor=people["grid"], case=case, action="teleport")
    # Nothing happened: still assigned, one report and one dispatch step.
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED and case.steps.count() == 2
    assert {t.name for t in workflow.available(people["grid"], case)} == {"start", "return"}
    assert workflow.available(people["other_grid"], case) == []


def test_a_department_answers_only_its_own_summons(tree: AreaTree, people: dict) -> None:
    case = case_report(actor=people["resident"], report=report())
    case = case_act(
        actor=people["subdistrict"],
        case=case,
        action="summon",
        note="吹哨",
        lead=people["police_dept"],
    )
    police = Summons.objects.get(case=case)
    # The fire handler was not summoned: cannot see it, cannot answer for the police.
    assert not Case.objects.scoped(people["fire"], "read").filter(pk=case.pk).exists()
    with pytest.raises(PermissionDeniedError, match="未召集"):
        summons_respond(actor=people["fire"], summons=police, accept=True)


def test_an_objection_upheld_hands_the_case_back_to_the_subdistrict(
    tree: AreaTree, people: dict
) -> None:
    case = case_report(actor=people["resident"], report=report())
    case = case_act(
        actor=people["subdistrict"],
        case=case,
        action="summon",
        note="吹哨",
        lead=people["fire_dept"],
    )
    summons = Summons.objects.get(case=case)
    with pytest.raises(DomainError, match="理由"):
        summons_respond(actor=people["fire"], summons=summons, accept=False)
    summons_respond(actor=people["fire"], summons=summons, accept=False, reason="不属消防职责")
    with pytest.raises(DomainError, match="不能再次答复"):
        summons_respond(actor=people["fire"], summons=summons, accept=True)

    summons_review(actor=people["subdistrict"], summons=summons, uphold=True, note="改派")
    case.refresh_from_db()
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.RELEASED
    assert (case.handler_level, case.department) == (HandlerLevel.SUBDISTRICT, None)
    # The same department can be summoned again after its release.
    case_act(
        actor=people["subdistrict"],
        case=case,
        action="summon",
        note="再吹哨",
        lead=people["fire_dept"],
    )
    assert Summons.objects.filter(case=case, status=SummonsStatus.PENDING).count() == 1


def test_an_objection_overruled_makes_the_department_handle_it(
    tree: AreaTree, people: dict
) -> None:
    case = case_report(actor=people["resident"], report=report())
    case_act(
        actor=people["subdistrict"],
        case=case,
        action="summon",
        note="吹哨",
        lead=people["fire_dept"],
    )
    summons = Summons.objects.get(case=case)
    summons_respond(actor=people["fire"], summons=summons, accept=False, reason="不归我们")
    with pytest.raises(PermissionDeniedError):
        summons_review(actor=people["community"], summons=summons, uphold=False, note="驳回")
    summons_review(
        actor=people["subdistrict"], summons=summons, uphold=False, note="消防通道属消防职责"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_unsatisfied_within_seven_days_reopens_to_the_handler(tree: AreaTree, people: dict) -> None:
    grid, resident = people["grid"], people["resident"]
    case = case_report(actor=resident, report=report(code="city-garbage"))
    case = case_act(actor=grid, case=case, action="start")
    case = case_act(actor=grid, case=case, action="resolve", note="已清运")
    with pytest.raises(PermissionDeniedError):
        case_rate(actor=people["community"], case=case, rating=Rating.SATISFIED)

    case = case_rate(actor=resident, case=case, rating=Rating.UNSATISFIED, comment="还有垃圾")
    assert case.status == CaseStatus.IN_PROGRESS and case.reopen_count == 1
    assert case.handler_level == HandlerLevel.GRID
    assert case.steps.last().action == "reopen"

    case = case_act(actor=grid, case=case, action="resolve", note="再次清运")
    long_ago = timezone.now() - timedelta(days=9)  # the first rating, then the re-resolution
    Case.objects.filter(pk=case.pk).update(
        rated_at=long_ago, resolved_at=long_ago + timedelta(days=1)
    )
    case = case_rate(actor=resident, case=case, rating=Rating.UNSATISFIED)
    assert case.status == CaseStatus.CLOSED  # too late to reopen: the rating is recorded


def test_a_double_tap_makes_one_case(tree: AreaTree, people: dict) -> None:
    first = case_report(actor=people["resident"], report=report(idempotency_key="tap-1"))
    again = case_report(actor=people["resident"], report=report(idempotency_key="tap-1"))
    assert first.pk == again.pk and Case.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_report_outside_a_transaction_is_written_at_once_and_a_retry_finds_it(
    tree: AreaTree, people: dict
) -> None:
    resident = people["resident"]
    with CaptureQueriesContext(connection) as statements:
        first = report_once(actor=resident, report=report(idempotency_key="tap-2"))
    again = report_once(actor=resident, report=report(idempotency_key="tap-2"))

    assert first.created and not again.created and again.case.pk == first.case.pk
    assert Case.objects.count() == 1
    assert list(first.case.steps.order_by("pk").values_list("action", flat=True)) == [
        "report",
        "assign",  # a grid's own problem goes straight to its grid workers
    ]
    stored = Case.objects.get(pk=first.case.pk)  # the notice quotes the number it was filed as
    assert Notification.objects.filter(title__contains=stored.number).exists()
    if connection.vendor == "postgresql":  # the id, then one statement: atomic on its own
        sent = [q["sql"].split()[0] for q in statements]
        written = sent.index("WITH")
        assert sent.count("WITH") == 1 and "BEGIN" not in sent[:written]
        # What follows is the audit seal after the commit (a thread of its own in production).
        assert all(q["sql"].split()[0] != "WITH" for q in statements[written + 1 :])


def test_a_hotline_order_number_is_imported_once(tree: AreaTree) -> None:
    made = [
        case_report(
            actor=None,
            report=report(
                code="hotline-complaint", source=CaseSource.HOTLINE, external_id="GD2026112400017"
            ),
        )
        for _ in range(2)
    ]
    assert made[0].pk == made[1].pk


def test_location_comes_from_the_point_then_the_address(tree: AreaTree, people: dict) -> None:
    # GCJ-02 from a phone's map is converted before the lookup.
    gcj = prcoords.wgs_gcj(prcoords.Coords(IN_B1A[1], IN_B1A[0]))
    case = case_report(
        actor=people["resident"],
        report=report(point=(gcj.lon, gcj.lat), coord_system="gcj02"),
    )
    assert case.area == tree.grid_b1a
    assert abs(case.lon - IN_B1A[0]) < 1e-6 and abs(case.lat - IN_B1A[1]) < 1e-6

    Estate.objects.create(name="杨家坪小区", area=tree.comm_a2)
    by_address = case_report(
        actor=people["resident"],
        report=report(point=(None, None), address="杨家坪小区5栋门口"),
    )
    assert by_address.area == tree.comm_a2

    with pytest.raises(DomainError, match="不在本平台管辖范围"):
        case_report(actor=people["resident"], report=report(point=(116.39, 39.9)))


def test_staff_report_only_where_they_work(tree: AreaTree, people: dict) -> None:
    with pytest.raises(PermissionDeniedError):
        case_report(actor=people["grid"], report=report(point=IN_B1A, source=CaseSource.PATROL))
    own = case_report(actor=people["grid"], report=report(source=CaseSource.PATROL))
    assert own.reporter == people["grid"]


def test_a_parent_category_is_not_a_place_to_file(tree: AreaTree, people: dict) -> None:
    parent = Category.objects.get(code="hazard")
    with pytest.raises(DomainError, match="小类"):
        case_report(actor=people["resident"], report=report(category=parent))


def test_suspension_moves_the_deadline_by_the_days_waited(tree: AreaTree, people: dict) -> None:
    grid = people["grid"]
    case = case_report(actor=people["resident"], report=report(code="city-garbage"))
    case = case_act(actor=grid, case=case, action="start")
    due = case.due_at
    with pytest.raises(DomainError, match="恢复日期"):
        case_act(actor=grid, case=case, action="suspend", note="等待业主回来")
    case = case_act(
        actor=grid,
        case=case,
        action="suspend",
        note="等待业主回来",
        resume_on=timezone.localdate() + timedelta(days=10),
    )
    step = case.steps.get(action="suspend")
    type(step).objects.filter(pk=step.pk).update(created_at=timezone.now() - timedelta(days=14))
    case = case_act(actor=grid, case=case, action="resume")
    assert case.status == CaseStatus.IN_PROGRESS and case.due_at > due + timedelta(days=7)


def test_the_reporter_phone_is_stored_encrypted(tree: AreaTree, people: dict) -> None:
    case = case_report(
        actor=None, report=report(reporter_name="王先生", reporter_phone="13812345678")
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [case.pk])
        (raw,) = cursor.fetchone()
    assert "13812345678" not in raw
    assert Case.objects.get(pk=case.pk).reporter_phone == "13812345678"


def test_a_category_asks_its_questions(tree: AreaTree, people: dict) -> None:
    with pytest.raises(DomainError) as refused:
        case_report(actor=people["resident"], report=report(attributes={"grade": "huge"}))
    assert "attribute[grade]" in refused.value.fields
    case = case_report(
        actor=people["resident"], report=report(attributes={"grade": "major", "junk": "x"})
    )
    assert case.attributes == {"grade": "major"}


def test_an_inactive_user_may_take_no_move_superuser_or_not(tree: AreaTree, people: dict) -> None:
    case = case_report(actor=people["resident"], report=report())
    boss = UserFactory(is_superuser=True)
    assert workflow.available(boss, case)  # active: every move the state allows
    boss.is_active = False
    boss.save()
    assert workflow.available(boss, case) == []
    with pytest.raises(PermissionDeniedError):
        case_act(actor=boss, case=case, action="start")
    grid = people["grid"]
    grid.is_active = False
    grid.save()
    with pytest.raises(PermissionDeniedError):
        case_act(actor=grid, case=case, action="start")


def test_a_user_with_two_grants_works_in_both_and_nowhere_else(
    tree: AreaTree, people: dict, user_with: Callable[..., User]
) -> None:
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a)
    RoleGrant.objects.create(
        user=worker, role=Role.GRID_WORKER, area=tree.grid_b1a, area_path=tree.grid_b1a.path
    )
    resident = people["resident"]
    here = case_report(actor=resident, report=report())
    there = case_report(actor=resident, report=report(point=IN_B1A))
    assert case_act(actor=worker, case=here, action="start").status == CaseStatus.IN_PROGRESS
    assert case_act(actor=worker, case=there, action="start").status == CaseStatus.IN_PROGRESS
    elsewhere = case_report(actor=resident, report=report(point=(101.715, 26.505)))
    assert elsewhere.area == tree.grid_a1b
    assert not workflow.may(worker, workflow.HOLDERS[HandlerLevel.GRID], elsewhere)


def test_a_summons_is_answered_only_by_the_summoned_department(
    tree: AreaTree, people: dict
) -> None:
    case = case_report(actor=people["resident"], report=report())
    case = case_act(actor=people["grid"], case=case, action="return", note="需执法")
    case = case_act(actor=people["community"], case=case, action="whistle", note="需执法")
    case = case_act(
        actor=people["subdistrict"],
        case=case,
        action="summon",
        note="需执法",
        lead=people["police_dept"],
    )
    lead = Summons.objects.get(case=case)
    with pytest.raises(PermissionDeniedError, match="未召集您所在的部门"):
        summons_respond(actor=people["fire"], summons=lead, accept=True)  # the fire station's
    people["fire"].is_active = False
    assert not workflow.may(people["fire"], workflow.HOLDERS[HandlerLevel.DEPARTMENT], case)
