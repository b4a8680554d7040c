"""Validation and masking of the petitioner's ID number (GB 11643) and phone number."""

from __future__ import annotations

import datetime
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_FIXED = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}(-\d{1,6})?$")


class InvalidValue(ValueError):
    """A value the user typed that we cannot accept; the message is Chinese, for that person."""


def _check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _birth_date(yyyymmdd: str) -> datetime.date:
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError as exc:
        raise InvalidValue("出生日期不是有效日期") from exc
    if born > datetime.date.today() or born.year < 1900:
        raise InvalidValue("出生日期不合理")
    return born


def normalize_id_number(raw: str) -> str:
    """Return the 18-character form of a valid ID number; raise InvalidValue otherwise.

    The 15-digit first-generation number (before 1999) is still on old land certificates,
    so it is accepted and upgraded to 18 digits with its check digit.
    """
    value = (raw or "").strip().upper().replace(" ", "")
    if not value:
        raise InvalidValue("请填写身份证号")
    if re.fullmatch(r"\d{15}", value):
        first17 = value[:6] + "19" + value[6:]
        _birth_date(first17[6:14])
        return first17 + _check_digit(first17)
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise InvalidValue("身份证号应为18位（最后一位可以是X）或15位数字")
    if value[0] not in "12345678":
        raise InvalidValue("身份证号的地区码无效")
    _birth_date(value[6:14])
    if _check_digit(value[:17]) != value[17]:
        raise InvalidValue("身份证号校验位不正确，请核对")
    return value


def normalize_phone(raw: str) -> str:
    value = re.sub(r"[\s()（）]", "", raw or "")
    if not value:
        raise InvalidValue("请填写联系电话")
    value = re.sub(r"^(\+?86)(?=1\d{10}$)", "", value)
    if _MOBILE.match(value) or _FIXED.match(value):
        return value
    raise InvalidValue("电话号码格式不正确：应为11位手机号或带区号的固定电话（如0477-7654321）")


def mask_id_number(value: str) -> str:
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    digits = value.replace("-", "")
    if len(digits) < 7:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]
