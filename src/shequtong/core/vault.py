"""The personal-data vault: encryption, keyed hashes and masking of ID and phone numbers.

Ciphertexts are `kid$base64(nonce || ciphertext+tag)` so that a key rotation can tell which
rows still carry an old key; the key id is bound into AES-GCM as associated data. The HMAC
("blind index") lets the database find and de-duplicate a value without ever holding it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from stdnum import numdb
from stdnum.cn import ric

_NONCE_BYTES = 12


class VaultError(Exception):
    """A ciphertext that cannot be read: unknown key, or tampered data."""


class Unreadable(str):
    """What a field holds when its ciphertext cannot be read: it shows as 无法解密 wherever the
    value would appear (page, export, mask), and is written back as the ciphertext it came
    from, so that saving the row never replaces the stored value with the placeholder."""

    TEXT = "（无法解密）"
    token: str

    def __new__(cls, token: str) -> Unreadable:
        value = super().__new__(cls, cls.TEXT)
        value.token = token
        return value


def sealed(value: str) -> str:
    """The ciphertext to store for `value` (empty stays empty; an unreadable one stays as it
    was stored)."""
    if isinstance(value, Unreadable):
        return value.token
    return encrypt(value) if value else value


@dataclass(frozen=True)
class Keyring:
    active_kid: str
    keys: dict[str, AESGCM]


def parse_key_spec(spec: str, setting: str) -> tuple[str, dict[str, bytes]]:
    """The active key id and every raw key of a "kid:base64key,kid2:base64key" setting.

    The first key is the active one (it encrypts or seals); the others are kept to read what
    they wrote, which is how a key is rotated: put the new one first, keep the old behind it.
    """
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kid, sep, b64 = item.partition(":")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", kid):
            raise ImproperlyConfigured(f"{setting} 的每一项须为 “密钥编号:base64密钥”")
        try:
            raw = base64.b64decode(b64, validate=True)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{setting} 中密钥 {kid} 不是有效的 base64") from exc
        if len(raw) not in (16, 24, 32):
            raise ImproperlyConfigured(f"{setting} 中密钥 {kid} 的长度须为 16、24 或 32 字节")
        keys[kid] = raw
    if not keys:
        raise ImproperlyConfigured(f"未配置密钥 {setting}")
    return next(iter(keys)), keys


@lru_cache(maxsize=4)
def _parse_keyring(spec: str) -> Keyring:
    active, raw = parse_key_spec(spec, "SHEQUTONG_DATA_KEYS")
    return Keyring(active_kid=active, keys={kid: AESGCM(key) for kid, key in raw.items()})


def keyring() -> Keyring:
    return _parse_keyring(settings.SHEQUTONG_DATA_KEYS)


def new_key_spec(kid: str) -> str:
    """A fresh 256-bit key in the form SHEQUTONG_DATA_KEYS takes."""
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


def encrypt(plaintext: str) -> str:
    ring = keyring()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = ring.keys[ring.active_kid].encrypt(nonce, plaintext.encode(), ring.active_kid.encode())
    return f"{ring.active_kid}${base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    kid, sep, b64 = token.partition("$")
    key = keyring().keys.get(kid) if sep else None
    if key is None:
        raise VaultError(f"密文使用了未知的密钥编号 {kid!r}")
    try:
        # Malformed base64 (a truncated or hand-edited column) is tampering as much as a bad tag.
        blob = base64.b64decode(b64, validate=True)
        return key.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], kid.encode()).decode()
    except Exception as exc:  # InvalidTag, binascii.Error, UnicodeDecodeError
        raise VaultError("密文校验失败：数据被篡改或密钥不符") from exc


def key_id(token: str) -> str:
    return token.partition("$")[0]


# Files (uploaded ledgers, mediation agreements): b"SQTV1" kid-length kid nonce ciphertext+tag.
FILE_MAGIC = b"SQTV1"


def encrypt_bytes(data: bytes) -> bytes:
    ring = keyring()
    kid = ring.active_kid.encode()
    nonce = os.urandom(_NONCE_BYTES)
    sealed_data = ring.keys[ring.active_kid].encrypt(nonce, data, FILE_MAGIC + kid)
    return FILE_MAGIC + bytes([len(kid)]) + kid + nonce + sealed_data


def file_key_id(blob: bytes) -> str | None:
    """The key id a sealed file was encrypted with (None for a file written before sealing)."""
    if not blob.startswith(FILE_MAGIC):
        return None
    start = len(FILE_MAGIC) + 1
    return blob[start : start + blob[len(FILE_MAGIC)]].decode(errors="replace")


def decrypt_bytes(blob: bytes) -> bytes:
    """The plaintext of `encrypt_bytes`; a file written before files were sealed is returned
    as it is."""
    if not blob.startswith(FILE_MAGIC):
        return blob
    start = len(FILE_MAGIC) + 1
    kid = blob[start : start + blob[len(FILE_MAGIC)]]
    key = keyring().keys.get(kid.decode(errors="replace"))
    if key is None:
        raise VaultError(f"文件使用了未知的密钥编号 {kid!r}")
    body = blob[start + len(kid) :]
    try:
        return key.decrypt(body[:_NONCE_BYTES], body[_NONCE_BYTES:], FILE_MAGIC + kid)
    except Exception as exc:  # InvalidTag
        raise VaultError("文件校验失败：数据被篡改或密钥不符") from exc


# --- normalisation and the blind index ---------------------------------------------------


def _halfwidth(value: str) -> str:
    """Full-width digits and signs (１３８－…, typed with a Chinese input method) as ASCII."""
    return unicodedata.normalize("NFKC", value)


def normalize_phone(value: str) -> str:
    """Digits only, without a +86/0086 prefix, so 138-0013-8000 and +8613800138000 match."""
    digits = re.sub(r"[^0-9]", "", _halfwidth(value))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits


_PLAIN = re.compile(r"[0-9A-Za-z]*", re.ASCII)


def normalize_id_number(value: str) -> str:
    """Upper case without spaces or hyphens, so "110105 19491231 002x" finds 11010519491231002X."""
    if _PLAIN.fullmatch(value):  # nearly every value: nothing to clean (a ledger's million rows)
        return value.upper()
    return ric.compact(re.sub(r"[\s-]", "", _halfwidth(value))).upper()


NORMALIZERS = {"phone": normalize_phone, "id_number": normalize_id_number}


def blind_index(kind: str, value: str) -> str:
    """Keyed SHA-256 of the normalised value, namespaced by kind so equal strings differ."""
    normalized = NORMALIZERS[kind](value)
    keyed = _keyed(settings.SHEQUTONG_HMAC_KEY).copy()
    keyed.update(f"{kind}:{normalized}".encode())
    return keyed.hexdigest()


@lru_cache(maxsize=4)
def _keyed(key: str) -> hmac.HMAC:
    """The HMAC with its key already absorbed: copying it halves the cost of each index."""
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


# --- masking --------------------------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """110***********123X: region prefix and last four kept, the birth date hidden."""
    if not value or isinstance(value, Unreadable):
        return value or ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; landlines keep their area code and last four digits."""
    if not value or isinstance(value, Unreadable):
        return value or ""
    digits = normalize_phone(value)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(value) <= 4:
        return "*" * len(value)
    head = value.split("-")[0] + "-" if "-" in value else value[:3]
    return head + "*" * max(len(value) - len(head) - 4, 1) + value[-4:]


def mask_note(value: str) -> str:
    """Health notes show nothing but that they exist."""
    if isinstance(value, Unreadable):
        return value
    return "（已加密，需授权查看）" if value else ""


MASKERS = {"phone": mask_phone, "id_number": mask_id_number, "note": mask_note}


# --- validation -----------------------------------------------------------------------------

_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$", re.ASCII)
_PHONE_CHARS = re.compile(r"^(\+86-?|0086-?)?[\d-]+$", re.ASCII)


@lru_cache(maxsize=4096)
def _region_known(code: str) -> bool:
    """Whether the six-digit administrative code was ever assigned, in any period.

    stdnum's own check insists the code existed in the holder's birth year, but a number
    carries the code of the office that issued it: a Chongqing resident born in 1950 and
    re-issued after 1997 holds a 500xxx number, which stdnum would call invalid. (For some
    codes it also fails with a KeyError instead of a ValidationError.)
    """
    info = {k: v for _, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    return bool(info.get("county"))


def id_birth_date(compact: str) -> date:
    """The birth date digits 7–14 of a compact 18-digit number encode (ValueError if none).

    What stdnum's `ric.get_birth_date` reads, without cleaning the number once more: a
    ledger checks a million of them."""
    return date(int(compact[6:10]), int(compact[10:12]), int(compact[12:14]))


def validate_id_number(value: str) -> str:
    """Return the compact 18-digit ID number or raise a ValidationError that says what is wrong:
    the length, the digits, the birth date (an impossible or future date), the region code, or
    the check digit, each with its own message for the person at the counter."""
    compact = normalize_id_number(value)
    if len(compact) != 18:
        raise ValidationError("身份证号应为 18 位", code="id_length")
    if not (compact[:-1].isascii() and compact[:-1].isdigit()) or compact[-1] not in "0123456789X":
        raise ValidationError("身份证号格式错误：前 17 位须为数字", code="id_format")
    try:
        born = id_birth_date(compact)
    except ValueError as exc:
        raise ValidationError("身份证号中的出生日期不存在", code="id_birth_date") from exc
    if born > timezone.localdate():
        raise ValidationError("身份证号中的出生日期不存在", code="id_birth_date")
    if not _region_known(compact[:6]):
        raise ValidationError("身份证号中的地区码不存在", code="id_region")
    if compact[-1] != ric.calc_check_digit(compact):
        raise ValidationError("身份证号校验位错误，请核对最后一位", code="id_checksum")
    return compact


def validate_phone(value: str) -> str:
    """Accept a mainland mobile (11 digits) or a landline with area code; return it normalised.

    Only digits, spaces, hyphens and a leading +86/0086 are accepted: `normalize_phone` drops
    every other character, so without this check "tel:138…" or "138x0013y8000" would pass.
    """
    stripped = _halfwidth(value).strip().replace(" ", "")
    if not _PHONE_CHARS.match(stripped):
        raise ValidationError("电话号码格式错误：应为 11 位手机号或带区号的固定电话", code="phone")
    digits = normalize_phone(stripped)
    if _MOBILE.match(digits):
        return digits
    if _LANDLINE.match(stripped):
        return stripped
    raise ValidationError("电话号码格式错误：应为 11 位手机号或带区号的固定电话", code="phone")
