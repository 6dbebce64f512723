"""志愿服务证明 (民政部令第67号): issued from the service records, free, by the body that
recorded them (谁记录谁证明), verifiable by anyone from its number or QR code.

The certificate copies what it states at issue; the public check shows exactly that, masked as
the certificate is (core.public's rule for names), and nothing read live from the records.
"""

from __future__ import annotations

import secrets
from collections import Counter
from pathlib import Path

import segno
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.utils import timezone

from shequtong.core import vault
from shequtong.core.audit import audit_record
from shequtong.core.documents import typst_pdf
from shequtong.core.errors import DomainError
from shequtong.core.models import User
from shequtong.core.public import public_name, public_text

from ..models import Certificate, ServiceRecord, Volunteer

TEMPLATE = Path(__file__).parent.parent / "typst" / "certificate.typ"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a counter


def _number() -> str:
    """Not a sequence: a number cannot be guessed from another, so the public check cannot
    be walked through."""
    year = timezone.localdate().year
    return f"ZYFW{year}-" + "".join(secrets.choice(ALPHABET) for _ in range(10))


@transaction.atomic
def certificate_issue(*, actor: User, volunteer: Volunteer) -> Certificate:
    records = ServiceRecord.objects.filter(volunteer=volunteer)
    totals = records.aggregate(m=Sum("minutes"), first=Min("served_on"), last=Max("served_on"))
    if not totals["m"]:
        raise DomainError(
            "invalid", "还没有已确认的志愿服务记录，暂不能出具证明", {"volunteer": ["无服务记录"]}
        )
    contents = Counter(records.values_list("content", flat=True))
    organisers = Counter(records.values_list("organiser_name", flat=True))
    person = volunteer.person
    certificate = Certificate.objects.create(
        number=_number(),
        volunteer=volunteer,
        area=volunteer.area,
        masked_name=public_name(person.name),
        masked_id=vault.mask_id_number(person.id_number),
        minutes=totals["m"],
        records=records.count(),
        first_on=totals["first"],
        last_on=totals["last"],
        contents=public_text(
            "、".join(c for c, _ in contents.most_common(5)), area_path=volunteer.area_path
        )[:300],
        issuer=organisers.most_common(1)[0][0] if len(organisers) == 1 else volunteer.area.name,
        issued_on=timezone.localdate(),
        issued_by=actor,
    )
    audit_record(actor=actor, action="volunteer.certificate", obj=certificate)
    return certificate


def hours_text(minutes: int) -> str:
    return f"{minutes / 60:.1f}".rstrip("0").rstrip(".")


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    qr = segno.make(verify_url, error="m").svg_inline(scale=4)
    data = {
        "number": certificate.number,
        "name": certificate.masked_name,
        "masked_id": certificate.masked_id,
        "first_on": certificate.first_on.strftime("%Y年%m月%d日"),
        "last_on": certificate.last_on.strftime("%Y年%m月%d日"),
        "records": certificate.records,
        "hours": hours_text(certificate.minutes),
        "contents": certificate.contents,
        "issuer": certificate.issuer,
        "issued_on": certificate.issued_on.strftime("%Y年%m月%d日"),
        "verify_url": verify_url,
        "qr_svg": qr,
    }
    return typst_pdf(TEMPLATE, data, "志愿服务证明")
