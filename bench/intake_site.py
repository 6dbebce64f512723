"""Settings, URLs and WSGI application of the server `bench/case_intake.py` measures.

The platform's own settings (production mode) and URLs, plus one baseline endpoint: a
django-ninja POST that inserts one plain row into PostgreSQL — the floor any intake endpoint
served the same way stands on. Importable as settings module, URLconf and WSGI target at once:
Django is set up first, then the URLs (which import models) are defined.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from shequtong.settings import *  # noqa: F403

ROOT_URLCONF = "intake_site"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intake_site")
application = get_wsgi_application()

# After setup: these import the apps' models.
from django.db import connection  # noqa: E402
from django.http import HttpRequest  # noqa: E402
from django.urls import include, path  # noqa: E402
from ninja import NinjaAPI, Schema  # noqa: E402

baseline = NinjaAPI(urls_namespace="bench", docs_url=None)


class PlainIn(Schema):
    body: str


@baseline.post("/plain", auth=None)
def plain(request: HttpRequest, payload: PlainIn) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_plain (body) VALUES (%s) RETURNING id", [payload.body])
        (row_id,) = cursor.fetchone()
    return {"id": row_id}


urlpatterns = [path("bench/", baseline.urls), path("", include("shequtong.urls"))]
