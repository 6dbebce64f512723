"""The personal-data vault: what reaches the database, how it is found, masked and validated."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import FieldError, ValidationError
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from shequtong.core import vault
from shequtong.core.models import User
from tests.core.factories import UserFactory

PHONE = "13800135678"


def with_check_digit(first17: str) -> str:
    """A full ID number whose check digit is right, whatever else may be wrong with it."""
    return first17 + ric.calc_check_digit(first17 + "0")


def raw_phone(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM core_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def set_raw_phone(user: User, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_user SET phone = %s WHERE id = %s", [value, user.pk])


# --- storage --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_round_trip_stores_ciphertext_never_plaintext():
    user = UserFactory(phone=PHONE)
    stored = raw_phone(user)
    assert stored.startswith(f"{vault.keyring().active_kid}$")
    assert PHONE not in stored
    assert "5678" not in stored
    assert User.objects.get(pk=user.pk).phone == PHONE
    assert User.objects.values_list("phone", flat=True).get(pk=user.pk) == PHONE


@pytest.mark.django_db
def test_same_value_encrypts_differently_each_time():
    a, b = UserFactory(phone=PHONE), UserFactory(phone=PHONE)
    assert raw_phone(a) != raw_phone(b)
    assert a.phone_hash == b.phone_hash


@pytest.mark.django_db
def test_empty_value_stays_empty():
    user = UserFactory(phone="")
    assert raw_phone(user) == ""
    assert User.objects.get(pk=user.pk).phone == ""
    assert User.objects.get(pk=user.pk).phone_hash is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "presented", [PHONE, "+86 138-0013-5678", "+8613800135678", "0086 13800135678", "138 0013 5678"]
)
def test_blind_index_finds_the_phone_in_any_written_form(presented):
    user = UserFactory(phone=PHONE)
    UserFactory(phone="13900135678")
    field = User._meta.get_field("phone_hash")
    assert list(User.objects.filter(phone_hash=field.lookup_value(presented))) == [user]


@pytest.mark.django_db
def test_blind_index_follows_a_changed_value():
    user = UserFactory(phone=PHONE)
    user.phone = "13900001111"
    user.save()
    field = User._meta.get_field("phone_hash")
    assert not User.objects.filter(phone_hash=field.lookup_value(PHONE)).exists()
    assert User.objects.filter(phone_hash=field.lookup_value("13900001111")).get() == user


def test_blind_index_is_namespaced_by_kind():
    assert vault.blind_index("phone", "110105194912310021") != vault.blind_index(
        "id_number", "110105194912310021"
    )


@pytest.mark.parametrize(
    "presented", ["11010519491231002x", "110105 19491231 002X", "110105-19491231-002X"]
)
def test_blind_index_of_an_id_number_ignores_case_and_separators(presented):
    assert vault.blind_index("id_number", presented) == vault.blind_index(
        "id_number", "11010519491231002X"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("lookup", ["phone", "phone__exact", "phone__contains", "phone__in"])
def test_lookups_on_an_encrypted_field_raise(lookup):
    value = [PHONE] if lookup.endswith("__in") else PHONE
    with pytest.raises(FieldError, match="加密字段"):
        list(User.objects.filter(**{lookup: value}))


@pytest.mark.django_db
def test_isnull_is_the_one_lookup_allowed():
    UserFactory(phone=PHONE)
    assert User.objects.filter(phone__isnull=False).count() == 1


@pytest.mark.django_db
def test_tampered_ciphertext_reads_as_unreadable_and_is_kept(caplog):
    user = UserFactory(phone=PHONE)
    kid, _, b64 = raw_phone(user).partition("$")
    blob = bytearray(base64.b64decode(b64))
    blob[-1] ^= 0x01
    tampered = f"{kid}${base64.b64encode(bytes(blob)).decode()}"
    set_raw_phone(user, tampered)
    with pytest.raises(vault.VaultError):
        vault.decrypt(tampered)
    loaded = User.objects.get(pk=user.pk)
    assert isinstance(loaded.phone, vault.Unreadable) and loaded.phone == "（无法解密）"
    assert vault.mask_phone(loaded.phone) == "（无法解密）"
    assert "无法解密 core.User.phone" in caplog.text and b64 not in caplog.text
    loaded.display_name = "改个名"
    loaded.save()  # neither the placeholder nor a new hash is written over the stored value
    assert raw_phone(user) == tampered
    assert User.objects.get(pk=user.pk).phone_hash == user.phone_hash


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-6],  # truncated: the base64 no longer decodes
        lambda t: t[:-4] + "!!!!",  # characters outside base64
        lambda t: t.partition("$")[0] + "$",  # no payload at all
        lambda t: t.replace("$", "", 1),  # no key id separator
    ],
)
def test_malformed_ciphertext_raises_vault_error(mangle):
    with pytest.raises(vault.VaultError):
        vault.decrypt(mangle(vault.encrypt(PHONE)))


@pytest.mark.django_db
def test_unknown_key_id_raises():
    user = UserFactory(phone=PHONE)
    _, _, b64 = raw_phone(user).partition("$")
    set_raw_phone(user, f"gone${b64}")
    with pytest.raises(vault.VaultError, match="未知的密钥编号"):
        vault.decrypt(raw_phone(user))
    assert isinstance(User.objects.get(pk=user.pk).phone, vault.Unreadable)


def test_key_id_is_bound_to_the_ciphertext():
    """Relabelling a ciphertext with another known key id fails, even when both keys are equal."""
    token = vault.encrypt(PHONE)
    _, _, b64 = token.partition("$")
    kid, _, key = settings.SHEQUTONG_DATA_KEYS.partition(":")
    with override_settings(SHEQUTONG_DATA_KEYS=f"{kid}:{key},twin:{key}"):
        assert vault.decrypt(token) == PHONE
        with pytest.raises(vault.VaultError):
            vault.decrypt(f"twin${b64}")


@pytest.mark.django_db
def test_key_rotation_reads_old_rows_and_writes_with_the_new_key():
    user = UserFactory(phone=PHONE)
    old_kid = vault.key_id(raw_phone(user))
    rotated = f"{vault.new_key_spec('k2026')},{settings.SHEQUTONG_DATA_KEYS}"
    with override_settings(SHEQUTONG_DATA_KEYS=rotated):
        reloaded = User.objects.get(pk=user.pk)
        assert reloaded.phone == PHONE
        reloaded.save()
        assert vault.key_id(raw_phone(user)) == "k2026" != old_kid
        assert User.objects.get(pk=user.pk).phone == PHONE


@given(st.text())
def test_encrypt_decrypt_round_trip(plaintext):
    token = vault.encrypt(plaintext)
    assert token.startswith(f"{vault.keyring().active_kid}$")
    assert vault.decrypt(token) == plaintext


# --- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("11010519491231002X", "110***********002X"),
        (
            with_check_digit("11010519491231123"),
            "110***********123" + ric.calc_check_digit("11010519491231123" + "0"),
        ),
        ("", ""),
        ("1234567", "*******"),
    ],
)
def test_mask_id_number(value, masked):
    assert vault.mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("010-12345678", "010-****5678"),
        ("", ""),
    ],
)
def test_mask_phone(value, masked):
    assert vault.mask_phone(value) == masked


@given(st.from_regex(r"\A1[3-9][0-9]{9}\Z"))
def test_masked_mobile_never_shows_the_middle_four(mobile):
    masked = vault.mask_phone(mobile)
    assert masked == mobile[:3] + "****" + mobile[-4:]


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",
        "11010519491231002x",
        "360426199101010071",
        "110105 19491231 002X",
        with_check_digit("44030420000229123"),  # 29 Feb of a leap year
    ],
)
def test_valid_id_numbers(value):
    assert vault.validate_id_number(value) == vault.normalize_id_number(value)
    assert vault.validate_id_number(value).endswith(value[-1].upper())


def _wrong_check_digit(first17: str) -> str:
    right = ric.calc_check_digit(first17 + "0")
    return first17 + ("1" if right != "1" else "2")


@pytest.mark.parametrize(
    ("value", "message", "code"),
    [
        (
            _wrong_check_digit("11010519491231002"),
            "身份证号校验位错误，请核对最后一位",
            "id_checksum",
        ),
        ("11010519491231002", "身份证号应为 18 位", "id_length"),
        ("1101051949123100212", "身份证号应为 18 位", "id_length"),
        ("110105491231002", "身份证号应为 18 位", "id_length"),  # a 15-digit first-generation ID
        (with_check_digit("11010519490230002"), "身份证号中的出生日期不存在", "id_birth_date"),
        (with_check_digit("11010519491332002"), "身份证号中的出生日期不存在", "id_birth_date"),
        (with_check_digit("44030420010229123"), "身份证号中的出生日期不存在", "id_birth_date"),
        ("1101051949A231002X", "身份证号格式错误：前 17 位须为数字", "id_format"),
        (with_check_digit("99010519491231002"), "身份证号中的地区码不存在", "id_region"),
    ],
)
def test_invalid_id_numbers_say_what_is_wrong(value, message, code):
    with pytest.raises(ValidationError) as info:
        vault.validate_id_number(value)
    assert info.value.messages == [message]
    assert info.value.code == code


def test_id_number_born_in_the_future_is_rejected():
    tomorrow = timezone.localdate() + timedelta(days=1)
    value = with_check_digit(f"110105{tomorrow:%Y%m%d}002")
    with pytest.raises(ValidationError, match="出生日期不存在"):
        vault.validate_id_number(value)


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+86-13800138000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("19912345678", "19912345678"),
        ("010-12345678", "010-12345678"),
        ("0871-6543210", "0871-6543210"),
        ("02112345678", "02112345678"),
        ("010-12345678-123", "010-12345678-123"),
    ],
)
def test_validate_phone_accepts_mobiles_and_landlines(value, normalized):
    assert vault.validate_phone(value) == normalized


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12345678901",  # 12… is no mobile prefix
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "12345678",  # no area code
        "tel:13800138000",
        "138x0013y8000",
        "abc",
        "+1 415 555 0100",
    ],
)
def test_validate_phone_rejects_others(value):
    with pytest.raises(ValidationError, match="电话号码格式错误"):
        vault.validate_phone(value)


@pytest.mark.parametrize(
    ("value", "normalized"),
    [("１３８００１３８０００", "13800138000"), ("０１０－１２３４５６７８", "010-12345678")],
)
def test_full_width_digits_from_a_chinese_input_method_are_accepted(value, normalized):
    assert vault.validate_phone(value) == normalized
    assert vault.blind_index("phone", value) == vault.blind_index("phone", normalized)


@pytest.mark.parametrize("value", ["١٣٨٠٠١٣٨٠٠٠", "१३८००१३८०००"])
def test_other_scripts_digits_are_rejected(value):
    with pytest.raises(ValidationError):
        vault.validate_phone(value)


def test_full_width_id_number_is_read_as_ascii():
    assert vault.validate_id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"
