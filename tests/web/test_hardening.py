"""Web hardening a 等保 level-3 review asks for: the Content-Security-Policy, no caching of
personal answers, API docs served from the platform and closed in production."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from shequtong.core.choices import Role

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_self_only_policy(client, grid_worker):
    client.force_login(grid_worker)
    policy = client.get("/console/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_template_keeps_an_inline_script_or_style():
    from pathlib import Path

    import shequtong

    root = Path(shequtong.__file__).parent
    offenders = []
    for template in root.glob("*/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        inline_script = re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text)
        if inline_script or 'style="' in text or "<style" in text or re.search(r" on[a-z]+=", text):
            offenders.append(str(template.relative_to(root)))
    assert offenders == []


@pytest.mark.parametrize("path", ["/console/", "/api/v1/me", "/console/registry/persons/"])
def test_personal_answers_are_never_stored_by_a_browser_or_proxy(client, district_admin, path):
    client.force_login(district_admin)
    assert "no-store" in client.get(path)["Cache-Control"]


def test_a_revealed_number_is_not_cached(client, district_admin, grid_worker):
    client.force_login(district_admin)
    response = client.post(f"/console/staff/{grid_worker.pk}/reveal-phone/")
    assert grid_worker.phone in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_api_docs_are_served_from_the_platform(client, settings):
    settings.SHEQUTONG_PUBLISH_API_DOCS = True
    page = client.get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    for source in sources:
        assert finders.find(source.removeprefix("/static/")), source
    assert "<script>" not in page  # the settings travel as JSON, run by a static script


def test_in_production_the_api_docs_need_a_staff_login(client, settings, tree, user_with):
    settings.SHEQUTONG_PUBLISH_API_DOCS = False
    for path in ("/api/v1/docs", "/api/v1/openapi.json"):
        client.logout()
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/console/login/" in anonymous["Location"]
        client.force_login(user_with(Role.RESIDENT, tree.comm_a1))
        assert client.get(path).status_code == 403
        client.force_login(user_with(Role.GRID_WORKER, tree.grid_a1a))
        assert client.get(path).status_code == 200


def test_error_pages_render_without_static_files(client, settings, tmp_path):
    """A production install whose collectstatic did not run: the 404 and 500 pages still
    answer in Chinese instead of failing on a missing manifest entry."""
    from django.test import RequestFactory

    from shequtong.web.views.errors import error_500

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path
    settings.DEBUG = False
    missing = client.get("/console/no-such-page/")
    assert missing.status_code == 404 and "找不到页面" in missing.content.decode()
    failed = error_500(RequestFactory().get("/console/"))
    assert failed.status_code == 500 and "服务器错误" in failed.content.decode()


@pytest.mark.django_db(transaction=False)
def test_a_nul_character_is_refused_by_field_on_every_surface(client, district_admin, tree):
    api = client.post(
        "/api/v1/cases",
        '{"description": "垃圾\\u0000满了", "lon": 101.705, "lat": 26.505}',
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()["fields"] == {"description": ["不能包含空字符（\\0）"]}
    open311 = client.post("/open311/v2/requests.json", {"service_code": "city\x00garbage"})
    assert open311.status_code == 400 and "service_code" in open311.json()[0]["description"]
    client.force_login(district_admin)
    page = client.get("/console/registry/persons/", {"q": "张\x00三"})
    assert page.status_code == 400 and "q不能包含空字符" in page.content.decode()


def test_a_body_past_the_limit_answers_in_the_apis_shape(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(
        "/api/v1/care/ingest", "[" + ",".join(["{}"] * 1000) + "]", content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "请求体过大" in response.json()["message"]
