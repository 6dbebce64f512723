"""Demo volunteering in the first communities: residents' accounts tied to their records (one
claim waiting for the community), a volunteer team with its organisation account, volunteers in
every state, activities in every state (one under way now, so the venue's QR code checks in),
confirmed hours and coins on the ledger, an 爱心超市 with donated goods and redemptions, and a
certificate anyone can verify."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from stdnum.cn import ric, uscc

from shequtong.accounts.models import ClaimReason, ClaimStatus, ResidentClaim
from shequtong.accounts.services import account_for_phone, claim_submit, org_account_open
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import Area, RoleGrant, User
from shequtong.core.selectors import in_tree_order
from shequtong.registry.choices import FacilityKind, OrganizationKind, PersonStatus
from shequtong.registry.models import Organization, Person
from shequtong.registry.services import PersonData, person_create
from shequtong.registry.services.assets import (
    FacilityData,
    OrganizationData,
    facility_create,
    organization_create,
)

from .choices import SignUpStatus, VolunteerKind
from .models import Honour, SignUp
from .services import (
    ActivityData,
    activity_close,
    activity_create,
    activity_publish,
    certificate_issue,
    dual_feedback,
    dual_report,
    goods_stock,
    honour_deliberate,
    honour_nominate,
    honour_publicise,
    honour_publish,
    hours_confirm,
    redeem,
    redemption_cancel,
    redemption_collect,
    shop_create,
    signup,
    signup_select,
    volunteer_apply,
    volunteer_decide,
    volunteer_join_team,
)

COMMUNITIES = 3
VOLUNTEERS = 8
KINDS = [
    VolunteerKind.RESIDENT,
    VolunteerKind.PARTY_MEMBER,
    VolunteerKind.ELDER_CARE,
    VolunteerKind.SAFETY,
]


def _link_demo_residents(district: Area) -> None:
    """Each demo resident login is 实名: its own record is in its grid's registry (same name and
    phone), claimed by name and ID number as a resident would."""
    grants = RoleGrant.objects.filter(role=Role.RESIDENT, area_path__startswith=district.path)
    for n, grant in enumerate(grants.select_related("user", "area").order_by("user__username")):
        user = grant.user
        if ResidentClaim.objects.filter(user=user).exists():
            continue
        body = f"500107{1960 + n:04d}0101{n + 100:03d}"
        own = person_create(
            actor=None,
            data=PersonData(
                name=user.display_name,
                id_number=body + ric.calc_check_digit(body + "0"),
                phone=user.phone,
            ),
            dwelling=None,
            area=grant.area,
        )
        claim_submit(user=user, name=own.name, id_number=own.id_number, community=None)


def _team(community: Area, actor: User, n: int) -> Organization:
    base = f"51500103MB{community.pk:07d}"[:17]
    code = base + uscc.calc_check_digit(base)
    return Organization.objects.filter(credit_code=code).first() or organization_create(
        actor=actor,
        data=OrganizationData(
            name=f"{community.name}红马甲志愿服务队",
            kind=OrganizationKind.VOLUNTEER_TEAM,
            credit_code=code,
            area=community,
        ),
    )


def _volunteers(community: Area, staff: User) -> list:
    people = Person.objects.filter(
        area_path__startswith=community.path,
        status=PersonStatus.ACTIVE,
        birth_date__year__range=(1950, 2004),
        volunteer__isnull=True,
    ).order_by("pk")[: VOLUNTEERS + 2]
    made = []
    for i, person in enumerate(people):
        account = ResidentClaim.objects.filter(person=person, status=ClaimStatus.CONFIRMED).first()
        volunteer = volunteer_apply(
            actor=account.user if account else staff,
            person=person,
            kind=KINDS[i % len(KINDS)],
            skills=["陪伴聊天", "家电维修", "理发", "政策宣讲"][i % 4],
            availability="周末" if i % 2 else "工作日晚上",
        )
        if i == VOLUNTEERS:  # one waiting for approval
            continue
        rejected = i == VOLUNTEERS + 1
        volunteer = volunteer_decide(
            actor=staff,
            volunteer=volunteer,
            approve=not rejected,
            note="请先到社区登记联系方式" if rejected else "",
        )
        if not rejected:
            made.append(volunteer)
    return made


def _past_activity(
    community: Area,
    staff: User,
    volunteers: list,
    days_ago: int,
    title: str,
    team: Organization | None,
) -> None:
    """An activity already held: its sign-ups checked in and out, hours confirmed."""
    now = timezone.now()
    start = (now - timedelta(days=days_ago)).replace(hour=9, minute=0, second=0, microsecond=0)
    activity = activity_create(
        actor=staff,
        area=community,
        organization=team,
        data=ActivityData(
            title=title,
            content=f"{title}，请穿志愿者马甲。",
            place=f"{community.name}党群服务中心",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            places=10,
        ),
    )
    activity_publish(actor=staff, activity=activity)
    for i, volunteer in enumerate(volunteers):
        entry = SignUp.objects.create(
            activity=activity,
            volunteer=volunteer,
            area=community,
            status=SignUpStatus.ACCEPTED,
            checked_in_at=start - timedelta(minutes=10),
            checked_out_at=start + timedelta(hours=2),
            checkin_method="qr",
        )
        hours_confirm(actor=staff, entry=entry, minutes=120 - 30 * (i % 2), rating=5)
    activity_close(actor=staff, activity=activity)


def seed_volunteering(district: Area, scale: int) -> None:
    _link_demo_residents(district)
    communities = in_tree_order(
        Area.objects.filter(path__startswith=district.path, level=AreaLevel.COMMUNITY)
    )
    for n, community in enumerate(communities[: COMMUNITIES * scale]):
        grant = (
            RoleGrant.objects.filter(role=Role.COMMUNITY_STAFF, area=community)
            .select_related("user")
            .first()
        )
        if grant is None:
            continue
        staff = grant.user
        team = _team(community, staff, n)
        org_account_open(
            actor=staff,
            organization=team,
            username=f"team_{n + 1:02d}",
            display_name=f"{community.name[0]}队长",
            phone=f"1370000{n + 1:04d}",
        )
        volunteers = _volunteers(community, staff)
        for volunteer in volunteers[2:]:
            volunteer_join_team(actor=staff, volunteer=volunteer, team=team)
        facility_create(
            actor=staff,
            data=FacilityData(
                name=f"{community.name}志愿服务站",
                kind=FacilityKind.VOLUNTEER_STATION,
                area=community,
                address=f"{community.name}党群服务中心一楼",
                opening_hours="每天 9:00–17:00",
            ),
        )
        _past_activity(community, staff, volunteers[:6], 30, "敬老院陪伴", None)
        _past_activity(community, staff, volunteers[2:], 9, "垃圾分类桶前值守", team)
        now = timezone.now()
        live = activity_create(
            actor=staff,
            area=community,
            data=ActivityData(
                title="社区环境清洁日",
                content="清理楼道堆物、捡拾垃圾。现场扫码签到。",
                place=f"{community.name}小广场",
                starts_at=now - timedelta(minutes=20),
                ends_at=now + timedelta(hours=3),
                places=20,
                # The middle of the community: 定位签到 works for someone standing there.
                lon=(community.min_lon + community.max_lon) / 2 if community.min_lon else None,
                lat=(community.min_lat + community.max_lat) / 2 if community.min_lat else None,
            ),
        )
        activity_publish(actor=staff, activity=live)
        for volunteer in volunteers[:3]:
            signup(actor=staff, activity=live, volunteer=volunteer)
        upcoming = activity_create(
            actor=team.members.first().user,
            area=community,
            organization=team,
            data=ActivityData(
                title="重阳节文艺汇演",
                content="排练合唱与舞蹈，演出后为老人包饺子。",
                place=f"{community.name}文化活动室",
                starts_at=now + timedelta(days=5),
                ends_at=now + timedelta(days=5, hours=3),
                places=2,
                kind="culture",
                needs_selection=True,
            ),
        )
        activity_publish(actor=staff, activity=upcoming)
        applied = [signup(actor=staff, activity=upcoming, volunteer=v) for v in volunteers[:3]]
        if len(applied) == 3:  # one selected, one not, one still waiting
            signup_select(actor=staff, entry=applied[0], accept=True)
            signup_select(actor=staff, entry=applied[2], accept=False)
        rained_off = activity_create(
            actor=staff,
            area=community,
            data=ActivityData(
                title="河滨步道捡拾垃圾",
                content="因暴雨取消",
                place="河滨步道",
                starts_at=now + timedelta(days=2),
                ends_at=now + timedelta(days=2, hours=2),
                places=15,
            ),
        )
        activity_close(
            actor=staff, activity=activity_publish(actor=staff, activity=rained_off), cancel=True
        )
        activity_create(
            actor=staff,
            area=community,
            data=ActivityData(
                title="防汛演练（草稿）",
                content="待定",
                place="待定",
                starts_at=now + timedelta(days=20),
                ends_at=now + timedelta(days=20, hours=1),
                places=30,
            ),
        )
        shop = shop_create(
            actor=staff,
            area=community,
            name=f"{community.name}爱心超市",
            place=f"{community.name}党群服务中心一楼",
            opening_hours="周二、周四 9:00–11:30",
        )
        rice = goods_stock(
            actor=staff, shop=shop, name="大米 5 斤", price=20, stock=20, donor="重庆某粮油公司"
        )
        soap = goods_stock(
            actor=staff, shop=shop, name="洗衣液", price=10, stock=30, donor="杨家坪某超市"
        )
        haircut = goods_stock(
            actor=staff, shop=shop, name="理发券", price=5, stock=50, donor="街坊理发店"
        )
        if volunteers:
            done = redeem(actor=staff, person=volunteers[0].person, goods=rice)
            redemption_collect(actor=staff, shop=shop, code=done.code)
            certificate_issue(actor=staff, volunteer=volunteers[0])
        if len(volunteers) > 2:
            redeem(actor=staff, person=volunteers[1].person, goods=soap)
            changed_mind = redeem(actor=staff, person=volunteers[2].person, goods=haircut)
            redemption_cancel(actor=staff, redemption=changed_mind)
        if n == 0:
            _dual_and_honours(community, staff, volunteers)
    # One claim the match could not settle: the name written differently.
    _pending_claim(district)


def _dual_and_honours(community: Area, staff: User, volunteers: list) -> None:
    """双报到 (a unit with last year's feedback, a party member) and the 红黑榜 in every state."""
    base = f"12500107MC{community.pk:07d}"[:17]
    code = base + uscc.calc_check_digit(base)
    unit = Organization.objects.filter(credit_code=code).first() or organization_create(
        actor=staff,
        data=OrganizationData(
            name=f"{community.name[:3]}供电所",
            kind=OrganizationKind.UNIT,
            credit_code=code,
            area=community,
        ),
    )
    report = dual_report(
        actor=staff,
        community=community,
        organization=unit,
        commitment="每季度进社区开展安全用电检查",
        reported_on=timezone.localdate().replace(month=1, day=10),
    )
    dual_feedback(
        actor=staff,
        report=report,
        year=timezone.localdate().year - 1,
        grade="excellent",
        text="报到及时，服务到位",
    )
    # The demo registry records no political status: these volunteers are party members.
    members = [v.person for v in volunteers if v.kind == VolunteerKind.PARTY_MEMBER][:1]
    for member in members:
        Person.objects.filter(pk=member.pk).update(political_status="01")
        member.political_status = "01"
        dual_report(actor=staff, community=community, person=member, workplace="区税务局")
    people = [v.person for v in volunteers]
    today = timezone.localdate()
    stages = [
        ("red", people[0], "见义勇为", "扑灭楼道电瓶车起火", "published"),
        ("black", people[1], "高空抛物", "多次从高层抛下杂物，经劝导未改", "publicised"),
        ("red", people[2], "热心助老", "常年照顾独居邻居", "nominated"),
        ("red", people[3], "好人好事", "拾金不昧", "withdrawn"),
    ]
    for kind, someone, title, reason, stage in stages:
        honour = honour_nominate(
            actor=staff, community=community, kind=kind, person=someone, title=title, reason=reason
        )
        if stage == "nominated":
            continue
        passed = stage != "withdrawn"
        honour = honour_deliberate(
            actor=staff,
            honour=honour,
            held_on=today - timedelta(days=10),
            record="居民议事会成员、楼栋长、居民代表参会，逐一发表意见后表决",
            votes_for=7 if passed else 3,
            votes_total=9,
        )
        if not passed:
            continue
        honour = honour_publicise(actor=staff, honour=honour)
        if stage == "published":
            Honour.objects.filter(pk=honour.pk).update(
                notice_from=today - timedelta(days=9), notice_until=today - timedelta(days=2)
            )
            honour_publish(actor=staff, honour=Honour.objects.get(pk=honour.pk))


def _pending_claim(district: Area) -> None:
    person = (
        Person.objects.filter(
            area_path__startswith=district.path, status=PersonStatus.ACTIVE, claims__isnull=True
        )
        .order_by("-pk")
        .first()
    )
    if person is None:
        return
    variant = person.name[:1] + "小" + person.name[-1:]
    user = account_for_phone("13800009999")  # signed in by SMS code, then claimed
    user.display_name = variant
    user.save(update_fields=["display_name"])
    claim_submit(user=user, name=variant, id_number=person.id_number, community=None)
    assert ResidentClaim.objects.get(user=user).reason == ClaimReason.NAME_DIFFERS
