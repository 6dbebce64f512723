from __future__ import annotations

from typing import Any

from ninja import Schema

from .scoping import grants_of


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


# What any operation may answer besides success, so the OpenAPI document declares every status a
# caller can see: 400 a NUL character or a refused value, 401 no valid credentials, 404 a record
# out of scope, 422 a malformed parameter; writes add 403 (not allowed) and 413 (body too big).
READ: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE: dict[int, Any] = {**READ, 403: ErrorOut, 413: ErrorOut}


class AreaOut(Schema):
    id: int
    name: str
    level: str
    code: str | None
    parent_id: int | None
    path: str
    depth: int


class AreaDetailOut(AreaOut):
    boundary: dict[str, Any] | None


class GrantOut(Schema):
    role: str
    area_id: int
    area_path: str
    area_level: str
    department_id: int | None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    phone_masked: str
    is_superuser: bool
    grants: list[GrantOut]

    @staticmethod
    def resolve_grants(obj: Any) -> list[dict[str, Any]]:
        return [g.__dict__ for g in grants_of(obj)]

    @staticmethod
    def resolve_phone_masked(obj: Any) -> str:
        from .vault import mask_phone

        return mask_phone(obj.phone)
