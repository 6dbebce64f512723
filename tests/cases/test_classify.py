"""Category suggestions: the keywords before any history, a model once closed cases exist."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from shequtong.cases import classify
from shequtong.cases.choices import CaseSource, CaseStatus
from shequtong.cases.models import Case, Category
from shequtong.cases.services import case_reclassify, case_report
from shequtong.core.choices import Role

from .factories import report

pytestmark = pytest.mark.django_db

# Descriptions whose words are NOT the categories' keywords, so only a model can learn them.
PHRASES = {
    "city-garbage": ["东门那堆东西发臭了", "回收点附近臭气熏天", "厨余没人收都馊了"],
    "hazard-ebike-charging": ["电驴推进电梯上楼", "有人在家里给电驴过夜插着", "窗口吊下插线板"],
    "dispute-neighbour": ["楼上天天半夜剁肉", "隔壁狗叫一整晚", "对门把鞋柜放到我家门口"],
}


def closed_cases(tree, per_phrase: int = 8) -> None:
    rows = []
    for code, phrases in PHRASES.items():
        category = Category.objects.get(code=code)
        for phrase in phrases:
            for n in range(per_phrase):
                rows.append(
                    Case(
                        area=tree.grid_a1a,
                        area_path=tree.grid_a1a.path,
                        category=category,
                        source=CaseSource.PATROL,
                        status=CaseStatus.CLOSED,
                        description=f"{phrase}，第{n}次反映",
                    )
                )
    Case.objects.bulk_create(rows)


def test_keywords_suggest_before_there_is_any_history(tree):
    found = classify.suggest("3 栋楼道堆放杂物，安全出口被堵住了")
    assert found[0].code == "hazard-fire-escape" and found[0].by == "keywords"
    assert len(found) <= 3
    assert classify.suggest("今天天气不错") == []


def test_too_few_closed_cases_keep_the_keywords(tree):
    out = StringIO()
    call_command("cases", "retrain", stdout=out)
    assert "样本不足" in out.getvalue()
    assert not classify.model_path().exists()


def test_a_model_learns_the_deployments_own_words(tree):
    closed_cases(tree)
    assert classify.by_keywords("窗口吊下插线板") == []  # no keyword knows these words

    out = StringIO()
    call_command("cases", "retrain", stdout=out)
    assert "分类模型已更新：72 条样本、3 个类别" in out.getvalue()

    found = classify.suggest("又有人把电驴推进电梯上楼了")
    assert found[0].code == "hazard-ebike-charging" and found[0].by == "model"
    assert found[0].confidence > 0.5 and len(found) == 3
    assert classify.suggest("隔壁的狗叫一整晚")[0].code == "dispute-neighbour"


def test_the_form_shows_suggestions(client, tree, user_with):
    client.force_login(user_with(Role.RESIDENT, tree.comm_a1))
    page = client.get(reverse("cases:suggest"), {"description": "井盖缺失很危险"}).content
    assert "井盖缺损" in page.decode() and b"data-pick-category" in page


def test_the_dispatcher_reclassifies_and_the_deadline_follows(tree, user_with):
    resident = user_with(Role.RESIDENT, tree.comm_a1)
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    case = case_report(actor=resident, report=report(code="city-garbage"))
    dispute = Category.objects.get(code="dispute-neighbour")  # 10 working days, not 2
    before = case.due_at
    case = case_reclassify(actor=staff, case=case, category=dispute, note="实为邻里纠纷")
    assert case.category == dispute and case.due_at > before
    assert case.steps.last().label == "改类：暴露垃圾 → 邻里纠纷"


def test_the_tree_is_kept_and_dropped_on_change(tree):
    from shequtong.cases.tree import tree as category_tree

    kept = category_tree()
    assert category_tree() is kept  # read once
    manhole = Category.objects.get(code="city-manhole")
    manhole.keywords += " 窨井盖"
    manhole.save()
    assert category_tree() is not kept  # a saved change drops it in this process
    assert "窨井盖" in dict((c.code, w) for c, w in category_tree().keywords)["city-manhole"]
