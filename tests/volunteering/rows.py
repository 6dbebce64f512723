"""Participation rows spread over the fixture tree, for the isolation matrix (tests/core).

Every area holds rows of two organisations — "队伍·<area>", whose organisation account the
matrix's ORG_STAFF viewer at that area holds (`join`), and "他队·<area>", nobody's there — and
rows the community published itself, so that an organisation account must see exactly its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from shequtong.accounts.models import ClaimReason, OrgMembership, Proxy, ResidentClaim
from shequtong.core.models import Area, User
from shequtong.registry.choices import OrganizationKind
from shequtong.registry.models import Organization, Person
from shequtong.registry.services import PersonData, person_create
from shequtong.volunteering.models import (
    Activity,
    Certificate,
    Commendation,
    DualFeedback,
    DualReport,
    Honour,
    Objection,
    ServiceRecord,
    SignUp,
    Volunteer,
)
from shequtong.volunteering.services import coins_credit, goods_stock, redeem, shop_create
from tests.core.factories import AreaTree, UserFactory
from tests.registry.factories import credit_code, id_number

OURS, THEIRS = "队伍", "他队"


def _clerk() -> User:
    return User.objects.filter(username="volunteering-clerk").first() or UserFactory(
        username="volunteering-clerk", is_superuser=True
    )


def _orgs(tree: AreaTree) -> dict[tuple[str, int], Organization]:
    found = {
        (o.name.split("·")[0], o.area_id): o
        for o in Organization.objects.filter(name__contains="·")
    }
    if found:
        return found
    made = Organization.objects.bulk_create(
        Organization(
            name=f"{side}·{area.name}",
            kind=OrganizationKind.VOLUNTEER_TEAM,
            credit_code=credit_code(8000 + 2 * i + k),
            area=area,
            area_path=area.path,
        )
        for i, area in enumerate(tree.all)
        for k, side in enumerate((OURS, THEIRS))
    )
    return {(o.name.split("·")[0], o.area_id): o for o in made}


def join(viewer: User, area: Area) -> None:
    """The ORG_STAFF viewer granted at `area` acts for that area's "队伍"."""
    org = Organization.objects.filter(name=f"{OURS}·{area.name}").first()
    if org is not None:
        OrgMembership.objects.get_or_create(user=viewer, organization=org, defaults={"area": area})


def _volunteers(tree: AreaTree) -> list[Volunteer]:
    found = list(Volunteer.objects.filter(person__name="志愿者甲").order_by("pk"))
    if found:
        return found
    made = []
    for i, area in enumerate(tree.all):
        person = person_create(
            actor=None,
            data=PersonData(name="志愿者甲", id_number=id_number(8100 + i)),
            dwelling=None,
            area=area,
        )
        made.append(
            Volunteer.objects.create(person=person, area=area, kind="resident", status="active")
        )
    return made


def _activities(tree: AreaTree) -> list[Activity]:
    found = list(Activity.objects.filter(title__startswith="矩阵").order_by("pk"))
    if found:
        return found
    orgs = _orgs(tree)
    start = timezone.now() + timedelta(days=1)
    return Activity.objects.bulk_create(
        Activity(
            title=f"矩阵{side or '社区'}",
            content="-",
            place="-",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            places=5,
            status="published",
            organization=orgs[(side, area.pk)] if side else None,
            area=area,
            area_path=area.path,
            checkin_secret="0" * 32,
        )
        for area in tree.all
        for side in (OURS, THEIRS, "")
    )


def rows_residentclaim(tree: AreaTree, viewer: User) -> None:
    users = User.objects.bulk_create(User(username=f"claimant{i}") for i in range(len(tree.all)))
    for user, area in zip(users, tree.all, strict=True):
        ResidentClaim.objects.create(
            user=user,
            area=area,
            claimed_name="申报人",
            claimed_id_number=id_number(8200),
            reason=ClaimReason.NOT_FOUND,
        )


def rows_proxy(tree: AreaTree, viewer: User) -> None:
    (actor,) = User.objects.bulk_create([User(username="proxy-actor")])
    for volunteer in _volunteers(tree):
        Proxy.objects.create(user=actor, person=volunteer.person, area=volunteer.area)


def rows_orgmembership(tree: AreaTree, viewer: User) -> None:
    (member,) = User.objects.bulk_create([User(username="org-member")])
    OrgMembership.objects.bulk_create(
        OrgMembership(user=member, organization=org, area=org.area, area_path=org.area_path)
        for org in _orgs(tree).values()
    )


def rows_volunteer(tree: AreaTree, viewer: User) -> None:
    _volunteers(tree)


def rows_activity(tree: AreaTree, viewer: User) -> None:
    _activities(tree)


def rows_signup(tree: AreaTree, viewer: User) -> None:
    volunteers = {v.area_id: v for v in _volunteers(tree)}
    SignUp.objects.bulk_create(
        SignUp(
            activity=a,
            volunteer=volunteers[a.area_id],
            status="accepted",
            area=a.area,
            area_path=a.area_path,
        )
        for a in _activities(tree)
    )


def rows_servicerecord(tree: AreaTree, viewer: User) -> None:
    volunteers = {v.area_id: v for v in _volunteers(tree)}
    for a in _activities(tree):
        entry = SignUp.objects.filter(activity=a).first() or SignUp.objects.create(
            activity=a, volunteer=volunteers[a.area_id], status="accepted", area=a.area
        )
        ServiceRecord.objects.create(
            signup=entry,
            volunteer=entry.volunteer,
            organization=a.organization,
            organiser_name="-",
            content="-",
            served_on=timezone.localdate(),
            place="-",
            minutes=60,
            area=a.area,
        )


def rows_commendation(tree: AreaTree, viewer: User) -> None:
    Commendation.objects.bulk_create(
        Commendation(
            volunteer=v,
            title="五星志愿者",
            awarded_on=timezone.localdate(),
            area=v.area,
            area_path=v.area_path,
        )
        for v in _volunteers(tree)
    )


def rows_certificate(tree: AreaTree, viewer: User) -> None:
    for i, v in enumerate(_volunteers(tree)):
        Certificate.objects.create(
            number=f"ZYFW2026-MATRIX{i:04d}",
            volunteer=v,
            area=v.area,
            masked_name="志**",
            masked_id="110*",
            minutes=60,
            records=1,
            first_on=timezone.localdate(),
            last_on=timezone.localdate(),
            contents="-",
            issuer="-",
            issued_on=timezone.localdate(),
        )


def _shops(tree: AreaTree) -> None:
    from shequtong.volunteering.models import RewardShop

    if RewardShop.objects.filter(name__startswith="矩阵").exists():
        return
    clerk = _clerk()
    for v in _volunteers(tree):
        shop = shop_create(actor=clerk, area=v.area, name=f"矩阵超市{v.area_id}")
        goods = goods_stock(actor=clerk, shop=shop, name="大米", price=1, stock=5)
        coins_credit(actor=clerk, person=v.person, coins=1, kind="coins.report", memo="-")
        redeem(actor=clerk, person=v.person, goods=goods)


def rows_rewardshop(tree: AreaTree, viewer: User) -> None:
    _shops(tree)


def _reports(tree: AreaTree) -> list[DualReport]:
    found = list(DualReport.objects.filter(workplace="矩阵"))
    if found:
        return found
    return DualReport.objects.bulk_create(
        DualReport(
            kind="unit",
            organization=org,
            workplace="矩阵",
            reported_on=timezone.localdate(),
            area=org.area,
            area_path=org.area_path,
        )
        for org in _orgs(tree).values()
    )


def rows_dualreport(tree: AreaTree, viewer: User) -> None:
    _reports(tree)


def rows_dualfeedback(tree: AreaTree, viewer: User) -> None:
    DualFeedback.objects.bulk_create(
        DualFeedback(
            report=r, year=2026, grade="good", text="-", area=r.area, area_path=r.area_path
        )
        for r in _reports(tree)
    )


def _honours(tree: AreaTree) -> list[Honour]:
    found = list(Honour.objects.filter(title="矩阵"))
    if found:
        return found
    return Honour.objects.bulk_create(
        Honour(
            kind="red",
            person=v.person,
            title="矩阵",
            reason="-",
            area=v.area,
            area_path=v.area_path,
        )
        for v in _volunteers(tree)
    )


def rows_honour(tree: AreaTree, viewer: User) -> None:
    _honours(tree)


def rows_objection(tree: AreaTree, viewer: User) -> None:
    Objection.objects.bulk_create(
        Objection(honour=h, text="-", area=h.area, area_path=h.area_path) for h in _honours(tree)
    )


ROWS: dict[str, Callable[[AreaTree, User], None]] = {
    "accounts.residentclaim": rows_residentclaim,
    "accounts.proxy": rows_proxy,
    "accounts.orgmembership": rows_orgmembership,
    "volunteering.volunteer": rows_volunteer,
    "volunteering.activity": rows_activity,
    "volunteering.signup": rows_signup,
    "volunteering.servicerecord": rows_servicerecord,
    "volunteering.certificate": rows_certificate,
    "volunteering.commendation": rows_commendation,
    "volunteering.rewardshop": rows_rewardshop,
    "volunteering.goods": rows_rewardshop,
    "volunteering.redemption": rows_rewardshop,
    "volunteering.dualreport": rows_dualreport,
    "volunteering.dualfeedback": rows_dualfeedback,
    "volunteering.honour": rows_honour,
    "volunteering.objection": rows_objection,
}
__all__ = ["ROWS", "Person", "join"]
