"""志愿服务证明: issued from the records, a PDF, checked by anyone at /v/ seeing no more than
the certificate shows."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shequtong.core.errors import DomainError
from shequtong.volunteering.choices import CheckinMethod
from shequtong.volunteering.models import Certificate
from shequtong.volunteering.services import (
    certificate_issue,
    certificate_pdf,
    check_in,
    hours_confirm,
    signup,
)
from tests.volunteering.helpers import activity, resident, volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(tree, staff, caplog):
    user, someone = resident(1, tree.grid_a1a, caplog, name="欧阳修远")
    v = volunteer(staff, user, someone)
    for title, minutes in (("陪伴王奶奶聊天", 90), ("楼道清洁", 45)):
        event = activity(staff, tree.comm_a1, title=title)
        entry = signup(actor=user, activity=event, volunteer=v)
        check_in(actor=user, activity=event, volunteer=v, method=CheckinMethod.QR)
        hours_confirm(actor=staff, entry=entry, minutes=minutes)
    return user, someone, v


def test_no_certificate_without_records(tree, staff, caplog):
    user, someone = resident(2, tree.grid_a1a, caplog)
    with pytest.raises(DomainError, match="还没有已确认"):
        certificate_issue(actor=user, volunteer=volunteer(staff, user, someone))


def test_the_certificate_states_the_records_masked(served):
    user, someone, v = served
    certificate = certificate_issue(actor=user, volunteer=v)
    assert re.fullmatch(r"ZYFW\d{4}-[A-HJ-NP-Z2-9]{10}", certificate.number)
    assert (certificate.minutes, certificate.records) == (135, 2)
    assert certificate.masked_name == "欧***"
    assert certificate.masked_id.startswith("110") and "*" in certificate.masked_id
    assert someone.id_number not in certificate.masked_id
    assert certificate.issuer == "甲一社区"
    assert "王奶奶" not in certificate.contents and "楼道清洁" in certificate.contents
    pdf = certificate_pdf(certificate, "http://testserver/v/" + certificate.number + "/")
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


def test_anyone_verifies_it_and_sees_only_what_it_shows(served):
    user, someone, v = served
    certificate = certificate_issue(actor=user, volunteer=v)
    page = Client().get(f"/v/{certificate.number}/")
    text = page.content.decode()
    assert page.status_code == 200 and "真实有效" in text and "2.2 小时" in text
    assert certificate.masked_name in text
    assert someone.name not in text and someone.id_number not in text and "王奶奶" not in text
    assert (
        Client().get(f"/v/?number={certificate.number.lower()}").url == f"/v/{certificate.number}/"
    )
    missing = Client().get("/v/ZYFW2026-AAAAAAAAAA/")
    assert missing.status_code == 404 and "未找到" in missing.content.decode()


def test_the_volunteer_downloads_the_pdf(served, client):
    user, _, _ = served
    client.force_login(user)
    response = client.post("/m/volunteer/certificate/")
    certificate = Certificate.objects.get()
    assert response.url == f"/m/volunteer/certificate/{certificate.number}.pdf"
    pdf = client.get(response.url)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_api_checks_a_certificate_without_login(served, client):
    user, someone, v = served
    certificate = certificate_issue(actor=user, volunteer=v)
    body = client.get(f"/api/v1/volunteering/certificates/{certificate.number.lower()}").json()
    assert body["number"] == certificate.number and body["hours"] == "2.2"
    assert someone.name not in str(body) and someone.id_number not in str(body)
    assert client.get("/api/v1/volunteering/certificates/NOPE").status_code == 404
