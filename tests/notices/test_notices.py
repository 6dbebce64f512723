"""通知公告 at the service level: the audience read from where people live, the in-app note
without personal data, organisations' posts moderated, reads recorded once, the unread list."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from shequtong.accounts.services import org_account_open
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.core.models import AuditEntry, Notification
from shequtong.notices import selectors
from shequtong.notices.models import Notice, NoticeRead
from shequtong.notices.services import notice_moderate, notice_post, notice_read
from shequtong.registry.choices import OrganizationKind
from shequtong.registry.models import Building, Estate, Household, Organization, Person, PersonTag
from tests.notices.conftest import door, dweller
from tests.registry.factories import credit_code

pytestmark = pytest.mark.django_db


def post(staff, **kw) -> Notice:
    kw.setdefault("title", "停水通知")
    kw.setdefault("body", "12月6日 9:00-17:00 管道检修停水，请提前储水。")
    return notice_post(actor=staff, **kw)


def names(people) -> set[str]:
    return {p.name for p in people}


def test_a_building_notice_reaches_its_residents_and_tells_those_with_accounts(staff, place):
    notice = post(staff, audience="building", building=place.b1)
    assert notice.status == "published" and notice.area == place.b1.area
    assert names(selectors.audience_of(notice)) == {"张三", "李四", "王五"}
    told = Notification.objects.filter(url=f"/m/notices/{notice.pk}/")
    assert {n.user for n in told} == {place.user("张三"), place.user("李四")}
    # The note names no one; the in-app title is the notice's.
    assert all("张三" not in n.title and "李四" not in n.title for n in told)
    entry = AuditEntry.objects.get(action="notice.post")
    assert entry.object_id == str(notice.pk) and entry.changes["told"] == [None, 2]


def test_each_audience_reaches_exactly_its_people(staff, place, tree, caplog):
    # Someone with no door of their own, living in a household of 1栋's 101.
    home = Household.objects.create(
        dwelling=place.b1.dwellings.get(number="101"), area=tree.grid_a1a
    )
    lodger, _ = dweller(5, door(place.b2, "202"), caplog, name="钱七", account=False)
    Person.objects.filter(pk=lodger.pk).update(dwelling=None, household=home)
    moved, _ = dweller(6, door(place.b1, "301"), caplog, name="孙八", account=False)
    Person.objects.filter(pk=moved.pk).update(status="moved_out")
    cases = {
        "community": ({"area": tree.comm_a1}, {"张三", "李四", "王五", "赵六", "钱七"}),
        "estate": ({"estate": place.estate}, {"张三", "李四", "王五", "赵六", "钱七"}),
        "building": ({"building": place.b1}, {"张三", "李四", "王五", "钱七"}),
        "grid": ({"area": tree.grid_a1b}, {"赵六", "钱七"}),
        "tag": (
            {"area": tree.comm_a1, "tag": PersonTag.objects.get(code="party_member")},
            {"张三", "赵六"},
        ),
    }
    for audience, (target, expected) in cases.items():
        notice = post(staff, audience=audience, **target)
        assert names(selectors.audience_of(notice)) == expected, audience
        for person in Person.objects.filter(status="active"):
            shown = selectors.notices_for(person).filter(pk=notice.pk).exists()
            assert shown == (person.name in expected), (audience, person.name)


def test_wrong_targets_are_refused_naming_the_field(staff, place, tree):
    with pytest.raises(DomainError) as err:
        post(staff, audience="community", area=tree.grid_a1a)
    assert err.value.fields == {"area": ["请选择要通知的社区"]}
    with pytest.raises(DomainError) as err:
        post(staff, audience="building")
    assert err.value.fields == {"building": ["请选择要通知的楼栋"]}
    with pytest.raises(DomainError) as err:
        post(staff, audience="tag", area=tree.comm_a1, tag=PersonTag.objects.get(code="drug_rehab"))
    assert err.value.fields == {"tag": ["敏感标签不能作为通知对象"]}
    with pytest.raises(DomainError) as err:
        post(staff, audience="everyone", area=tree.comm_a1)
    assert "audience" in err.value.fields
    with pytest.raises(DomainError) as err:
        post(
            staff,
            audience="community",
            area=tree.comm_a1,
            title=" ",
            body="",
            expires_at=timezone.now() - timedelta(hours=1),
        )
    assert err.value.fields == {
        "title": ["请填写标题"],
        "body": ["请填写正文"],
        "expires_at": ["有效期须晚于现在"],
    }
    assert not Notice.objects.exists()


def test_staff_of_another_community_may_not_post_here(place, tree, user_with):
    outsider = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    with pytest.raises(DomainError) as err:
        post(outsider, audience="building", building=place.b1)
    assert err.value.code == "forbidden"
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a)
    with pytest.raises(DomainError):
        post(worker, audience="building", building=place.b1)


def test_a_resident_sees_their_notices_pinned_first_unexpired_and_unread_marked(staff, place, tree):
    old = post(staff, audience="community", area=tree.comm_a1, title="旧通知")
    pinned = post(staff, audience="estate", estate=place.estate, title="置顶通知", pinned=True)
    gone = post(
        staff,
        audience="community",
        area=tree.comm_a1,
        title="将过期",
        expires_at=timezone.now() + timedelta(minutes=1),
    )
    elsewhere = post(staff, audience="building", building=place.b1, title="一栋通知")
    Notice.objects.filter(pk=gone.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    zhao = place.person("赵六")
    rows = list(selectors.notices_for(zhao))
    assert [n.pk for n in rows] == [pinned.pk, old.pk]
    assert elsewhere not in rows
    notice_read(actor=place.user("赵六"), notice=old)
    assert {n.pk: n.unread for n in selectors.notices_for(zhao)} == {pinned.pk: True, old.pk: False}
    assert selectors.unread_count(zhao) == 1


def test_a_read_is_recorded_once_and_only_for_the_audience(staff, place):
    notice = post(staff, audience="building", building=place.b1)
    first = notice_read(actor=place.user("张三"), notice=notice)
    again = notice_read(actor=place.user("张三"), notice=notice)
    assert first.pk == again.pk and NoticeRead.objects.count() == 1
    assert first.area == place.person("张三").area
    with pytest.raises(DomainError) as err:
        notice_read(actor=place.user("赵六"), notice=notice)
    assert err.value.code == "not_found"


def test_read_counts_and_the_unread_list_by_scope(staff, place, tree, user_with):
    notice = post(staff, audience="estate", estate=place.estate)
    notice_read(actor=place.user("张三"), notice=notice)
    assert selectors.read_counts(notice) == (1, 4)
    unread = list(selectors.unread_of(user=staff, notice=notice))
    assert names(unread) == {"李四", "王五", "赵六"}
    accounts = {p.name: p.has_account for p in unread}
    assert accounts == {"李四": True, "王五": False, "赵六": True}
    # A grid worker of 2栋's grid sees only the unread of their grid.
    worker = user_with(Role.GRID_WORKER, tree.grid_a1b)
    assert names(selectors.unread_of(user=worker, notice=notice)) == {"赵六"}
    # Someone of another community sees nobody.
    outsider = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    assert not selectors.unread_of(user=outsider, notice=notice).exists()


@pytest.fixture
def org_account(tree, staff):
    org = Organization.objects.create(
        name="阳光社工站",
        kind=OrganizationKind.SOCIAL_ORG,
        credit_code=credit_code(9101),
        area=tree.comm_a1,
    )
    user = org_account_open(
        actor=staff, organization=org, username="sgz", display_name="社工站", phone="13600001111"
    )
    user.org = org  # type: ignore[attr-defined]
    return user


def test_an_organisations_post_waits_for_the_community(staff, place, org_account, tree):
    notice = post(org_account, audience="estate", estate=place.estate, organization=org_account.org)
    assert notice.status == "pending" and notice.published_at is None
    assert not selectors.notices_for(place.person("张三")).exists()
    assert not Notification.objects.filter(url=f"/m/notices/{notice.pk}/").exists()
    # Its own organisation account sees it; it may not decide on it.
    assert selectors.notice_list(user=org_account).filter(pk=notice.pk).exists()
    with pytest.raises(DomainError) as err:
        notice_moderate(actor=org_account, notice=notice, approve=True)
    assert err.value.code == "forbidden"
    with pytest.raises(DomainError) as err:
        notice_moderate(actor=staff, notice=notice, approve=False, reason=" ")
    assert err.value.fields == {"reason": ["请填写未通过的原因"]}
    notice = notice_moderate(actor=staff, notice=notice, approve=True)
    assert notice.status == "published" and notice.decided_by == staff
    assert selectors.notices_for(place.person("张三")).filter(pk=notice.pk).exists()
    assert Notification.objects.filter(url=f"/m/notices/{notice.pk}/").count() == 3
    assert Notification.objects.filter(user=org_account, title__contains="已通过审核").exists()
    with pytest.raises(DomainError) as err:
        notice_moderate(actor=staff, notice=notice, approve=True)
    assert err.value.fields == {"status": ["该通知已审核"]}


def test_a_refused_post_keeps_its_reason_and_stays_unseen(staff, place, org_account):
    notice = post(org_account, audience="building", building=place.b1, organization=org_account.org)
    notice = notice_moderate(actor=staff, notice=notice, approve=False, reason="内容含商业广告")
    assert notice.status == "rejected" and notice.reject_reason == "内容含商业广告"
    assert not selectors.notices_for(place.person("张三")).exists()
    assert Notification.objects.filter(user=org_account, title__contains="商业广告").exists()


def test_an_organisation_account_posts_only_for_its_own_organisation(place, org_account, tree):
    other = Organization.objects.create(
        name="别家单位",
        kind=OrganizationKind.UNIT,
        credit_code=credit_code(9102),
        area=tree.comm_a1,
    )
    with pytest.raises(DomainError) as err:
        post(org_account, audience="estate", estate=place.estate, organization=other)
    assert err.value.code == "forbidden"
    with pytest.raises(DomainError):
        post(org_account, audience="estate", estate=place.estate)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_taps_at_once_record_one_read(tree, caplog, user_with):
    if connection.vendor != "postgresql":
        pytest.skip("two connections racing: the PostgreSQL run proves it")

    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    estate = Estate.objects.create(name="并发小区", area=tree.comm_a1)
    building = Building.objects.create(estate=estate, number="9栋", area=tree.grid_a1a)
    _, user = dweller(40, door(building, "101"), caplog, name="周九")
    notice = post(staff, audience="building", building=building)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def tap() -> None:
        try:
            barrier.wait()
            notice_read(actor=user, notice=notice)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert NoticeRead.objects.filter(notice=notice).count() == 1
