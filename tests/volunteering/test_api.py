"""The resident's API: standing, open activities, sign-up; the organiser's records."""

from __future__ import annotations

import pytest

from shequtong.volunteering.choices import CheckinMethod
from shequtong.volunteering.services import check_in, hours_confirm
from tests.volunteering.helpers import activity, resident, sign_in, volunteer

pytestmark = pytest.mark.django_db


def test_a_resident_reads_their_standing_and_signs_up(tree, staff, caplog, client):
    user, someone = resident(1, tree.grid_a1a, caplog)
    client.force_login(user)
    assert client.get("/api/v1/volunteering/me").json() == {
        "volunteer_status": None,
        "served_minutes": 0,
        "stars": 0,
        "timebank_minutes": 0,
        "coins": 0,
    }
    v = volunteer(staff, user, someone)
    event = activity(staff, tree.comm_a1, places=1)
    from shequtong.core.choices import Role
    from tests.core.factories import GrantedUserFactory

    elsewhere = GrantedUserFactory(role=Role.COMMUNITY_STAFF, area=tree.comm_b1)
    activity(elsewhere, tree.comm_b1, title="别的社区")
    listed = client.get("/api/v1/volunteering/activities").json()["items"]
    assert [a["title"] for a in listed] == ["楼道清洁"]
    response = client.post(f"/api/v1/volunteering/activities/{event.pk}/signup")
    assert response.status_code == 201 and response.json()["status"] == "accepted"
    again = client.post(f"/api/v1/volunteering/activities/{event.pk}/signup")
    assert again.status_code == 400 and again.json()["message"] == "您已报名该活动"
    entry = event.signups.get()
    check_in(actor=user, activity=event, volunteer=v, method=CheckinMethod.QR)
    hours_confirm(actor=staff, entry=entry, minutes=90)
    assert client.get("/api/v1/volunteering/me").json()["coins"] == 10
    client.force_login(staff)
    records = client.get("/api/v1/volunteering/records").json()["items"]
    assert [(r["volunteer"], r["minutes"]) for r in records] == [(someone.name, 90)]


def test_an_account_without_a_claim_is_told_to_claim(tree, caplog, client):
    client.force_login(sign_in("13900000099", caplog))
    response = client.get("/api/v1/volunteering/me")
    assert response.status_code == 403 and "实名认证" in response.json()["message"]
    assert client.get("/api/v1/volunteering/records").status_code == 403
