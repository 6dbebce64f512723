"""A household survey as its users live it, on 390 px phones: a resident of 1栋 signs in and
answers (a choice, two boxes, a line of text) and gets a receipt; the grid worker records a
refusal at another door; the results show the coverage and the one door still to visit."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shequtong.accounts.services import claim_submit
from shequtong.core.choices import Role
from shequtong.core.demo import DEMO_PASSWORD
from shequtong.registry.models import Building, Dwelling, Estate
from shequtong.registry.services import PersonData, assets, person_create
from shequtong.surveys.models import Response, Visit
from shequtong.surveys.services import question_add, survey_create, survey_open
from tests.core.factories import GrantedUserFactory, build_area_tree
from tests.registry.factories import id_number
from tests.volunteering.helpers import sign_in as code_sign_in

from .conftest import screenshot
from .test_phone import PHONE, WIDTH
from .test_roles import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
CODE = re.compile(r"验证码 (\d{6})")


def test_a_resident_answers_and_a_grid_worker_records_a_visit_on_phones(
    new_page, live_server, caplog
):
    caplog.set_level(logging.INFO, logger="shequtong.accounts.services")
    tree = build_area_tree()
    staff = GrantedUserFactory(
        role=Role.COMMUNITY_STAFF, area=tree.comm_a1, username="survey_staff"
    )
    worker = GrantedUserFactory(role=Role.GRID_WORKER, area=tree.grid_a1a, username="survey_grid")
    for user in (staff, worker):
        user.set_password(DEMO_PASSWORD)
        user.save()
    estate = Estate.objects.create(name="滨江花园", area=tree.comm_a1)
    b1 = Building.objects.create(estate=estate, number="1栋", area=tree.grid_a1a)
    people = {}
    for n, (name, number) in enumerate([("张建国", "101"), ("李秀兰", "102"), ("王海峰", "201")]):
        dwelling = Dwelling.objects.create(
            building=b1, unit=1, number=number, floor=int(number[0]), area=b1.area
        )
        people[name] = person_create(
            actor=None, data=PersonData(name=name, id_number=id_number(5300 + n)), dwelling=dwelling
        )
        assets.household_create(actor=None, dwelling=dwelling, head=people[name])
    now = timezone.now()
    survey = survey_create(
        actor=staff,
        title="1栋加装电梯意愿调查",
        intro="了解各户对加装电梯的意愿。",
        building=b1,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
    )
    question_add(
        actor=staff,
        survey=survey,
        kind="single",
        text="是否支持加装电梯",
        options=["支持", "不支持"],
    )
    question_add(
        actor=staff,
        survey=survey,
        kind="multiple",
        text="您关心哪些问题",
        options=["出资分摊", "低层采光", "施工噪音"],
        max_choices=2,
    )
    question_add(actor=staff, survey=survey, kind="text", text="其他意见", required=False)
    survey_open(actor=staff, survey=survey)
    reader = people["张建国"]
    account = code_sign_in("13955550011", caplog)
    claim_submit(user=account, name=reader.name, id_number=reader.id_number, community=None)

    # The resident answers on the phone.
    _, phone = new_page(**PHONE)
    phone.goto(f"{live_server.url}/m/login/?next=/m/surveys/")
    phone.get_by_label("手机号").fill("13955550011")
    caplog.clear()
    phone.get_by_role("button", name="获取验证码").click()
    phone.get_by_text("验证码已发送").wait_for()
    phone.get_by_label("验证码").fill(CODE.search(caplog.text).group(1))
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server.url}/m/surveys/")
    assert "待作答" in phone.locator(f"#survey-{survey.pk}").inner_text()
    phone.locator(f"#survey-{survey.pk}").click()
    phone.get_by_label("支持", exact=True).check()
    phone.get_by_label("出资分摊").check()
    phone.get_by_label("施工噪音").check()
    phone.get_by_label("第3题").fill("希望尽快开工")
    phone.wait_for_load_state("networkidle")
    screenshot(phone, "surveys-phone-form")
    assert phone.evaluate(WIDTH) <= 390
    phone.get_by_role("button", name="提交").click()
    phone.get_by_text("已提交，谢谢您的参与").wait_for()
    answer = Response.objects.get(current=True)
    assert answer.receipt in phone.locator("#receipt").inner_text()
    assert answer.channel == "online" and answer.person == reader
    phone.wait_for_load_state("networkidle")
    screenshot(phone, "surveys-phone-receipt")
    assert phone.evaluate(WIDTH) <= 390

    # The grid worker calls at 102 and records a refusal, on the phone.
    _, field = new_page(**PHONE)
    sign_in(field, live_server, "survey_grid")
    field.goto(f"{live_server.url}/console/surveys/{survey.pk}/visit/")
    assert "已覆盖 1 / 3 户" in field.locator("#coverage-count").inner_text()
    field.locator("#uncovered").get_by_text("1单元102").click()
    field.get_by_label("走访结果").select_option("refused")
    field.get_by_label("备注").fill("不愿作答")
    field.wait_for_load_state("networkidle")
    screenshot(field, "surveys-phone-visit")
    assert field.evaluate(WIDTH) <= 390
    field.get_by_role("button", name="记录走访").click()
    field.get_by_text("当面拒答").first.wait_for()
    assert Visit.objects.get().outcome == "refused"
    assert "已覆盖 2 / 3 户" in field.locator("#coverage-count").inner_text()

    # The results show the coverage and the one door left: 201.
    field.goto(f"{live_server.url}/console/surveys/{survey.pk}/results/")
    assert "已覆盖 2 / 3 户（66.7%）" in field.locator("#coverage-count").inner_text()
    uncovered = field.locator("#uncovered").inner_text()
    assert "1单元201" in uncovered and "1单元102" not in uncovered
    assert "希望尽快开工" in field.locator("#results").inner_text()
    field.wait_for_load_state("networkidle")
    screenshot(field, "surveys-phone-results")
    assert field.evaluate(WIDTH) <= 390
