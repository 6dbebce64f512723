"""单位与设施 in the console: organizations, facilities and vehicles are added and changed by
forms (the page once said to use the API), the errors name their field in Chinese, a saved
form round-trips, and the contact's phone is never put into the page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from shequtong.core.choices import Role
from shequtong.registry.models import Facility, Organization, Vehicle

from .factories import credit_code

pytestmark = pytest.mark.django_db


def new(kind: str) -> str:
    return reverse("registry:directory_new", args=[kind])


def test_an_organization_is_added_and_changed_without_showing_its_phone(client, tree, staff):
    client.force_login(staff)
    listing = client.get(reverse("registry:directory", args=["organizations"])).content.decode()
    assert "登记组织" in listing
    body = {
        "name": "杨家坪社区服务中心",
        "kind": "social_org",
        "credit_code": credit_code(7),
        "area": tree.grid_a1a.pk,
        "address": "杨家坪正街 1 号",
        "contact_name": "钱主任",
        "contact_phone": "13812345678",
    }
    assert client.post(new("organizations"), body).status_code == 302
    organization = Organization.objects.get()
    assert organization.contact_phone == "13812345678" and organization.area == tree.grid_a1a

    edit = reverse("registry:directory_edit", args=["organizations", organization.pk])
    page = client.get(edit).content.decode()
    assert "13812345678" not in page and "杨家坪社区服务中心" in page
    form = client.get(edit).context["form"]
    untouched = {k: ("" if v is None else getattr(v, "pk", v)) for k, v in form.initial.items()}
    assert client.post(edit, untouched).status_code == 302  # saved as it was shown
    organization.refresh_from_db()
    assert organization.contact_phone == "13812345678"  # left blank: kept
    assert organization.name == "杨家坪社区服务中心" and organization.area == tree.grid_a1a


def test_a_wrong_credit_code_is_named_on_its_field(client, tree, staff):
    client.force_login(staff)
    body = {"name": "某公司", "kind": "merchant", "credit_code": "123", "area": tree.comm_a1.pk}
    response = client.post(new("organizations"), body)
    assert response.status_code == 200 and not Organization.objects.exists()
    assert response.context["form"].errors["credit_code"]


def test_a_facility_round_trips_its_area_and_point(client, tree, staff):
    client.force_login(staff)
    body = {
        "name": "AED 1 号",
        "kind": "aed",
        "area": tree.grid_a1a.pk,
        "floor_area": "1.50",
        "lon": "101.705",
        "lat": "",
    }
    refused = client.post(new("facilities"), body)
    assert "经度和纬度须同时填写" in refused.content.decode()
    body["lat"] = "26.505"
    assert client.post(new("facilities"), body).status_code == 302
    facility = Facility.objects.get()
    assert (facility.lon, facility.lat, facility.floor_area) == (101.705, 26.505, Decimal("1.50"))
    edit = reverse("registry:directory_edit", args=["facilities", facility.pk])
    form = client.get(edit).context["form"]
    untouched = {k: ("" if v is None else getattr(v, "pk", v)) for k, v in form.initial.items()}
    client.post(edit, untouched)
    facility.refresh_from_db()
    assert (facility.lon, facility.lat, facility.floor_area) == (101.705, 26.505, Decimal("1.50"))


def test_a_vehicle_plate_is_normalised_and_a_duplicate_named(client, tree, staff):
    client.force_login(staff)
    body = {"plate": "渝a12345", "kind": "", "area": tree.comm_a1.pk}
    assert client.post(new("vehicles"), body).status_code == 302
    assert Vehicle.objects.get().plate == "渝A12345"
    again = client.post(new("vehicles"), body)
    assert "已登记" in again.content.decode() and Vehicle.objects.count() == 1


def test_the_forms_are_for_those_who_may_change_the_directory(client, tree, user_with):
    client.force_login(user_with(Role.AUDITOR, tree.sub_a))
    assert client.get(new("organizations")).status_code == 403
    client.force_login(user_with(Role.COMMUNITY_STAFF, tree.comm_a2))
    body = {"plate": "渝B54321", "area": tree.comm_a1.pk}
    refused = client.post(new("vehicles"), body)  # 甲一社区 is not among this worker's areas
    assert refused.status_code == 200 and not Vehicle.objects.exists()
    assert refused.context["form"].errors["area"]
