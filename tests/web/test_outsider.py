"""The demo district probed as an outsider would, with no login: every Open311 answer and every
page that answers at all holds nothing personal — no resident's name, ID or phone number, door,
or health note; no care follow-up, dispute or hazard at a home."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shequtong.care.alarms import alarm_act
from shequtong.care.models import Alarm, CareProfile
from shequtong.cases.models import Case, Category
from shequtong.core.choices import Role
from shequtong.core.demo import seed_demo
from shequtong.core.models import Area, User
from shequtong.core.selectors import users_granted
from shequtong.registry.models import Dwelling, Estate, Person

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        # The review's finding: a care alarm closed with 转事件跟进 opened a case naming the
        # person, their living situation and health.
        alarm = Alarm.objects.select_related("profile").first()
        staff = users_granted(roles={Role.COMMUNITY_STAFF}, area_path=alarm.area_path)[0]
        with _on_commit_now():
            alarm_act(
                actor=staff,
                alarm=alarm,
                action="resolve",
                outcome="hospital",
                note="老人摔倒，有高血压和糖尿病",
                follow_up=True,
            )
        yield
        transaction.set_rollback(True)


class _on_commit_now:  # noqa: N801  (a context manager read as a phrase)
    """Run on-commit callbacks at once inside the fixture's transaction (the event and the
    receiver that opens the case)."""

    def __enter__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.before = len(connection.run_on_commit)

    def __exit__(self, *exc: object) -> None:
        while len(self.connection.run_on_commit) > self.before:
            _, callback, _ = self.connection.run_on_commit.pop(self.before)
            callback()


def _secrets() -> set[str]:
    """Everything personal the demo holds, as it would appear in a page."""
    words: set[str] = set()
    public_names = set(Area.objects.values_list("name", flat=True))
    public_names |= set(Category.objects.values_list("name", flat=True))
    public_names |= set(Estate.objects.values_list("name", flat=True))
    for name, id_number, phone in Person.objects.values_list("name", "id_number", "phone"):
        if not any(name in public for public in public_names):
            words.add(name)
        words.add(id_number)
        if phone:
            words.add(phone)
    words |= {str(d) for d in Dwelling.objects.select_related("building__estate")}
    words |= {p.health_notes for p in CareProfile.objects.all() if p.health_notes}
    words |= {u.phone for u in User.objects.all() if u.phone}
    words |= {"高血压", "糖尿病", "独居）"}
    return {w for w in words if w and len(w) >= 2}


def _plain_paths(patterns=None, prefix: str = "") -> Iterator[str]:
    """Every URL of the platform that takes no argument."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _plain_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and "<" not in route and "(?P" not in route:
            yield "/" + (prefix + route).lstrip("^").rstrip("$").replace("^", "")


def test_no_anonymous_answer_holds_anything_personal(demo):
    client = Client()
    numbers = list(Case.objects.values_list("created_at", "pk"))
    followed = Case.objects.get(source="device")
    assert not followed.public and "高血压" not in followed.description  # fixed at the cause
    bodies: dict[str, str] = {}
    paths = [p for p in _plain_paths() if not p.startswith("/admin")]
    paths += [
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        "/open311/v2/requests.json?status=closed",
        "/open311/v2/services.json",
    ]
    paths += [f"/open311/v2/requests/{c.number}.json" for c in Case.objects.all()]
    paths += [f"/open311/v2/requests/{c.number}.xml" for c in Case.objects.all()]
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code == 200 and not response.streaming:
            bodies[path] = response.content.decode("utf-8", "replace")
    assert len(numbers) > 20 and any("/requests.json" in p for p in bodies)
    listed = bodies["/open311/v2/requests.json"].count('"service_request_id"')
    assert 0 < listed < len(numbers)  # the public ones, not all
    leaks = {
        path: sorted(secret for secret in _secrets() if secret in body)
        for path, body in bodies.items()
    }
    assert {path: found for path, found in leaks.items() if found} == {}
    # Non-public cases are not found one by one either.
    for case in Case.objects.filter(public=False):
        assert client.get(f"/open311/v2/requests/{case.number}.json").status_code == 404
    assert re.search(r'"address": "[^"]*单元\d', bodies["/open311/v2/requests.json"]) is None
