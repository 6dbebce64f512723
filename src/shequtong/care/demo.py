"""Demo care: the residents living alone in each community under care, with consent, a family
contact and their grid worker, an SOS button and a wristband — and one SOS waiting on the wall;
each street's visit plans, a visit or two, and home-service orders with a canteen."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone
from stdnum.cn import uscc

from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import Area, RoleGrant, User
from shequtong.core.selectors import in_tree_order
from shequtong.registry.choices import OrganizationKind
from shequtong.registry.models import Organization, PersonTagAssignment
from shequtong.registry.services.assets import OrganizationData, organization_create

from .choices import CareService, ContactKind, DeviceKind, Living, VisitFinding
from .ingest import ingest
from .models import CareProfile, Device
from .services import consent_record, contact_add, device_register, profile_create
from .services.orders import order_assign, order_complete, order_rate, order_request
from .services.visits import visit_plan_create, visit_record

PER_COMMUNITY = 3  # people living alone under care per community (and one empty nest)
LIVING_OF_TAG = {"living_alone": Living.ALONE, "empty_nest": Living.EMPTY_NEST}


def seed_care(district: Area, scale: int) -> None:
    communities = Area.objects.filter(path__startswith=district.path, level=AreaLevel.COMMUNITY)
    for n, community in enumerate(in_tree_order(communities)):
        staff = RoleGrant.objects.filter(role=Role.COMMUNITY_STAFF, area=community).first()
        if staff is None:
            continue
        tagged = PersonTagAssignment.objects.filter(
            ended_on__isnull=True, area_path__startswith=community.path
        ).select_related("person", "tag")
        alone = tagged.filter(tag__code="living_alone").order_by("person__pk")
        empty_nest = tagged.filter(tag__code="empty_nest").order_by("person__pk")
        chosen = [*alone[: PER_COMMUNITY * scale], *empty_nest[:scale]]
        for i, assignment in enumerate(chosen):
            person = assignment.person
            living = LIVING_OF_TAG[assignment.tag.code]
            profile = profile_create(actor=staff.user, person=person, living=living)
            consent_record(
                actor=staff.user,
                profile=profile,
                by=f"{person.name}本人",
                scope="一键呼叫、跌倒、心率血氧",
            )
            contact_add(
                actor=staff.user,
                profile=profile,
                kind=ContactKind.FAMILY,
                name=f"{person.name[0]}先生（儿子）",
                phone=f"139{n:02d}{i:02d}0000"[:11],
            )
            worker = RoleGrant.objects.filter(
                role=Role.GRID_WORKER, area_id__in=Area(path=person.area_path).path_ids
            ).first()
            if worker is not None:
                contact_add(
                    actor=staff.user,
                    profile=profile,
                    kind=ContactKind.GRID_WORKER,
                    name=worker.user.display_name,
                    user=worker.user,
                )
            sos = device_register(
                actor=staff.user,
                kind=DeviceKind.SOS_BUTTON,
                serial=f"SOS-{community.code or community.pk}-{i + 1:02d}",
                profile=profile,
            )
            band = device_register(
                actor=staff.user,
                kind=DeviceKind.WEARABLE,
                serial=f"W-{community.code or community.pk}-{i + 1:02d}",
                profile=profile,
            )
            _last_hour(band.device, seed=n * 10 + i)
            if n == 0 and i == 0:
                # The first community's first elder pressed the button: the wall has one to answer.
                ingest(
                    sos.device, [{"at": timezone.now().isoformat(), "metric": "sos", "value": 1}]
                )

    _seed_visits_and_orders(district)


def _seed_visits_and_orders(district: Area) -> None:
    streets = Area.objects.filter(path__startswith=district.path, level=AreaLevel.SUBDISTRICT)
    for street in streets:
        admin = RoleGrant.objects.filter(role=Role.SUBDISTRICT_ADMIN, area=street).first()
        if admin is None:
            continue
        visit_plan_create(
            actor=admin.user,
            area=street,
            name="独居高龄",
            every_days=7,
            living=Living.ALONE,
            min_age=80,
        )
        visit_plan_create(
            actor=admin.user, area=street, name="独居", every_days=14, living=Living.ALONE
        )
        visit_plan_create(
            actor=admin.user, area=street, name="空巢", every_days=30, living=Living.EMPTY_NEST
        )
    now = timezone.now()
    # The demo's elders have been under care for three weeks: the visit plans have history.
    CareProfile.objects.update(created_at=now - timedelta(days=21))
    for n, profile in enumerate(CareProfile.objects.select_related("person").order_by("pk")):
        staff = RoleGrant.objects.filter(
            role=Role.COMMUNITY_STAFF, area_id__in=Area(path=profile.area_path).path_ids
        ).first()
        if staff is None:
            continue
        if n % 3 == 0:  # a third visited lately; the rest show up on the overdue list
            visit_record(
                actor=staff.user,
                profile=profile,
                finding=VisitFinding.WELL,
                notes="身体尚好，提醒按时服药",
                visited_at=now - timedelta(days=2),
            )
        canteen = _canteen(staff.area, staff.user)
        meal = order_request(
            actor=staff.user,
            profile=profile,
            service=CareService.MEAL,
            wanted_at=now + timedelta(hours=2),
            note="午餐送餐上门",
        )
        if n % 2 == 0:
            meal = order_assign(actor=staff.user, order=meal, provider=canteen)
            meal = order_complete(actor=staff.user, order=meal, price="12")
            order_rate(actor=staff.user, order=meal, rating=5, comment="饭菜热乎")


def _canteen(community: Area, actor: User) -> Organization:
    """The community's canteen, the provider of the demo's meal orders."""
    found = Organization.objects.filter(area=community, name__endswith="长者食堂").first()
    if found is not None:
        return found
    base = f"91500103MA{community.pk:07d}"[:17]
    return organization_create(
        actor=actor,
        data=OrganizationData(
            name=f"{community.name}长者食堂",
            kind=OrganizationKind.SOCIAL_ENTERPRISE,
            credit_code=base + uscc.calc_check_digit(base),
            area=community,
        ),
    )


def _last_hour(device: Device, seed: int) -> None:
    """A wristband's last hour, a reading every 10 minutes: the profile shows live values."""
    rng = random.Random(seed)
    now, steps = timezone.now(), rng.randrange(500, 3000)
    for minutes in range(60, -1, -10):
        at = (now - timedelta(minutes=minutes)).isoformat()
        steps += rng.randrange(0, 300)
        readings = [
            {"at": at, "metric": "heart_rate", "value": rng.randrange(62, 88)},
            {"at": at, "metric": "spo2", "value": rng.choice((96, 97, 98))},
            {"at": at, "metric": "steps", "value": steps},
            {"at": at, "metric": "battery", "value": 80 - minutes // 10},
        ]
        ingest(device, readings, firmware="2.1.0")
