"""ID numbers, plates, credit codes and pinyin as the registry reads them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric, uscc

from shequtong.registry.identity import (
    is_new_energy_plate,
    name_pinyin,
    normalize_plate,
    parse_id_number,
    validate_credit_code,
)


def with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def test_a_number_reissued_after_its_region_code_changed_is_accepted():
    # Chongqing's 500107 dates from 1997; people born before then hold it all the same.
    identity = parse_id_number(with_check("50010719500101001"))
    assert identity.birth_date == date(1950, 1, 1)


def test_codes_that_break_stdnum_get_a_clear_message_not_a_crash():
    for region in ("510204", "990105"):
        try:
            parse_id_number(with_check(f"{region}19900101001"))
        except ValidationError as exc:
            assert "地区码" in exc.messages[0]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11010519491231002", "应为 18 位"),
        ("11010519491332002X", "出生日期不存在"),
        ("110105194912310021", "校验位错误"),
        ("11010519491231002Y", "格式错误"),
        ("1101054913310021", "18 位"),  # 16 digits: neither old nor new
    ],
)
def test_bad_id_numbers_say_what_is_wrong(raw, message):
    with pytest.raises(ValidationError, match=message):
        parse_id_number(raw)


def test_legacy_numbers_upgrade_and_gender_comes_from_the_number():
    identity = parse_id_number("110105491231002")
    assert identity.id_number == "11010519491231002X" and identity.gender == "female"
    assert parse_id_number(" 1101 0519 4912 3100 2x ").id_number == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "plate", "new_energy"),
    [
        ("川D12345", "川D12345", False),
        ("川d·12345", "川D12345", False),
        ("川AD12345", "川AD12345", True),
        ("川A12345F", "川A12345F", True),
        ("渝B1234学", "渝B1234学", False),
    ],
)
def test_plates(raw, plate, new_energy):
    assert normalize_plate(raw) == plate
    assert is_new_energy_plate(plate) is new_energy


@pytest.mark.parametrize("raw", ["川I12345", "XX12345", "川A1234", "川AD1234X"])
def test_bad_plates(raw):
    with pytest.raises(ValidationError, match="车牌号格式错误"):
        normalize_plate(raw)


def test_credit_codes_with_letter_prefixes_pass_on_their_checksum():
    social_org = "N1510100MJ0000000"
    code = social_org + uscc.calc_check_digit(social_org)
    assert not uscc.is_valid(code)  # what stdnum alone says
    assert validate_credit_code(code) == code
    company = "91350100M000100Y4"
    assert validate_credit_code(company + uscc.calc_check_digit(company)).startswith("9135")
    with pytest.raises(ValidationError, match="校验位错误"):
        validate_credit_code(company + ("0" if uscc.calc_check_digit(company) != "0" else "1"))
    with pytest.raises(ValidationError, match="18 位"):
        validate_credit_code("91350100M000100")


def test_pinyin_and_initials():
    assert name_pinyin("张三") == ("zhangsan", "zs")
    assert name_pinyin("欧阳娜娜") == ("ouyangnana", "oynn")
