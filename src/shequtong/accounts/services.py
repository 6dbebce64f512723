"""Writes of resident and organisation accounts: sign-in by one-time code, the 实名 claim and
its confirmation, 代办, and opening an organisation account."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shequtong.core import vault
from shequtong.core.audit import audit_record
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, RoleGrant, User
from shequtong.core.policy import STAFF
from shequtong.core.scoping import can_in_area, forget_grants, roles_of
from shequtong.core.services import role_grant
from shequtong.registry.choices import PersonStatus
from shequtong.registry.models import Organization, Person

from .models import ClaimReason, ClaimStatus, OrgMembership, PhoneCode, Proxy, ResidentClaim

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=5)
CODE_TRIES = 5
RESEND_AFTER = timedelta(seconds=60)
CODES_PER_DAY = 10
CLAIMS_PER_ACCOUNT = 5  # name + ID guesses an account may make: no enumeration of the registry
PROXY_MIN_AGE = 60


def _phone(raw: str) -> str:
    phone = vault.normalize_phone(raw or "")
    if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        raise DomainError.on("phone", "请输入 11 位手机号码")
    return phone


def _code_hash(phone_hash: str, code: str) -> str:
    return hmac.new(
        settings.SHEQUTONG_HMAC_KEY.encode(), f"otp:{phone_hash}:{code}".encode(), hashlib.sha256
    ).hexdigest()


@transaction.atomic
def code_send(*, phone: str) -> None:
    """Send a six-digit code by SMS: once a minute and ten times a day per number at most."""
    number = _phone(phone)
    phone_hash = vault.blind_index("phone", number)
    now = timezone.now()
    recent = PhoneCode.objects.filter(
        phone_hash=phone_hash, created_at__gte=now - timedelta(days=1)
    )
    if recent.filter(created_at__gte=now - RESEND_AFTER, used_at__isnull=True).exists():
        raise DomainError.on("phone", "验证码已发送，请 60 秒后再试", "too_many")
    if recent.count() >= CODES_PER_DAY:
        raise DomainError.on("phone", "今天获取验证码次数已达上限，请明天再试", "too_many")
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCode.objects.create(
        phone_hash=phone_hash, code_hash=_code_hash(phone_hash, code), expires_at=now + CODE_TTL
    )
    try:  # sent inside the transaction: a code the gateway refused is not kept either
        sms_gateway().send_code(number, code)
    except Exception as exc:
        log.exception("短信网关发送验证码失败")
        raise DomainError(
            "unavailable", "短信发送失败，请稍后重试", {"phone": ["短信发送失败"]}
        ) from exc


def sms_gateway() -> LoggingSmsGateway:
    from django.utils.module_loading import import_string

    return import_string(settings.SHEQUTONG_SMS_GATEWAY)()


class LoggingSmsGateway:
    """Stands where the deployment's SMS gateway adapter goes: writes the code to the log (the
    demo reads it there), the number masked."""

    def send_code(self, phone: str, code: str) -> None:
        log.info(
            "短信（未接入网关）→ %s：社区通验证码 %s，5 分钟内有效", vault.mask_phone(phone), code
        )


def code_verify(*, phone: str, code: str) -> User:
    """The account of this number, made on first sign-in. A wrong code counts against the
    latest one (committed even though the sign-in fails); five wrong tries spend it."""
    number = _phone(phone)
    phone_hash = vault.blind_index("phone", number)
    with transaction.atomic():
        refusal = _code_check(phone_hash, (code or "").strip())
        if refusal is None:
            return account_for_phone(number)
    raise DomainError.on("code", refusal)


def _code_check(phone_hash: str, code: str) -> str | None:
    """None when `code` is the number's latest live code (now spent), else what to say."""
    now = timezone.now()
    latest = (
        PhoneCode.objects.select_for_update()
        .filter(phone_hash=phone_hash, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if latest is None or latest.attempts >= CODE_TRIES:
        return "验证码已失效，请重新获取"
    if not hmac.compare_digest(latest.code_hash, _code_hash(phone_hash, code)):
        PhoneCode.objects.filter(pk=latest.pk).update(attempts=latest.attempts + 1)
        left = CODE_TRIES - latest.attempts - 1
        return f"验证码不正确，还可尝试 {left} 次" if left else "验证码已失效，请重新获取"
    PhoneCode.objects.filter(pk=latest.pk).update(used_at=now)
    return None


def account_for_phone(phone: str) -> User:
    """The resident (or organisation) account of a verified number, made on first use."""
    number = _phone(phone)
    phone_hash = vault.blind_index("phone", number)
    user = User.objects.filter(phone_hash=phone_hash, is_active=True).order_by("pk").first()
    if user is not None and (user.is_superuser or roles_of(user) & STAFF):
        # Staff sign in with password and authenticator at the console, never by SMS alone.
        raise DomainError.on("phone", "工作人员请在工作台用账号密码登录")
    if user is None:
        user = User(
            username=f"m{phone_hash[:16]}", phone=number, display_name=vault.mask_phone(number)
        )
        user.set_unusable_password()
        user.save()
        audit_record(actor=user, action="account.signup", obj=user)
    return user


def _match(name: str, id_hash: str) -> tuple[Person | None, str]:
    person = Person.objects.filter(id_hash=id_hash).select_related("area").first()
    if person is None:
        return None, ClaimReason.NOT_FOUND
    if person.status != PersonStatus.ACTIVE:
        return person, ClaimReason.INACTIVE
    if person.name != name:
        return person, ClaimReason.NAME_DIFFERS
    taken = ResidentClaim.objects.filter(person=person, status=ClaimStatus.CONFIRMED)
    return person, ClaimReason.TAKEN if taken.exists() else ClaimReason.MATCHED


@transaction.atomic
def claim_submit(*, user: User, name: str, id_number: str, community: Area | None) -> ResidentClaim:
    """Claim a registry record by name and ID number. A match confirms it at once; otherwise it
    waits for the community, which sees what the match found, never the resident the record's
    data. `community` is where to send a claim no record matched."""
    from shequtong.registry.identity import parse_id_number

    name = (name or "").strip()
    if not name:
        raise DomainError.on("name", "请填写姓名")
    try:
        identity = parse_id_number(id_number or "")
    except Exception as exc:  # ValidationError with the counter's message
        message = "；".join(getattr(exc, "messages", [str(exc)]))
        raise DomainError.on("id_number", message) from exc
    existing = ResidentClaim.objects.select_for_update().filter(user=user).first()
    if existing and existing.status == ClaimStatus.CONFIRMED:
        raise DomainError.on("name", "您的账号已完成实名认证")
    if existing and existing.attempts >= CLAIMS_PER_ACCOUNT:
        raise DomainError.on("id_number", "申报次数已达上限，请到社区办理实名认证", "too_many")
    person, reason = _match(name, vault.blind_index("id_number", identity.id_number))
    area = person.area if person else community
    if area is None or area.level not in (AreaLevel.COMMUNITY, AreaLevel.GRID):
        raise DomainError.on("community", "档案中未找到您，请选择您居住的社区")
    claim = existing or ResidentClaim(user=user, attempts=0)
    claim.area = area
    claim.person = person
    claim.claimed_name = name
    claim.claimed_id_number = identity.id_number
    claim.reason = reason
    claim.status = ClaimStatus.PENDING
    claim.attempts += 1
    claim.save()
    audit_record(actor=user, action="account.claim", obj=claim, changes={"reason": [None, reason]})
    if reason == ClaimReason.MATCHED:
        _confirm(claim, actor=None)
    return claim


def _confirm(claim: ResidentClaim, *, actor: User | None) -> None:
    person = claim.person
    assert person is not None
    claim.status = ClaimStatus.CONFIRMED
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as exc:
        raise DomainError.on("person", "该居民档案已由其他账号认证") from exc
    user = claim.user
    user.display_name = person.name
    user.save(update_fields=["display_name"])
    area = person.area
    if area.level not in (AreaLevel.COMMUNITY, AreaLevel.GRID):
        area = claim.area
    role_grant(actor=None, user=user, role=Role.RESIDENT, area=area)
    audit_record(actor=actor, action="account.claim_confirm", obj=claim)


def _decidable(actor: User, claim: ResidentClaim) -> None:
    if claim.status != ClaimStatus.PENDING:
        raise DomainError.on("status", "该认证申请已处理")
    if not can_in_area(actor, "change", ResidentClaim, claim.area_path):
        raise DomainError.on("status", "您无权处理该社区的认证申请", "forbidden")


@transaction.atomic
def claim_confirm(*, actor: User, claim: ResidentClaim, person: Person | None = None) -> None:
    """The community settles a claim: the record the ID matched (a name written differently,
    checked against the card at the counter), or one it chose (the resident was added to the
    registry since). A record another account holds is not taken from it here."""
    claim = (
        ResidentClaim.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=claim.pk)
    )
    _decidable(actor, claim)
    if person is not None:
        claim.person = person
    if claim.person is None:
        raise DomainError.on("person", "请选择该居民在档案中的记录")
    if not can_in_area(actor, "change", ResidentClaim, claim.person.area_path):
        raise DomainError.on("person", "该居民不在您管理的社区", "forbidden")
    _confirm(claim, actor=actor)


@transaction.atomic
def claim_reject(*, actor: User, claim: ResidentClaim, note: str) -> None:
    claim = ResidentClaim.objects.select_for_update().get(pk=claim.pk)
    _decidable(actor, claim)
    if not (note or "").strip():
        raise DomainError.on("note", "请说明不通过的原因，居民会看到")
    claim.status = ClaimStatus.REJECTED
    claim.note = note.strip()[:200]
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.save()
    audit_record(actor=actor, action="account.claim_reject", obj=claim)


def person_of(user: User) -> Person | None:
    """The registry person this account is, once confirmed (read afresh: a claim confirmed
    by the community since the user object was loaded counts)."""
    if not user.is_authenticated:
        return None
    claim = (
        ResidentClaim.objects.filter(user=user, status=ClaimStatus.CONFIRMED)
        .select_related("person__area")
        .first()
    )
    return claim.person if claim else None


@transaction.atomic
def proxy_start(*, user: User, person: Person) -> Proxy:
    """代办: act for an elder of one's own household (60 or older), recorded as such."""
    me = person_of(user)
    if me is None:
        raise DomainError.on("person", "请先完成实名认证")
    if person.pk == me.pk or me.household_id is None or person.household_id != me.household_id:
        raise DomainError.on("person", "只能为同户的家庭成员代办")
    today = timezone.localdate()
    age = (
        today.year
        - person.birth_date.year
        - ((today.month, today.day) < (person.birth_date.month, person.birth_date.day))
    )
    if age < PROXY_MIN_AGE:
        raise DomainError.on("person", f"代办仅限 {PROXY_MIN_AGE} 岁及以上的家庭成员")
    proxy, created = Proxy.objects.get_or_create(
        user=user, person=person, revoked_at=None, defaults={"area": person.area}
    )
    if created:
        audit_record(actor=user, action="account.proxy_start", obj=proxy)
    return proxy


@transaction.atomic
def org_account_open(
    *, actor: User, organization: Organization, username: str, display_name: str, phone: str
) -> User:
    """An organisation account: a user who acts for `organization`, granted ORG_STAFF at the
    organisation's community. It signs in with its phone number and a one-time code, like a
    resident, and works in the console over its organisation's rows only."""
    if not can_in_area(actor, "change", OrgMembership, organization.area_path):
        raise DomainError.on("organization", "您无权为该组织开通账号", "forbidden")
    area = organization.area
    while area.level not in (AreaLevel.COMMUNITY, AreaLevel.SUBDISTRICT) and area.parent_id:
        area = area.parent
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=display_name, phone=_phone(phone))
        user.set_unusable_password()
        user.save()
    membership, created = OrgMembership.objects.get_or_create(
        user=user,
        organization=organization,
        defaults={"area": organization.area, "added_by": actor},
    )
    if not RoleGrant.objects.filter(user=user, role=Role.ORG_STAFF, area=area).exists():
        role_grant(actor=None, user=user, role=Role.ORG_STAFF, area=area)
    if created:
        audit_record(actor=actor, action="account.org_open", obj=membership)
    forget_grants(user)
    return user
