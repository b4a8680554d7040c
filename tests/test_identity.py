"""ID numbers (GB 11643) and phone numbers: validation, normalisation, masking."""

import pytest

from daiban.lib.identity import InvalidValue, mask_id_number, mask_phone, normalize_id_number, normalize_phone
from tests.factories import id_number


def test_valid_id_number_passes_and_lowercase_x_is_normalised():
    assert normalize_id_number("15062619700101123x") == "15062619700101123X"
    assert normalize_id_number(" 110101199003074215 ") == "110101199003074215"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("150626197001011236", "校验位"),
        ("15062619700101123", "18位"),
        ("150626197013011230", "出生日期"),
        ("950626197001011230", "地区码"),
        ("", "请填写"),
    ],
)
def test_invalid_id_numbers_are_refused_in_chinese(raw, message):
    with pytest.raises(InvalidValue, match=message):
        normalize_id_number(raw)


def test_fifteen_digit_first_generation_number_is_upgraded_with_its_check_digit():
    upgraded = normalize_id_number("150626700101123")
    assert upgraded[:17] == "15062619700101123"
    assert upgraded == id_number(born="19700101", serial=123)


@pytest.mark.parametrize("raw", ["13912345678", "+8613912345678", "0477-7654321", "04777654321", "010-62345678"])
def test_phone_numbers_accepted(raw):
    assert normalize_phone(raw)


@pytest.mark.parametrize("raw", ["12345678901", "1391234567", "7654321", "abc", ""])
def test_phone_numbers_refused(raw):
    with pytest.raises(InvalidValue):
        normalize_phone(raw)


def test_masking_keeps_only_what_identifies_the_record_not_the_person():
    assert mask_id_number("15062619700101123X") == "150626********123X"
    assert mask_phone("13912345678") == "139****5678"
