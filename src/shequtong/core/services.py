"""Writes of the core. Each is one transaction, validates first and writes its audit entry."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from shapely.geometry import shape

from . import vault
from .audit import audit_entry, audit_record, audit_record_many, masked_changes
from .choices import LEVEL_ORDER, AreaLevel, Role
from .errors import DomainError, NotFoundError, PermissionDeniedError
from .models import ApiToken, Area, CalendarOverride, Department, Notification, RoleGrant, User
from .policy import GRANTABLE_BY, ROLE_LEVELS
from .scoping import (
    GrantView,
    allowed,
    can,
    forget_grants,
    grants_of,
    remember_grants,
    scope_paths,
    scoped,
)

# --- areas ---------------------------------------------------------------------------------


def validate_boundary(boundary: dict[str, Any] | None) -> tuple[float, ...] | None:
    """Check a GeoJSON geometry (Polygon or MultiPolygon, WGS-84) and return its bounding box."""
    if boundary is None:
        return None
    if not isinstance(boundary, dict) or boundary.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError({"boundary": "边界须为 GeoJSON 的 Polygon 或 MultiPolygon"})
    try:
        geometry = shape(boundary)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise ValidationError({"boundary": f"边界坐标无法解析：{exc}"}) from exc
    if geometry.is_empty or not geometry.is_valid:
        raise ValidationError({"boundary": "边界多边形无效（自相交或为空）"})
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError({"boundary": "边界坐标超出经纬度范围，须为 WGS-84 经纬度"})
    return geometry.bounds


def _set_boundary(area: Area, boundary: dict[str, Any] | None) -> None:
    bounds = validate_boundary(boundary)
    area.boundary = boundary
    area.min_lon, area.min_lat, area.max_lon, area.max_lat = bounds or (None,) * 4


_AREA_CODE = re.compile(r"[0-9]{12}")  # ASCII only: \d would take full-width digits


def _check_code(code: str | None) -> None:
    """One clear message for a bad code; the model field would add a max-length one beside it."""
    if code and not _AREA_CODE.fullmatch(code):
        raise ValidationError({"code": "行政区划代码应为 12 位数字"})


def _check_parent(level: str, parent: Area | None) -> None:
    if level not in LEVEL_ORDER:
        raise ValidationError({"level": f"未知层级 {level!r}"})
    depth = LEVEL_ORDER.index(level)
    if depth == 0 and parent is not None:
        raise ValidationError({"parent": "区/县是最高层级，不能有上级"})
    if depth > 0 and (parent is None or parent.level != LEVEL_ORDER[depth - 1]):
        expected = AreaLevel(LEVEL_ORDER[depth - 1]).label
        raise ValidationError({"parent": f"{AreaLevel(level).label}的上级须为{expected}"})


def area_build(
    *,
    name: str,
    level: str,
    parent: Area | None,
    code: str | None = None,
    boundary: dict[str, Any] | None = None,
) -> Area:
    """Create one area without auditing: the shared step of `area_create` and bulk imports."""
    _check_parent(level, parent)
    _check_code(code)
    area = Area(name=name, level=level, parent=parent, code=code or None)
    _set_boundary(area, boundary)
    area.path = f"{parent.path if parent else '/'}new-{secrets.token_hex(6)}/"
    area.depth = LEVEL_ORDER.index(level)
    # The placeholder path is unique by construction: checking it would cost a query per area.
    area.full_clean(exclude=["path"])
    area.save()
    area.path = f"{parent.path if parent else '/'}{area.pk}/"
    area.save(update_fields=["path"])
    return area


@transaction.atomic
def area_create(
    *,
    actor: User | None,
    name: str,
    level: str,
    parent: Area | None,
    code: str | None = None,
    boundary: dict[str, Any] | None = None,
) -> Area:
    if actor is not None and not (
        actor.is_superuser if parent is None else can(actor, "change", parent)
    ):
        raise PermissionDeniedError("您无权在此区域下新增下级")
    try:
        area = area_build(name=name, level=level, parent=parent, code=code, boundary=boundary)
    except ValidationError as exc:
        raise DomainError.from_validation(exc) from exc
    audit_record(
        actor=actor,
        action="area.create",
        obj=area,
        changes={"name": [None, name], "level": [None, level], "code": [None, code]},
    )
    return area


@transaction.atomic
def area_update(
    *,
    actor: User,
    area: Area,
    name: str | None = None,
    code: str | None = None,
    boundary: dict[str, Any] | None = None,
) -> Area:
    if not can(actor, "change", area):
        raise PermissionDeniedError()
    before = {"name": area.name, "code": area.code, "boundary": area.boundary}
    if name is not None:
        area.name = name
    try:
        if code is not None:
            _check_code(code)
            area.code = code or None
        if boundary is not None:
            _set_boundary(area, boundary)
        area.full_clean()
    except ValidationError as exc:
        raise DomainError.from_validation(exc) from exc
    area.save()
    after = {"name": area.name, "code": area.code, "boundary": area.boundary}
    audit_record(
        actor=actor, action="area.update", obj=area, changes=masked_changes(area, before, after)
    )
    return area


# --- users and grants ----------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    display_name: str,
    phone: str = "",
    department: Department | None = None,
) -> User:
    user = User(username=username, display_name=display_name, department=department)
    try:
        try:
            user.phone = vault.validate_phone(phone) if phone else ""
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
        user.full_clean(exclude=["password"])
        # The deployment's password rules (length, common, numeric, like the username).
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    except ValidationError as exc:
        raise DomainError.from_validation(exc) from exc
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        changes=masked_changes(user, {}, {"username": username, "phone": user.phone}),
    )
    return user


def _may_grant(actor: User, role: str, area: Area) -> bool:
    for grant in grants_of(actor):
        if role in GRANTABLE_BY.get(grant.role, ()) and area.path.startswith(grant.area_path):
            return True
    return actor.is_superuser


def grant_check(*, role: str, area: Area, department: Department | None) -> None:
    """Refuse a grant the platform does not allow: an unknown role, a role at a level outside
    its `ROLE_LEVELS`, a department handler without a department. Test fixtures that place
    users directly ask it too, so they can only build users that could exist."""
    if role not in Role.values:
        raise DomainError("invalid", f"未知角色 {role}", {"role": ["未知角色"]})
    if area.level not in ROLE_LEVELS[role]:
        levels = "、".join(AreaLevel(lv).label for lv in LEVEL_ORDER if lv in ROLE_LEVELS[role])
        raise DomainError(
            "invalid",
            f"{Role(role).label}只能授予在{levels}层级",
            {"area": [f"{Role(role).label}只能授予在{levels}层级"]},
        )
    if role == Role.DEPARTMENT_HANDLER and department is None:
        raise DomainError("invalid", "职能部门处置人员须指定部门", {"department": ["必填"]})


@transaction.atomic
def role_grant(
    *,
    actor: User | None,
    user: User,
    role: str,
    area: Area,
    department: Department | None = None,
) -> RoleGrant:
    grant_check(role=role, area=area, department=department)
    if actor is not None and not _may_grant(actor, role, area):
        raise PermissionDeniedError("您无权在该区域授予此角色")
    grant, created = RoleGrant.objects.get_or_create(
        user=user,
        role=role,
        area=area,
        defaults={"department": department, "granted_by": actor, "area_path": area.path},
    )
    if created:
        audit_record(
            actor=actor,
            action="grant.create",
            obj=grant,
            changes={"role": [None, role], "user": [None, user.username]},
        )
    forget_grants(user)
    return grant


@transaction.atomic
def role_revoke(*, actor: User, grant: RoleGrant) -> None:
    if not _may_grant(actor, grant.role, grant.area):
        raise PermissionDeniedError("您无权撤销该授权")
    audit_record(
        actor=actor,
        action="grant.revoke",
        obj=grant,
        changes={"role": [grant.role, None], "user": [grant.user.username, None]},
    )
    grant.delete()
    forget_grants(grant.user)


# --- personal data -------------------------------------------------------------------------


def _pii_field(obj: models.Model, field: str) -> Any:
    if field not in getattr(type(obj), "pii_fields", ()):
        raise DomainError("invalid", f"字段 {field} 不是可查看的个人信息字段")
    return obj._meta.get_field(field)


@transaction.atomic
def pii_reveal(*, actor: User, obj: models.Model, field: str) -> str:
    """The full value of an encrypted field, for a user holding the reveal grant; audited."""
    _pii_field(obj, field)
    if not can(actor, "reveal", obj):
        raise PermissionDeniedError("查看完整个人信息需要相应授权")
    # The entry's area is the object's (for a User, their outermost grant): the auditors of the
    # person whose data was read are the ones who must see that it was read.
    audit_record(actor=actor, action="pii.reveal", obj=obj, changes={"field": [None, field]})
    return getattr(obj, field)


# --- exports -------------------------------------------------------------------------------

MIN_PURPOSE = 4  # characters: "工作需要" says little, but it is a stated reason on record


def export_record(
    *,
    actor: User,
    model: type[models.Model],
    count: int,
    filters: dict[str, Any],
    purpose: str = "",
) -> None:
    """Every export leaves an entry: a ledger that left the building must be traceable."""
    if not allowed(actor, "export", model):
        raise PermissionDeniedError("您无权导出此类数据")
    changes: dict[str, Any] = {"filters": [None, {k: v for k, v in filters.items() if v}]}
    if purpose:
        changes["purpose"] = [None, purpose]
    audit_record(
        actor=actor,
        action=f"{model._meta.model_name}.export{'_full' if purpose else ''}",
        object_repr=f"{model._meta.verbose_name} {count} 条{'（完整信息）' if purpose else ''}",
        changes=changes,
    )


def pii_export_reveal(*, actor: User, rows: list[Any], fields: list[str], purpose: str) -> set[int]:
    """The rows of a full-value export whose values `actor` may take unmasked (those where
    they hold `reveal`), each recorded with its own audit entry: who took whose ID number,
    when and why. The rest of the export stays masked."""
    purpose = purpose.strip()
    if len(purpose) < MIN_PURPOSE:
        message = f"导出完整信息须写明用途（至少 {MIN_PURPOSE} 个字）"
        raise DomainError("invalid", message, {"purpose": [message]})
    if not rows:
        return set()
    model = type(rows[0])
    for name in fields:
        _pii_field(rows[0], name)
    if not allowed(actor, "reveal", model):
        raise PermissionDeniedError("导出完整个人信息需要查看授权")
    paths = scope_paths(actor, model, "reveal")
    shown = [r for r in rows if actor.is_superuser or any(r.area_path.startswith(p) for p in paths)]
    changes = {"fields": [None, fields], "purpose": [None, purpose]}
    audit_record_many(
        audit_entry(actor=actor, action="pii.export", obj=row, changes=changes) for row in shown
    )
    return {row.pk for row in shown}


# --- API tokens ----------------------------------------------------------------------------

TOKEN_PREFIX = "sqt"  # noqa: S105  (the public marker of our tokens, not a secret)


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `actor`; the plaintext is returned once and never stored. Tokens are
    for staff's machines (POLICY): a resident acts through the portal, signed in."""
    if not allowed(actor, "change", ApiToken):
        raise PermissionDeniedError("API 令牌只发给工作人员，居民请登录居民端使用")
    if not name.strip():
        raise DomainError("invalid", "请填写令牌用途", {"name": ["必填"]})
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("invalid", "到期时间须晚于现在", {"expires_at": ["须晚于现在"]})
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip(),
        prefix=prefix,
        key_hash=_hash_secret(secret),
        expires_at=expires_at,
    )
    audit_record(actor=actor, action="token.create", obj=token)
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if not scoped(ApiToken.objects.filter(pk=token.pk), actor, "change").exists():
        raise NotFoundError()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="token.revoke", obj=token)
    return token


def api_token_authenticate(presented: str) -> User | None:
    """The active owner of a valid, unexpired, unrevoked token; None for anything else."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    now = timezone.now()
    rows = list(User.objects.raw(_OWNER_SQL, [now - timedelta(seconds=60), parts[1], now]))
    if not rows or not hmac.compare_digest(rows[0].token_hash, _hash_secret(parts[2])):
        return None
    user = rows[0]
    if not user.is_active:
        return None
    grants = [
        GrantView(r.grant_role, r.grant_area, r.grant_path, r.grant_level, r.grant_department)
        for r in rows
        if r.grant_role is not None
    ]
    remember_grants(user, grants)
    if user.token_stale:  # last use recorded to the minute: not a write per call
        ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)
    return user


# The token, its owner and the owner's grants in one round trip: every API call starts here,
# and the ORM's two queries cost more to build than to run. `ApiToken.objects.usable()` says
# the same of revocation and expiry; one row per grant (at least one row).
_OWNER_SQL = """
SELECT u.*, t.id AS token_id, t.key_hash AS token_hash,
       (t.last_used_at IS NULL OR t.last_used_at < %s) AS token_stale,
       g.role AS grant_role, g.area_id AS grant_area, a.path AS grant_path,
       a.level AS grant_level, g.department_id AS grant_department
FROM core_apitoken t
JOIN core_user u ON u.id = t.user_id
LEFT JOIN core_rolegrant g ON g.user_id = u.id
LEFT JOIN core_area a ON a.id = g.area_id
WHERE t.prefix = %s AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > %s)
"""


# --- calendar ------------------------------------------------------------------------------


@transaction.atomic
def calendar_override_set(
    *, actor: User, day: date, is_working: bool, note: str
) -> CalendarOverride:
    if not allowed(actor, "change", CalendarOverride):
        raise PermissionDeniedError("只有区级管理员可以调整工作日历")
    if not note.strip():
        raise DomainError("invalid", "请说明调整依据", {"note": ["必填"]})
    override, _ = CalendarOverride.objects.update_or_create(
        day=day, defaults={"is_working": is_working, "note": note.strip(), "created_by": actor}
    )
    audit_record(
        actor=actor,
        action="calendar.override",
        obj=override,
        changes={"day": [None, day.isoformat()], "is_working": [None, is_working]},
    )
    return override


# --- notifications -------------------------------------------------------------------------


def notifications_mark_read(*, actor: User) -> int:
    """Everything in the user's inbox read now; the count it marked."""
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
