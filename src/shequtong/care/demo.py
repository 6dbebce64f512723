"""Demo care: the residents living alone in each community under care, with consent, a family
contact and their grid worker, an SOS button and a wristband — and one SOS waiting on the wall."""

from __future__ import annotations

from django.utils import timezone

from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import Area, RoleGrant
from shequtong.registry.models import PersonTagAssignment

from .choices import ContactKind, DeviceKind, Living
from .ingest import ingest
from .services import consent_record, contact_add, device_register, profile_create

PER_COMMUNITY = 3


def seed_care(district: Area, scale: int) -> None:
    communities = Area.objects.filter(path__startswith=district.path, level=AreaLevel.COMMUNITY)
    for n, community in enumerate(communities.order_by("path")):
        staff = RoleGrant.objects.filter(role=Role.COMMUNITY_STAFF, area=community).first()
        if staff is None:
            continue
        alone = (
            PersonTagAssignment.objects.filter(
                tag__code="living_alone",
                ended_on__isnull=True,
                area_path__startswith=community.path,
            )
            .select_related("person")
            .order_by("person__pk")[: PER_COMMUNITY * scale]
        )
        for i, assignment in enumerate(alone):
            person = assignment.person
            profile = profile_create(actor=staff.user, person=person, living=Living.ALONE)
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
            device_register(
                actor=staff.user,
                kind=DeviceKind.WEARABLE,
                serial=f"W-{community.code or community.pk}-{i + 1:02d}",
                profile=profile,
            )
            if n == 0 and i == 0:
                # The first community's first elder pressed the button: the wall has one to answer.
                ingest(
                    sos.device, [{"at": timezone.now().isoformat(), "metric": "sos", "value": 1}]
                )
