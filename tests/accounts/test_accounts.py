"""Resident accounts: sign-in by one-time code, the 实名 claim through the blind index, the
community's confirmation, one account per person, 代办."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from django.utils import timezone

from shequtong.accounts.models import ClaimReason, ClaimStatus, PhoneCode, ResidentClaim
from shequtong.accounts.services import (
    claim_confirm,
    claim_reject,
    claim_submit,
    code_send,
    code_verify,
    person_of,
    proxy_start,
)
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.core.models import AuditEntry, RoleGrant
from shequtong.core.scoping import roles_of
from shequtong.registry.services import person_move_out
from tests.volunteering.helpers import CODE, household, person, resident, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _log(caplog):
    caplog.set_level(logging.INFO, logger="shequtong.accounts.services")


def test_the_code_goes_out_by_sms_and_signs_in_a_new_account(tree, caplog):
    user = sign_in("13912345678", caplog)
    assert user.phone == "13912345678"
    assert user.display_name == "139****5678"
    assert not user.has_usable_password()
    # The log line standing in for the gateway masks the number.
    assert "13912345678" not in caplog.text and "139****5678" in caplog.text
    # Signing in again finds the same account.
    assert sign_in("139 1234 5678", caplog).pk == user.pk
    assert AuditEntry.objects.filter(action="account.signup").count() == 1


def test_a_code_is_kept_only_as_a_hash(tree, caplog):
    code_send(phone="13900000001")
    code = CODE.search(caplog.text).group(1)
    stored = PhoneCode.objects.get()
    assert code not in stored.code_hash and len(stored.code_hash) == 64


def test_wrong_codes_count_down_then_spend_the_code(tree, caplog):
    code_send(phone="13900000002")
    code = CODE.search(caplog.text).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(DomainError, match=f"还可尝试 {left} 次"):
            code_verify(phone="13900000002", code=wrong)
    with pytest.raises(DomainError, match="已失效"):
        code_verify(phone="13900000002", code=wrong)
    with pytest.raises(DomainError, match="已失效"):
        code_verify(phone="13900000002", code=code)  # even the right one, now


def test_a_code_expires_and_is_used_once(tree, caplog):
    user = sign_in("13900000003", caplog)
    code = CODE.search(caplog.messages[-1]).group(1)
    with pytest.raises(DomainError, match="已失效"):
        code_verify(phone="13900000003", code=code)
    PhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    code_send(phone="13900000003")
    PhoneCode.objects.filter(used_at__isnull=True).update(expires_at=timezone.now())
    with pytest.raises(DomainError, match="已失效"):
        code_verify(phone="13900000003", code=CODE.search(caplog.messages[-1]).group(1))
    assert user.pk


def test_codes_are_rate_limited_per_number(tree, caplog):
    code_send(phone="13900000004")
    with pytest.raises(DomainError, match="60 秒"):
        code_send(phone="13900000004")
    PhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    for _ in range(9):
        code_send(phone="13900000004")
        PhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(DomainError, match="上限"):
        code_send(phone="13900000004")


@pytest.mark.parametrize("phone", ["", "12345", "2390000000x", "139000000011"])
def test_a_bad_number_is_named(tree, phone):
    with pytest.raises(DomainError) as caught:
        code_send(phone=phone)
    assert caught.value.fields == {"phone": ["请输入 11 位手机号码"]}


def test_staff_never_sign_in_by_sms_alone(tree, user_with, caplog):
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1, phone="13900000005")
    assert staff.phone == "13900000005"
    code_send(phone="13900000005")
    with pytest.raises(DomainError, match="工作台"):
        code_verify(phone="13900000005", code=CODE.search(caplog.text).group(1))


def test_a_claim_the_registry_matches_is_confirmed_at_once(tree, caplog):
    user, someone = resident(1, tree.grid_a1a, caplog)
    claim = ResidentClaim.objects.get(user=user)
    assert claim.status == ClaimStatus.CONFIRMED and claim.reason == ClaimReason.MATCHED
    assert person_of(user) == someone
    user.refresh_from_db()
    assert user.display_name == someone.name
    assert roles_of(user) == {Role.RESIDENT}
    assert RoleGrant.objects.get(user=user).area == tree.grid_a1a


def test_an_id_number_in_any_written_form_matches(tree, caplog):
    someone = person(2, tree.grid_a1a)
    user = sign_in("13900000006", caplog)
    spaced = f"{someone.id_number[:6]} {someone.id_number[6:14]} {someone.id_number[14:]}".lower()
    assert (
        claim_submit(user=user, name=someone.name, id_number=spaced, community=None).status
        == ClaimStatus.CONFIRMED
    )


def test_a_different_name_waits_for_the_community(tree, user_with, caplog):
    someone = person(3, tree.grid_a1a, name="王小明")
    user = sign_in("13900000007", caplog)
    claim = claim_submit(user=user, name="王晓明", id_number=someone.id_number, community=None)
    assert (claim.status, claim.reason, claim.area) == (
        ClaimStatus.PENDING,
        ClaimReason.NAME_DIFFERS,
        tree.grid_a1a,
    )
    assert person_of(user) is None and roles_of(user) == set()
    outsider = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    with pytest.raises(DomainError, match="无权"):
        claim_confirm(actor=outsider, claim=claim)
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    claim_confirm(actor=staff, claim=claim)
    assert person_of(user) == someone
    with pytest.raises(DomainError, match="已处理"):
        claim_confirm(actor=staff, claim=claim)


def test_no_record_goes_to_the_named_community_which_may_reject(tree, user_with, caplog):
    user = sign_in("13900000008", caplog)
    from tests.registry.factories import id_number

    with pytest.raises(DomainError) as caught:
        claim_submit(user=user, name="新居民", id_number=id_number(900), community=None)
    assert "community" in caught.value.fields
    claim = claim_submit(user=user, name="新居民", id_number=id_number(900), community=tree.comm_a2)
    assert (claim.reason, claim.area) == (ClaimReason.NOT_FOUND, tree.comm_a2)
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a2)
    with pytest.raises(DomainError, match="请选择"):
        claim_confirm(actor=staff, claim=claim)
    with pytest.raises(DomainError, match="原因"):
        claim_reject(actor=staff, claim=claim, note=" ")
    claim_reject(actor=staff, claim=claim, note="请带身份证到社区登记")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and claim.note == "请带身份证到社区登记"


def test_the_community_can_settle_a_claim_with_a_record_it_has_since_added(tree, user_with, caplog):
    user = sign_in("13900000009", caplog)
    from tests.registry.factories import id_number

    claim = claim_submit(user=user, name="新居民", id_number=id_number(901), community=tree.comm_a2)
    added = person(901, tree.comm_a2, name="新居民")
    claim_confirm(actor=user_with(Role.COMMUNITY_STAFF, tree.comm_a2), claim=claim, person=added)
    assert person_of(user) == added


def test_one_account_per_person(tree, user_with, caplog):
    _, someone = resident(4, tree.grid_a1a, caplog)
    second = sign_in("13900000010", caplog)
    claim = claim_submit(
        user=second, name=someone.name, id_number=someone.id_number, community=None
    )
    assert (claim.status, claim.reason) == (ClaimStatus.PENDING, ClaimReason.TAKEN)
    with pytest.raises(DomainError, match="其他账号"):
        claim_confirm(actor=user_with(Role.COMMUNITY_STAFF, tree.comm_a1), claim=claim)
    assert ResidentClaim.objects.filter(person=someone, status=ClaimStatus.CONFIRMED).count() == 1


def test_a_moved_out_record_is_not_claimed_automatically(tree, caplog):
    someone = person(5, tree.grid_a1a)
    person_move_out(actor=None, person=someone, on=date(2026, 1, 1))
    user = sign_in("13900000011", caplog)
    claim = claim_submit(user=user, name=someone.name, id_number=someone.id_number, community=None)
    assert (claim.status, claim.reason) == (ClaimStatus.PENDING, ClaimReason.INACTIVE)


def test_claims_are_limited_so_the_registry_cannot_be_walked(tree, caplog):
    user = sign_in("13900000012", caplog)
    from tests.registry.factories import id_number

    for n in range(5):
        claim_submit(user=user, name="猜测", id_number=id_number(950 + n), community=tree.comm_a1)
    with pytest.raises(DomainError, match="上限"):
        claim_submit(user=user, name="猜测", id_number=id_number(960), community=tree.comm_a1)


def test_a_bad_id_number_is_named(tree, caplog):
    user = sign_in("13900000013", caplog)
    with pytest.raises(DomainError) as caught:
        claim_submit(user=user, name="某人", id_number="110105195001010010", community=tree.comm_a1)
    assert "id_number" in caught.value.fields


def test_a_household_member_acts_for_an_elder_of_thehousehold(tree, caplog):
    user, son = resident(6, tree.grid_a1a, caplog)
    mother = person(7, tree.grid_a1a, born=date(1950, 3, 1))
    young = person(8, tree.grid_a1a, born=date(2010, 3, 1))
    stranger = person(9, tree.grid_a1a, born=date(1940, 3, 1))
    household(son, mother, young)
    proxy = proxy_start(user=user, person=mother)
    assert proxy.person == mother
    assert proxy_start(user=user, person=mother).pk == proxy.pk  # once
    with pytest.raises(DomainError, match="60 岁"):
        proxy_start(user=user, person=young)
    with pytest.raises(DomainError, match="同户"):
        proxy_start(user=user, person=stranger)
    assert AuditEntry.objects.filter(action="account.proxy_start").count() == 1
