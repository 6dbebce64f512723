"""The console and /m/ pages through the whole request: what each role reaches, what an
organisation account may not, and the resident's sign-in and claim by form."""

from __future__ import annotations

import pytest
from django.test import Client

from shequtong.accounts.services import org_account_open, person_of
from shequtong.core.choices import Role
from shequtong.registry.choices import OrganizationKind
from shequtong.registry.models import Organization
from shequtong.volunteering.models import Activity, SignUp
from shequtong.volunteering.services import signup
from tests.registry.factories import credit_code
from tests.volunteering.helpers import CODE, activity, person, resident, volunteer

pytestmark = pytest.mark.django_db


def _team(tree, n: int, area=None) -> Organization:
    return Organization.objects.create(
        name=f"志愿服务队{n}",
        kind=OrganizationKind.VOLUNTEER_TEAM,
        credit_code=credit_code(100 + n),
        area=area or tree.comm_a1,
    )


def test_a_resident_signs_in_and_claims_by_the_forms(tree, client, caplog):
    someone = person(1, tree.grid_a1a)
    assert client.get("/m/volunteer/").url == "/console/login/?next=/m/volunteer/"
    assert (
        client.get("/console/login/?next=/m/volunteer/").url == "/m/login/?next=%2Fm%2Fvolunteer%2F"
    )
    client.post("/m/login/", {"phone": "13912340000", "action": "send"})
    code = CODE.search(caplog.text).group(1)
    wrong = client.post("/m/login/", {"phone": "13912340000", "code": "x", "action": "verify"})
    assert "验证码不正确" in wrong.content.decode()
    response = client.post("/m/login/", {"phone": "13912340000", "code": code, "action": "verify"})
    assert response.url == "/m/me/claim/"
    bad = client.post("/m/me/claim/", {"name": someone.name, "id_number": "123"})
    assert bad.status_code == 200 and "身份证" in bad.content.decode()
    done = client.post("/m/me/claim/", {"name": someone.name, "id_number": someone.id_number})
    assert done.url == "/m/"
    assert "去认证" not in client.get("/m/").content.decode()


def test_staff_pages_render_for_the_community(tree, staff, caplog):
    user, someone = resident(2, tree.grid_a1a, caplog)
    v = volunteer(staff, user, someone)
    event = activity(staff, tree.comm_a1)
    signup(actor=user, activity=event, volunteer=v)
    client = Client()
    client.force_login(staff)
    for url in [
        "/console/volunteering/volunteers/",
        "/console/volunteering/activities/",
        "/console/volunteering/activities/new/",
        f"/console/volunteering/activities/{event.pk}/",
        f"/console/volunteering/activities/{event.pk}/venue/",
        "/console/volunteering/records/",
        "/console/volunteering/shops/",
        "/console/volunteering/dual/",
        "/console/volunteering/honours/",
        "/console/accounts/claims/",
        "/console/accounts/orgs/",
        "/console/",
    ]:
        assert client.get(url).status_code == 200, url
    assert "居民参与" in client.get("/console/").content.decode()


def test_an_organisation_account_sees_and_runs_only_its_own(tree, staff, caplog):
    ours, theirs = _team(tree, 1), _team(tree, 2)
    account = org_account_open(
        actor=staff, organization=ours, username="team1", display_name="陈队长", phone="13700000001"
    )
    mine = activity(staff, tree.comm_a1, organization=ours, title="本队活动")
    other = activity(staff, tree.comm_a1, organization=theirs, title="他队活动")
    community = activity(staff, tree.comm_a1, title="社区活动")
    client = Client()
    client.force_login(account)
    listed = client.get("/console/volunteering/activities/").content.decode()
    assert "本队活动" in listed and "他队活动" not in listed and "社区活动" not in listed
    assert client.get(f"/console/volunteering/activities/{mine.pk}/").status_code == 200
    for hidden in (other, community):
        assert client.get(f"/console/volunteering/activities/{hidden.pk}/").status_code == 404
    assert client.get("/console/volunteering/volunteers/").status_code == 403
    assert client.get("/console/registry/persons/").status_code == 403
    # It publishes for its own team only.
    form = {
        "kind": "volunteer",
        "title": "队内培训",
        "content": "急救培训",
        "place": "活动室",
        "starts_at": "2027-01-05T09:00",
        "ends_at": "2027-01-05T11:00",
        "places": "10",
        "organization": str(ours.pk),
    }
    client.post("/console/volunteering/activities/new/", form)
    assert Activity.objects.filter(title="队内培训", organization=ours).exists()
    client.post(
        "/console/volunteering/activities/new/",
        form | {"organization": str(theirs.pk), "title": "冒名"},
    )
    assert not Activity.objects.filter(title="冒名").exists()
    # Its sign-ups, not the other team's.
    user, someone = resident(3, tree.grid_a1a, caplog)
    v = volunteer(staff, user, someone)
    entry = signup(actor=user, activity=other, volunteer=v)
    response = client.post(
        f"/console/volunteering/activities/{other.pk}/signups/{entry.pk}/", {"action": "reject"}
    )
    assert response.status_code == 404
    assert SignUp.objects.get(pk=entry.pk).status == "accepted"
    assert person_of(account) is None


def test_the_organisation_account_signs_in_by_phone_to_the_console(tree, staff, caplog):
    ours = _team(tree, 3)
    org_account_open(
        actor=staff, organization=ours, username="team3", display_name="周队长", phone="13700000003"
    )
    client = Client()
    client.post("/m/login/", {"phone": "13700000003", "action": "send"})
    code = CODE.search(caplog.text).group(1)
    response = client.post("/m/login/", {"phone": "13700000003", "code": code, "action": "verify"})
    assert response.url == "/console/"
    assert client.get("/console/").status_code == 200


def test_only_offices_open_organisation_accounts(tree, user_with):
    ours = _team(tree, 4)
    grid = user_with(Role.GRID_WORKER, tree.grid_a1a)
    from shequtong.core.errors import DomainError

    with pytest.raises(DomainError, match="无权"):
        org_account_open(
            actor=grid, organization=ours, username="x", display_name="x", phone="13700000004"
        )


def test_the_community_runs_the_lists_and_dual_reporting_from_the_console(tree, staff, caplog):
    from django.utils import timezone

    from shequtong.volunteering.models import DualReport, Honour

    someone = person(50, tree.grid_a1a, name="李大姐", political_status="01")
    client = Client()
    client.force_login(staff)
    client.post("/console/scope/", {"area": tree.comm_a1.pk})  # the area switcher
    nominate = {
        "kind": "red",
        "id_number": someone.id_number,
        "title": "热心助老",
        "reason": "照顾邻居",
    }
    response = client.post("/console/volunteering/honours/", nominate)
    honour = Honour.objects.get()
    assert response.url == f"/console/volunteering/honours/{honour.pk}/"
    act = f"/console/volunteering/honours/{honour.pk}/action/"
    today = timezone.localdate().isoformat()
    record = {
        "action": "deliberate",
        "held_on": today,
        "record": "7 人参会",
        "votes_total": 7,
        "votes_for": 6,
    }
    client.post(act, record)
    client.post(act, {"action": "publicise"})
    honour.refresh_from_db()
    assert honour.status == "publicised" and honour.votes_for == 6
    detail = client.get(f"/console/volunteering/honours/{honour.pk}/").content.decode()
    assert "公示期满后可发布" in detail and "李大姐" in detail
    # A party member registered by ID number; an unknown number is named.
    form = {
        "kind": "party_member",
        "id_number": someone.id_number,
        "workplace": "区税务局",
        "reported_on": today,
    }
    client.post("/console/volunteering/dual/", form)
    assert DualReport.objects.get().person == someone
    unknown = client.post(
        "/console/volunteering/dual/",
        form | {"id_number": "11010519500101001X"},
        HTTP_REFERER="/console/volunteering/dual/",
    )
    assert unknown.status_code == 302 and DualReport.objects.count() == 1
    year = timezone.localdate().year
    client.post(
        f"/console/volunteering/dual/{DualReport.objects.get().pk}/feedback/",
        {"year": year, "grade": "good", "text": "积极参加"},
    )
    listing = client.get(f"/console/volunteering/dual/?year={year}").content.decode()
    assert "良好" in listing and "积极参加" in listing
    sheet = client.get(f"/console/volunteering/dual/?export=xlsx&year={year}")
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_volunteer_joins_a_team_from_the_list(tree, staff, caplog):
    team = _team(tree, 5)
    user, someone = resident(60, tree.grid_a1a, caplog)
    v = volunteer(staff, user, someone)
    client = Client()
    client.force_login(staff)
    page = client.get("/console/volunteering/volunteers/?status=active").content.decode()
    assert "加入队伍" in page and team.name in page
    client.post(f"/console/volunteering/volunteers/{v.pk}/team/", {"team": team.pk})
    assert list(v.teams.all()) == [team]
    assert team.name in client.get("/console/volunteering/volunteers/").content.decode()


def test_hostile_positions_and_ids_get_a_chinese_answer_not_a_500(tree, staff, caplog):
    user, someone = resident(70, tree.grid_a1a, caplog)
    v = volunteer(staff, user, someone)
    event = activity(staff, tree.comm_a1, lon=106.5, lat=29.5)
    signup(actor=user, activity=event, volunteer=v)
    client = Client()
    client.force_login(user)
    url = f"/console/volunteering/activities/{event.pk}/"
    for lon, lat in (("nan", "nan"), ("inf", "29.5"), ("106.5", ""), ("9999", "29.5")):
        response = client.post(
            f"/m/volunteer/activities/{event.pk}/checkin/",
            {"lon": lon, "lat": lat},
            HTTP_REFERER=url,
        )
        assert response.status_code == 302, (lon, lat)
    assert not SignUp.objects.get(activity=event).checked_in_at
    for path, field in (
        ("/m/volunteer/board/", "honour"),
        ("/m/me/proxy/", "person"),
        ("/m/votes/", "vote"),
    ):
        answer = client.post(path, {field: "abc", "text": "x"}, HTTP_REFERER="/m/")
        assert answer.status_code in (302, 400), path
