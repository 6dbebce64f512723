"""Failed logins: each one audited where the account's auditors look, then a lockout by django-axes.

The login page belongs to the web app; these tests go through `authenticate()`, which is what
that page calls, with a request as the page would pass it.
"""

from __future__ import annotations

import pytest
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from shequtong.core.audit import audit_verify
from shequtong.core.choices import Role
from shequtong.core.models import AuditEntry, RoleGrant
from shequtong.core.scoping import scoped
from tests.core.factories import PASSWORD

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"


def login_request(address: str = ADDRESS):
    return RequestFactory().post("/console/login/", REMOTE_ADDR=address)


def attempt(username: str, password: str = "wrong-password", address: str = ADDRESS):
    return authenticate(request=login_request(address), username=username, password=password)


def is_locked(username: str, address: str = ADDRESS) -> bool:
    return AxesProxyHandler.is_locked(login_request(address), {"username": username})


def test_the_right_password_signs_in(grid_worker):
    assert attempt(grid_worker.username, PASSWORD) == grid_worker
    assert not AuditEntry.objects.filter(action="auth.login_failed").exists()


def test_each_failure_is_audited_in_the_accounts_area(tree, grid_worker):
    for _ in range(2):
        assert attempt(grid_worker.username) is None
    entries = list(AuditEntry.objects.filter(action="auth.login_failed").order_by("pk"))
    assert len(entries) == 2
    for entry in entries:
        assert entry.actor is None
        assert entry.object_repr == grid_worker.username
        assert (entry.object_type, entry.object_id) == ("core.user", str(grid_worker.pk))
        assert (entry.area, entry.area_path) == (tree.grid_a1a, tree.grid_a1a.path)
        assert entry.ip == ADDRESS
        assert "wrong-password" not in str(entry.changes)
    assert audit_verify().ok


def test_the_failure_area_is_the_accounts_outermost_grant(tree, grid_worker):
    RoleGrant.objects.create(
        user=grid_worker, role=Role.COMMUNITY_STAFF, area=tree.comm_b1, area_path=tree.comm_b1.path
    )
    attempt(grid_worker.username)
    assert AuditEntry.objects.get(action="auth.login_failed").area == tree.comm_b1


def test_area_auditors_see_failures_on_their_accounts_only(tree, grid_worker, user_with):
    attempt(grid_worker.username)
    attempt("no-such-user")
    sub_a_auditor = user_with(Role.AUDITOR, tree.sub_a)
    sub_b_auditor = user_with(Role.AUDITOR, tree.sub_b)
    district_auditor = user_with(Role.AUDITOR, tree.district)

    def seen(auditor):
        return sorted(
            scoped(
                AuditEntry.objects.filter(action="auth.login_failed"), auditor, "read"
            ).values_list("object_repr", flat=True)
        )

    assert seen(sub_a_auditor) == [grid_worker.username]
    assert seen(sub_b_auditor) == []
    assert seen(district_auditor) == sorted([grid_worker.username, "no-such-user"])


def test_unknown_username_is_audited_without_an_area(db):
    attempt("no-such-user")
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert (entry.object_repr, entry.object_id, entry.area_id, entry.area_path) == (
        "no-such-user",
        "",
        None,
        "",
    )


def test_lockout_after_the_failure_limit(grid_worker):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        attempt(grid_worker.username)
    assert not is_locked(grid_worker.username)
    attempt(grid_worker.username)
    assert is_locked(grid_worker.username)
    assert AccessAttempt.objects.get(username=grid_worker.username).failures_since_start == limit
    assert AuditEntry.objects.filter(action="auth.login_failed").count() == limit
    locked = AuditEntry.objects.get(action="auth.locked_out")
    assert locked.object_repr == grid_worker.username
    assert locked.area == RoleGrant.objects.get(user=grid_worker).area
    # Now even the right password is refused, and the refusal is audited too.
    assert attempt(grid_worker.username, PASSWORD) is None
    assert AuditEntry.objects.filter(action="auth.login_failed").count() == limit + 1
    assert audit_verify().ok


def test_lockout_is_per_username_and_address(grid_worker, district_admin):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(grid_worker.username)
    assert is_locked(grid_worker.username)
    assert not is_locked(grid_worker.username, address="198.51.100.1")
    assert not is_locked(district_admin.username)
    assert attempt(district_admin.username, PASSWORD) == district_admin
    assert attempt(grid_worker.username, PASSWORD, address="198.51.100.1") == grid_worker


def test_success_before_the_limit_resets_the_count(grid_worker):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        attempt(grid_worker.username)
    # The login page signs in with login(), whose user_logged_in signal resets the count.
    request = login_request()
    request.session = SessionStore()
    login(request, authenticate(request=request, username=grid_worker.username, password=PASSWORD))
    for _ in range(limit - 1):
        attempt(grid_worker.username)
    assert not is_locked(grid_worker.username)


def test_login_and_logout_are_audited_in_the_users_area(client, tree, grid_worker):
    client.force_login(grid_worker)
    client.logout()
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [e.action for e in entries] == ["auth.login", "auth.logout"]
    assert all(e.actor == grid_worker and e.area == tree.grid_a1a for e in entries)


def test_an_address_trying_many_accounts_is_locked_out(tree, user_with):
    """Password spraying: four wrong passwords on each of five accounts lock the address,
    though no account reached its own limit."""
    accounts = [user_with(Role.GRID_WORKER, tree.grid_a1a) for _ in range(5)]
    per_account = settings.AXES_FAILURE_LIMIT - 1
    for account in accounts:
        for _ in range(per_account):
            attempt(account.username)
    assert 5 * per_account >= settings.SHEQUTONG_LOGIN_IP_FAILURE_LIMIT
    assert is_locked(accounts[0].username)
    assert is_locked("someone-not-tried-yet")  # the address, for every account
    assert attempt(accounts[0].username, PASSWORD) is None
    # The same accounts from another address are not locked.
    assert not is_locked(accounts[0].username, address="198.51.100.1")
    assert attempt(accounts[0].username, PASSWORD, address="198.51.100.1") == accounts[0]


def test_an_office_behind_one_address_survives_its_typos(tree, user_with):
    """One wrong password each by a dozen colleagues at one gateway locks nobody."""
    colleagues = [user_with(Role.GRID_WORKER, tree.grid_a1a) for _ in range(12)]
    for colleague in colleagues:
        attempt(colleague.username)
    assert attempt(colleagues[0].username, PASSWORD) == colleagues[0]
