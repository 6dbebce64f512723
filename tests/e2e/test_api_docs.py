"""The interactive API docs render on an intranet: Swagger UI from the platform's own static
files, under its strict Content-Security-Policy."""

from __future__ import annotations

import pytest

from .conftest import screenshot

# serialized_rollback like every other transactional test: a flush without it re-creates the
# content types under new ids, and the next serialized test then restores duplicates.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_swagger_ui_renders_the_api_from_the_platform_alone(page, live_server, settings):
    settings.SHEQUTONG_PUBLISH_API_DOCS = True
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "社区通 API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 20  # the operations, read from openapi.json
    screenshot(page, "api-docs")
