"""The console home shows each role its real work and figures, declared by the apps: a grid
worker's grid once read 网格全息档案 暂无内容 beside 13 residents, and 走访任务 was always empty."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequtong.care.selectors import visits_due
from shequtong.core import services
from shequtong.core.choices import Role
from shequtong.core.demo import seed_demo
from shequtong.core.models import RoleGrant
from shequtong.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    seed_demo()


def test_a_grid_workers_home_shows_the_grids_residents_and_the_visits_due(client, demo):
    # The first grid whose elders are due a visit under the demo's plans.
    grant, due = next(
        (g, waiting)
        for g in RoleGrant.objects.filter(role=Role.GRID_WORKER).order_by("pk")
        if (waiting := [r for r in visits_due(user=g.user) if r.overdue_days >= 0])
    )
    client.force_login(grant.user)
    page = client.get(reverse("web:home")).content.decode()
    living = Person.objects.filter(area_path__startswith=grant.area.path, status="active")
    assert living.count() > 0
    assert "网格全息档案" in page and f'<div class="num">{living.count()}</div>' in page
    assert "暂无内容" not in page and "即将" not in page
    assert "走访任务" in page and all(r.profile.person.name in page for r in due[:8])
    assert "我的待办" in page


def test_an_auditors_home_counts_the_weeks_reveals(client, demo):
    auditor = RoleGrant.objects.filter(role=Role.AUDITOR).order_by("pk").first().user
    person = Person.objects.first()
    client.force_login(auditor)
    reveals = reveals_shown(client)
    admin = RoleGrant.objects.filter(role=Role.DISTRICT_ADMIN).first().user
    services.pii_reveal(actor=admin, obj=person, field="id_number")
    assert reveals_shown(client) == reveals + 1


def reveals_shown(client) -> int:
    panels = client.get(reverse("web:home")).context["panels"]
    (audit,) = [p for p in panels if p.template == "web/home_audit.html"]
    return {label: n for label, _, n in audit.context["counts"]}["查看个人信息"]


def test_the_menu_is_grouped_by_domain(client, demo):
    admin = RoleGrant.objects.filter(role=Role.DISTRICT_ADMIN).first().user
    client.force_login(admin)
    groups = client.get(reverse("web:home")).context["nav"]
    assert [g.label for g in groups] == [
        "事件处置",
        "智慧养老",
        "居民参与",
        "议事与公开",
        "社区全息档案",
        "系统管理",
    ]
    assert [i.label for i in groups[2].items] == [
        "实名认证",
        "组织账号",
        "志愿者",
        "志愿活动",
        "服务台账",
        "爱心超市",
        "双报到",
        "红黑榜",
    ]
    assert [i.label for i in groups[3].items] == [
        "议事协商",
        "表决",
        "通知公告",
        "公告审核",
        "公示",
        "三务公开",
        "问卷调查",
        "居民公约",
    ]
    assert [i.label for i in groups[4].items][:3] == ["居民档案", "小区", "楼栋"]
