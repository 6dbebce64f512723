"""The survey pages: the office makes and opens a survey, a resident answers on /m/ and gets a
receipt, a grid worker keys in at the door; nobody reaches another community's survey, a
resident outside the place is refused, and bad input is a Chinese refusal, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from shequtong.core.choices import Role
from shequtong.surveys.models import Question, Response, Survey, Visit
from shequtong.surveys.services import (
    question_add,
    response_submit,
    survey_close,
    survey_open,
    visit_record,
)
from tests.surveys.conftest import consent_survey, draft

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return response.content.decode()


def test_the_office_makes_a_survey_and_opens_it(staff, hood):
    desk = client_for(staff)
    assert desk.get("/console/surveys/new/").status_code == 200
    response = desk.post(
        "/console/surveys/new/",
        {
            "title": "加装电梯意愿",
            "intro": "",
            "opens_at": "2026-12-01T09:00",
            "closes_at": "2099-12-31T18:00",
            "building": hood.b1.pk,
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and response.url == f"/console/surveys/{survey.pk}/"
    page = text_of(desk.get(response.url))
    assert 'value="2026-12-01T09:00"' in page  # the window round-trips in ISO
    response = desk.post(
        f"/console/surveys/{survey.pk}/questions/",
        {
            "new-kind": "single",
            "new-text": "是否支持",
            "new-options": "支持\n不支持\n",
            "new-required": "on",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get(survey=survey)
    assert question.options == ["支持", "不支持"] and question.required
    response = desk.post(
        f"/console/surveys/{survey.pk}/consent/", {"question": question.pk, "option": "支持"}
    )
    assert response.status_code == 302
    assert desk.post(f"/console/surveys/{survey.pk}/open/").status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open" and survey.consent_option == "支持"
    listing = text_of(desk.get("/console/surveys/"))
    assert "加装电梯意愿" in listing and "集中民意" in listing


def test_bad_input_is_refused_in_chinese(staff, hood):
    desk = client_for(staff)
    survey = draft(staff, estate=hood.estate)
    options = "\n".join(f"选项{n}" for n in range(21))
    response = desk.post(
        f"/console/surveys/{survey.pk}/questions/",
        {"new-kind": "single", "new-text": "题", "new-options": options},
    )
    assert response.status_code == 400 and "每题最多 20 个选项" in text_of(response)
    response = desk.post(
        f"/console/surveys/{survey.pk}/questions/",
        {"new-kind": "multiple", "new-text": "题", "new-options": "甲\n乙", "new-max_choices": "x"},
    )
    assert response.status_code == 400 and "最多选几项" in text_of(response)
    response = desk.post(
        "/console/surveys/new/", {"title": "无范围", "opens_at": "2026-12-01T09:00"}
    )
    assert response.status_code == 400 and "截止时间" in text_of(response)
    response = desk.post(f"/console/surveys/{survey.pk}/consent/", {"question": "abc"})
    assert response.status_code == 400 and "同意率计算题" in text_of(response)
    assert desk.post(f"/console/surveys/{survey.pk}/open/").status_code == 400
    survey2, _ = consent_survey(staff, estate=hood.estate)
    response = desk.get(f"/console/surveys/{survey2.pk}/visit/?household=abc")
    assert response.status_code == 400 and "户应为整数" in text_of(response)


def test_a_resident_answers_replaces_the_answer_and_gets_a_receipt(staff, hood):
    survey, agree = consent_survey(staff, estate=hood.estate)
    phone = client_for(hood.users["张三"])
    listing = text_of(phone.get("/m/surveys/"))
    assert "小区改造意见征询" in listing and "待作答" in listing
    form = text_of(phone.get(f"/m/surveys/{survey.pk}/"))
    assert 'type="radio"' in form and f'name="q{agree.pk}"' in form
    response = phone.post(f"/m/surveys/{survey.pk}/", {f"q{agree.pk}": "同意"})
    assert response.status_code == 302 and response.url == f"/m/surveys/{survey.pk}/receipt/"
    first = Response.objects.get(current=True)
    receipt = text_of(phone.get(response.url))
    assert first.receipt in receipt and "同意" in receipt
    # Another adult of the household sees the household's answer and may replace it.
    other = client_for(hood.users["李四"])
    again = text_of(other.get(f"/m/surveys/{survey.pk}/"))
    assert "提交后将替换本户原来的答卷" in again and "checked" in again
    assert other.post(f"/m/surveys/{survey.pk}/", {}).status_code == 400  # 第1题为必答题
    other.post(f"/m/surveys/{survey.pk}/", {f"q{agree.pk}": "不同意"})
    assert Response.objects.get(current=True).person == hood.people["李四"]
    assert "由家庭成员" in text_of(phone.get(f"/m/surveys/{survey.pk}/receipt/"))


def test_after_the_close_residents_see_counts_never_texts(staff, hood):
    survey = draft(staff, estate=hood.estate)
    choice = question_add(
        actor=staff, survey=survey, kind="single", text="是否同意", options=["同意", "不同意"]
    )
    text = question_add(actor=staff, survey=survey, kind="text", text="意见", required=False)
    survey_open(actor=staff, survey=survey)
    response_submit(
        actor=hood.users["赵六"],
        survey=survey,
        answers={f"q{choice.pk}": "同意", f"q{text.pk}": "赵六家楼道漏水"},
    )
    phone = client_for(hood.users["张三"])
    assert "调查结果" not in text_of(phone.get(f"/m/surveys/{survey.pk}/"))
    survey_close(actor=staff, survey=survey)
    page = text_of(phone.get(f"/m/surveys/{survey.pk}/"))
    assert "调查结果" in page and "1 户" in page and "占全部住户 33.3%" in page
    assert "楼道漏水" not in page and "赵六" not in page
    assert phone.post(f"/m/surveys/{survey.pk}/", {f"q{choice.pk}": "同意"}).status_code == 400
    desk = text_of(client_for(staff).get(f"/console/surveys/{survey.pk}/results/"))
    assert "赵六家楼道漏水" in desk


def test_a_resident_outside_the_place_is_refused(staff, hood):
    survey, agree = consent_survey(staff, building=hood.b1)
    far = client_for(hood.users["孙七"])
    assert f"survey-{survey.pk}" not in text_of(far.get("/m/surveys/"))
    assert far.get(f"/m/surveys/{survey.pk}/").status_code == 404
    assert far.post(f"/m/surveys/{survey.pk}/", {f"q{agree.pk}": "同意"}).status_code == 404
    neighbour = client_for(hood.users["赵六"])  # 2栋: the survey is 1栋's
    assert neighbour.get(f"/m/surveys/{survey.pk}/").status_code == 404
    assert Response.objects.count() == 0


def test_another_communitys_staff_reach_nothing(staff, hood, tree, user_with):
    survey, _ = consent_survey(staff, estate=hood.estate)
    other = client_for(user_with(Role.COMMUNITY_STAFF, tree.comm_b1))
    assert f"/console/surveys/{survey.pk}/" not in text_of(other.get("/console/surveys/"))
    for url in ("", "results/", "visit/", f"visit/?household={hood.homes['102'].pk}"):
        assert other.get(f"/console/surveys/{survey.pk}/{url}").status_code == 404, url
    for url in ("close/", f"visit/{hood.homes['102'].pk}/record/"):
        assert other.post(f"/console/surveys/{survey.pk}/{url}").status_code == 404, url
    assert Survey.objects.get(pk=survey.pk).status == "open"
    resident = client_for(hood.users["张三"])
    assert resident.get("/console/surveys/").status_code == 403


def test_a_grid_worker_keys_in_at_the_door_of_their_grid(staff, hood, grid_worker, worker_b):
    survey, agree = consent_survey(staff, estate=hood.estate)
    phone = client_for(grid_worker)
    assert f"/console/surveys/{survey.pk}/" in text_of(phone.get("/console/surveys/"))
    visit = text_of(phone.get(f"/console/surveys/{survey.pk}/visit/"))
    assert "1单元102" in visit and "王五" in visit and "2栋" not in visit
    h102 = hood.homes["102"]
    page = text_of(phone.get(f"/console/surveys/{survey.pk}/visit/?household={h102.pk}"))
    assert "录入答卷" in page and "王五" in page
    response = phone.post(
        f"/console/surveys/{survey.pk}/visit/{h102.pk}/record/", {"outcome": "nobody_home"}
    )
    assert response.status_code == 302
    assert Visit.objects.get().outcome == "nobody_home"
    response = phone.post(
        f"/console/surveys/{survey.pk}/visit/{h102.pk}/answer/",
        {"person": hood.people["王五"].pk, f"q{agree.pk}": "同意"},
    )
    assert response.status_code == 302
    assert Response.objects.get(current=True).channel == "visit"
    h201 = hood.homes["2-201"]
    assert phone.get(f"/console/surveys/{survey.pk}/visit/?household={h201.pk}").status_code == 404
    assert (
        phone.post(
            f"/console/surveys/{survey.pk}/visit/{h201.pk}/record/", {"outcome": "refused"}
        ).status_code
        == 404
    )
    # The grid worker may not change the survey itself.
    assert phone.post(f"/console/surveys/{survey.pk}/close/").status_code == 400
    results = text_of(client_for(staff).get(f"/console/surveys/{survey.pk}/results/"))
    assert "已覆盖 1 / 3 户" in results and "2栋" in results and "1单元102" not in results
    visit_record(actor=worker_b, survey=survey, household=h201, outcome="refused")
    results = text_of(client_for(staff).get(f"/console/surveys/{survey.pk}/results/"))
    assert "已覆盖 2 / 3 户" in results and "当面拒答 1 户" in results


def test_the_list_page_queries_are_pinned(staff, hood, django_assert_num_queries):
    desk = client_for(staff)
    consent_survey(staff, estate=hood.estate)
    desk.get("/console/surveys/")  # warm the session and grants
    with django_assert_num_queries(QUERIES):
        desk.get("/console/surveys/")
    for n in range(5):
        consent_survey(staff, building=hood.b1, title=f"问卷{n}")
    with django_assert_num_queries(QUERIES):
        assert desk.get("/console/surveys/").status_code == 200


QUERIES = 9  # session, user, grants, the count and the page, the menu's checks
