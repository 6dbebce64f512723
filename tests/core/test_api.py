"""/api/v1/: token and session auth, scoping, the one error shape, pagination, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequtong.core import services
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import ApiToken, Area

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def worker_token(grid_worker):
    _, plaintext = services.api_token_create(actor=grid_worker, name="采集终端")
    return plaintext


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)
    return body


# --- who am I -------------------------------------------------------------------------------


def test_me_with_a_bearer_token(client, tree, grid_worker, worker_token):
    response = client.get("/api/v1/me", **bearer(worker_token))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == grid_worker.pk
    assert body["username"] == grid_worker.username
    assert body["phone_masked"] == f"{grid_worker.phone[:3]}****{grid_worker.phone[-4:]}"
    assert grid_worker.phone not in response.content.decode()
    assert body["grants"] == [
        {
            "role": Role.GRID_WORKER,
            "area_id": tree.grid_a1a.pk,
            "area_path": tree.grid_a1a.path,
            "area_level": AreaLevel.GRID,
            "department_id": None,
        }
    ]


def test_me_with_a_session(client, district_admin):
    client.force_login(district_admin)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == district_admin.username


def test_me_of_an_inactive_session_user_is_refused(client, district_admin):
    client.force_login(district_admin)
    district_admin.is_active = False
    district_admin.save()
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")


@pytest.mark.parametrize(
    "header",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": "Bearer sqt_nothing_here"},
        {"HTTP_AUTHORIZATION": "Token abc"},
        {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
    ],
)
def test_no_or_invalid_credentials_are_401(client, tree, header):
    assert_error(client.get("/api/v1/areas", **header), 401, "unauthenticated")


def test_a_tampered_token_is_401(client, worker_token):
    assert_error(
        client.get(
            "/api/v1/me", **bearer(worker_token[:-1] + ("B" if worker_token.endswith("A") else "A"))
        ),
        401,
        "unauthenticated",
    )
    assert_error(client.get("/api/v1/me", **bearer(worker_token + "x")), 401, "unauthenticated")


def test_an_expired_token_is_401(client, grid_worker, worker_token):
    assert client.get("/api/v1/me", **bearer(worker_token)).status_code == 200
    ApiToken.objects.filter(user=grid_worker).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert_error(client.get("/api/v1/me", **bearer(worker_token)), 401, "unauthenticated")


def test_a_revoked_token_is_401(client, grid_worker, worker_token):
    services.api_token_revoke(actor=grid_worker, token=ApiToken.objects.get(user=grid_worker))
    assert_error(client.get("/api/v1/me", **bearer(worker_token)), 401, "unauthenticated")


def test_a_token_of_a_deactivated_user_is_401(client, grid_worker, worker_token):
    grid_worker.is_active = False
    grid_worker.save()
    assert_error(client.get("/api/v1/me", **bearer(worker_token)), 401, "unauthenticated")


# --- areas ----------------------------------------------------------------------------------


def test_grid_worker_lists_only_their_grid(client, tree, worker_token):
    response = client.get("/api/v1/areas", **bearer(worker_token))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [a["id"] for a in body["items"]] == [tree.grid_a1a.pk]
    assert set(body["items"][0]) == {"id", "name", "level", "code", "parent_id", "path", "depth"}


def test_district_admin_lists_the_whole_tree(client, tree, district_admin):
    client.force_login(district_admin)
    body = client.get("/api/v1/areas").json()
    assert body["count"] == len(tree.all)
    assert {a["id"] for a in body["items"]} == {a.pk for a in tree.all}


def test_subdistrict_admin_lists_their_subdistrict(client, tree, user_with):
    client.force_login(user_with(Role.SUBDISTRICT_ADMIN, tree.sub_b))
    body = client.get("/api/v1/areas").json()
    assert {a["id"] for a in body["items"]} == {tree.sub_b.pk, tree.comm_b1.pk, tree.grid_b1a.pk}


def test_area_filters(client, tree, district_admin):
    client.force_login(district_admin)
    grids = client.get("/api/v1/areas", {"level": "grid"}).json()
    assert {a["id"] for a in grids["items"]} == {
        a.pk for a in tree.all if a.level == AreaLevel.GRID
    }
    children = client.get("/api/v1/areas", {"parent_id": tree.comm_a1.pk}).json()
    assert {a["id"] for a in children["items"]} == {tree.grid_a1a.pk, tree.grid_a1b.pk}
    by_name = client.get("/api/v1/areas", {"q": "乙"}).json()
    assert {a["id"] for a in by_name["items"]} == {tree.sub_b.pk, tree.comm_b1.pk, tree.grid_b1a.pk}
    by_code = client.get("/api/v1/areas", {"q": "510403001"}).json()
    assert {a["id"] for a in by_code["items"]} == {tree.sub_a.pk, tree.comm_a1.pk, tree.comm_a2.pk}


def test_area_detail_in_scope_has_the_boundary(client, tree, worker_token):
    response = client.get(f"/api/v1/areas/{tree.grid_a1a.pk}", **bearer(worker_token))
    assert response.status_code == 200
    assert response.json()["boundary"]["type"] == "Polygon"


@pytest.mark.parametrize("other", ["grid_a1b", "grid_b1a", "comm_a1", "district"])
def test_area_detail_outside_the_scope_is_404(client, tree, worker_token, other):
    response = client.get(f"/api/v1/areas/{getattr(tree, other).pk}", **bearer(worker_token))
    body = assert_error(response, 404, "not_found")
    assert body["fields"] == {}
    # Not in scope and not existing look the same: the API does not confirm that a row exists.
    missing = client.get("/api/v1/areas/999999", **bearer(worker_token)).json()
    assert missing == body


def test_filtering_by_a_parent_outside_the_scope_is_404(client, tree, worker_token):
    response = client.get("/api/v1/areas", {"parent_id": tree.comm_b1.pk}, **bearer(worker_token))
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"parent_id": "abc"}, "parent_id", "须为整数"),
        ({"level": "province"}, "level", "须为以下之一"),
        ({"page": "0"}, "page", "须不小于 1"),
        ({"page_size": "x"}, "page_size", "须为整数"),
    ],
)
def test_invalid_query_is_422_in_the_error_shape(client, tree, worker_token, query, field, message):
    response = client.get("/api/v1/areas", query, **bearer(worker_token))
    body = assert_error(response, 422, "invalid")
    assert list(body["fields"]) == [field]
    assert body["fields"][field][0].startswith(message)


def test_invalid_path_parameter_is_422(client, worker_token):
    body = assert_error(client.get("/api/v1/areas/abc", **bearer(worker_token)), 422, "invalid")
    assert list(body["fields"]) == ["area_id"]


def test_pagination(client, tree, district_admin):
    client.force_login(district_admin)
    seen: list[int] = []
    for page in (1, 2, 3, 4):
        body = client.get("/api/v1/areas", {"page": page, "page_size": 3}).json()
        assert body["count"] == len(tree.all)
        assert len(body["items"]) == (3 if page < 4 else 1)
        seen += [a["id"] for a in body["items"]]
    assert sorted(seen) == sorted(a.pk for a in tree.all)
    assert client.get("/api/v1/areas", {"page": 5, "page_size": 3}).json()["items"] == []
    # Ordered by path: a parent always comes before its children.
    paths = [Area.objects.get(pk=pk).path for pk in seen]
    assert paths == sorted(paths)


def test_page_size_is_capped(client, tree, district_admin):
    for i in range(3):
        services.area_create(
            actor=None, name=f"新网格{i}", level=AreaLevel.GRID, parent=tree.comm_b1
        )
    client.force_login(district_admin)
    body = client.get("/api/v1/areas", {"page_size": 100000}).json()
    assert body["count"] == len(tree.all) + 3
    assert len(body["items"]) == body["count"]  # under the cap here, so all of them


def _more_grids(tree, n: int) -> None:
    Area.objects.bulk_create(
        [
            Area(
                name=f"批量网格{i}",
                level=AreaLevel.GRID,
                parent=tree.comm_b1,
                path=f"{tree.comm_b1.path}x{i}/",
                depth=3,
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("rows", [0, 40])
def test_area_list_query_count_does_not_grow_with_rows(
    client, tree, district_admin, django_assert_max_num_queries, rows
):
    _, plaintext = services.api_token_create(actor=district_admin, name="大屏")
    _more_grids(tree, rows)
    client.get("/api/v1/me", **bearer(plaintext))  # last_used_at written once, not per call
    # token lookup, grants, count, page
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/areas", **bearer(plaintext))
    assert response.json()["count"] == len(tree.all) + rows


def test_area_list_query_count_with_a_session(
    client, tree, district_admin, django_assert_max_num_queries
):
    client.force_login(district_admin)
    _more_grids(tree, 40)
    # session, user, grants, count, page
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/areas")
    assert response.status_code == 200


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/me", "/api/v1/areas", "/api/v1/areas/{area_id}"} <= set(paths)


def test_a_session_post_without_csrf_is_refused_in_chinese(tree, grid_worker):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(grid_worker)
    response = client.post(
        "/api/v1/cases", {"description": "垃圾满了"}, content_type="application/json"
    )
    body = assert_error(response, 403, "csrf_failed")
    assert "CSRF 校验失败" in body["message"] and "Failed" not in body["message"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/areas", "/api/v1/cases", "/api/v1/registry/persons", "/api/v1/registry/estates"],
)
def test_a_huge_page_number_is_refused_by_field_not_a_500(client, district_admin, path):
    client.force_login(district_admin)
    response = client.get(path, {"page": "32557277601562206208"})
    body = assert_error(response, 422, "invalid")
    assert body["fields"] == {"page": ["须不大于 1000000"]}
    beyond = client.get(path, {"page": 999_999})
    assert beyond.status_code == 200 and beyond.json()["items"] == []
