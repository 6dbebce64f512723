"""Identity checks of the registry: ID numbers, names in pinyin, plates and credit codes.

Each check raises a ValidationError whose message a person at the counter can act on; the
import names the row and column around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from pypinyin import Style, lazy_pinyin
from stdnum.cn import ric, uscc

from shequtong.core import vault

from .choices import Gender


@dataclass(frozen=True)
class Identity:
    id_number: str
    birth_date: date
    gender: str


def upgrade_legacy_id(value: str) -> str:
    """A 15-digit ID (issued before 1999) as its 18-digit form: century 19, new check digit."""
    if not re.fullmatch(r"[0-9]{15}", value):
        raise ValidationError("15 位旧身份证号须全为数字", code="id_format")
    body = value[:6] + "19" + value[6:]
    # stdnum computes over all but the last character, so pass a placeholder check digit.
    return body + ric.calc_check_digit(body + "0")


def parse_id_number(raw: str) -> Identity:
    """Validate an ID number (18 digits, or a legacy 15 converted) and read what it encodes."""
    compact = vault.normalize_id_number(raw)
    if len(compact) == 15:
        compact = upgrade_legacy_id(compact)
    number = vault.validate_id_number(compact)
    gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    return Identity(number, vault.id_birth_date(number), gender)


def check_agrees(identity: Identity, *, gender: str | None, birth_date: date | None) -> None:
    """A ledger's own 性别/出生日期 columns must say what the ID number says."""
    errors: dict[str, str] = {}
    if gender and gender != identity.gender:
        errors["gender"] = f"性别与身份证号不符（身份证号为{Gender(identity.gender).label}性）"
    if birth_date and birth_date != identity.birth_date:
        errors["birth_date"] = (
            f"出生日期与身份证号不符（身份证号为 {identity.birth_date:%Y-%m-%d}）"
        )
    if errors:
        raise ValidationError(errors)


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> tuple[str, str]:
    """("zhangsan", "zs") for 张三: what residents and staff type to find a person. Cached:
    a ledger of a million people holds far fewer distinct names."""
    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore")]
    return "".join(syllables), "".join(s[0] for s in syllables if s)


_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_LETTER = "A-HJ-NP-Z"  # I and O are never used on plates
_PLATE = re.compile(
    rf"^[{_PROVINCES}][{_LETTER}]("
    rf"[{_LETTER}0-9]{{4}}[{_LETTER}0-9挂学警港澳]"  # ordinary: 川D·12345
    rf"|[DF][{_LETTER}0-9][0-9]{{4}}"  # small new-energy: 川D·D12345
    rf"|[0-9]{{5}}[DF]"  # large new-energy: 川D·12345D
    r")$"
)


def normalize_plate(raw: str) -> str:
    plate = vault._halfwidth(raw).upper().replace("·", "").replace(" ", "").replace("-", "")
    if not _PLATE.match(plate):
        raise ValidationError(
            "车牌号格式错误：应为省份简称 + 字母 + 5 位（新能源 6 位），如 川D12345、川DD12345",
            code="plate",
        )
    return plate


def is_new_energy_plate(plate: str) -> bool:
    return len(plate) == 8


def validate_credit_code(raw: str) -> str:
    """GB 32100 unified social credit code.

    python-stdnum insists the first eight characters are digits, but the first two are the
    registration authority and organisation type, which may be letters (N1 for a social
    organisation registered by civil affairs, Y for others): those are accepted here when the
    region code and check character hold.
    """
    code = uscc.compact(vault._halfwidth(raw)).upper()
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为 18 位", code="uscc_length")
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    if any(c not in alphabet for c in code) or not code[2:8].isdigit():
        raise ValidationError(
            "统一社会信用代码格式错误：第 3–8 位须为行政区划代码，且不含 I、O、Z、S、V",
            code="uscc_format",
        )
    if code[-1] != uscc.calc_check_digit(code[:17]):
        raise ValidationError("统一社会信用代码校验位错误，请核对最后一位", code="uscc_checksum")
    return code
