"""Validation, normalisation and masking of the petitioner's ID number (GB 11643) and phone number.

People type numbers in every width and with every separator: full-width digits from a Chinese
input method (`１３９…`), a lower-case check digit, spaces and dashes in groups, `+86`, `0086` or
`86` before a mobile, brackets around an area code, an extension after `转`. Each accepted form of
one number normalises to one stored string of ASCII characters, so it has one keyed hash and the
same person is found however they typed it.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable

from daiban.lib.text import clean_line

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# GB/T 2260 province codes (the first two digits of an ID number).
_PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83", "91",
})
# Separators people put inside numbers: spaces, dashes of every kind, dots (the ideographic 。 too), slashes.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\uff0d.·・。/_]")
_BRACKETS = re.compile(r"[()\[\]{}（）【】]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
# An extension: "转123", "ext 123", "x123", "#123", "分机123", or a last dash group (handled below).
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)([0-9]{1,6})$", re.ASCII | re.IGNORECASE)
_MAX_RAW = 64  # longer input is not a number anybody typed

# What people type around a number in its own field (after NFKC: the full-width colon is ":"):
# a label before it ("电话：", "手机号 ", "身份证号:", "Tel:"), or any text without a digit that ends
# in a colon; after it, a full stop or comma and a remark in brackets ("（本人）").
_PHONE_LABEL = re.compile(r"^(?:(?:本人|我的|联系|手机|移动|固定|电话|固话|座机|号码|号|tel|phone|mobile|cell|是|为)\s*)+:?\s*",
                          re.IGNORECASE)
_ID_LABEL = re.compile(r"^(?:(?:本人|我的|公民|居民|身份证|身份|证件|号码|号|id|no|是|为)\s*)+:?\s*", re.IGNORECASE)
_COLON_LABEL = re.compile(r"^[^0-9:]{1,12}:\s*")
_TRAILING = re.compile(r"(?:\s*(?:[(\[（【][^0-9()\[\]（）【】]{0,12}[)\]）】]|[。,.;!?、]))+$")
# Between two numbers typed in one field: a comma, a semicolon, a slash, 或/和/及, or spaces.
_LIST = re.compile(r"\s*(?:[,;/|、]|或者?|和|及|还有)\s*|\s+")


def _unlabelled(value: str, label: re.Pattern[str]) -> str:
    """`value` (already NFKC) without a label before the number and punctuation or a remark after it."""
    value = value.strip()
    value = label.sub("", value, count=1)
    value = _COLON_LABEL.sub("", value, count=1)
    return _TRAILING.sub("", value).strip()


def _the_one(typed: str, parse: Callable[[str], str], too_many: str) -> str:
    """`parse(typed)`; when that refuses it, the one number `typed` holds twice (the same number typed
    again), or InvalidValue(`too_many` with {n} the count) when it holds several: never the first one
    kept silently, since which of them is the petitioner's is theirs to say. Otherwise `parse`'s own
    refusal."""
    try:
        return parse(typed)
    except InvalidValue:
        several = _several(typed, parse)
        if len(several) > 1:
            raise InvalidValue(too_many.format(n=len(several))) from None
        if len(several) == 1:
            return several[0]
        raise


def _several(value: str, parse: Callable[[str], str]) -> list[str]:
    """The distinct numbers `value` holds when it is two or more numbers typed one after another (each
    part parsed by `parse`), or [] when it is not (one number, or something else)."""
    chunks = [c for c in _LIST.split(value) if c]
    if len(chunks) < 2 or len(chunks) > 12:
        return []

    memo: dict[int, list[str] | None] = {}

    def split(start: int) -> list[str] | None:  # the first partition of chunks[start:] into numbers
        if start == len(chunks):
            return []
        if start in memo:
            return memo[start]
        memo[start] = None
        for end in range(start + 1, len(chunks) + 1):
            try:
                one = parse("".join(chunks[start:end]))
            except InvalidValue:
                continue
            rest = split(end)
            if rest is not None:
                memo[start] = [one, *rest]
                break
        return memo[start]

    found = split(0)
    return list(dict.fromkeys(found)) if found and len(found) >= 2 else []


class InvalidValue(ValueError):
    """A value the user typed that we cannot accept; the message is Chinese, for that person."""


def _ascii_digits(value: str) -> str:
    """NFKC (full-width and other compatibility forms), then every remaining decimal digit of any
    script as its ASCII digit, so `１`, `𝟏` and `١` all become `1`."""
    value = unicodedata.normalize("NFKC", clean_line(value))
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in value)


def _check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _birth_date(yyyymmdd: str) -> datetime.date:
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError as exc:
        raise InvalidValue("身份证号中的出生日期不是有效日期，请核对第7至14位") from exc
    if born > datetime.date.today() or born.year < 1900:
        raise InvalidValue("身份证号中的出生日期不合理，请核对第7至14位")
    return born


def _region(value: str) -> None:
    if value[:2] not in _PROVINCES:
        raise InvalidValue("身份证号前两位不是有效的省级地区码，请核对")


def normalize_id_number(raw: str) -> str:
    """The 18-character ASCII form of a valid ID number (digits and a capital X); InvalidValue with
    a Chinese message naming the real problem otherwise.

    Accepted: full-width or mixed-width digits, a lower-case or full-width x, spaces and dashes
    between groups. The 15-digit first-generation number (before 1999) is still on old land
    certificates: it is upgraded to 18 digits with its check digit (GB 11643-1999, 附录).
    """
    if raw is not None and len(str(raw)) > _MAX_RAW:
        raise InvalidValue("身份证号太长：应为18位（最后一位可以是X）或15位数字")
    typed = _unlabelled(_ascii_digits(str(raw or "")), _ID_LABEL)
    return _the_one(typed, _id_number, "身份证号只能填写一个，您填写了{n}个，请只填写信访人本人的身份证号")


def _id_number(typed: str) -> str:
    value = _SEPARATORS.sub("", typed).upper()
    if not value:
        raise InvalidValue("请填写身份证号")
    if not re.fullmatch(r"[0-9]*X?", value, re.ASCII):
        raise InvalidValue("身份证号只能由数字和最后一位的X组成")
    if len(value) == 15 and "X" not in value:
        _region(value)
        first17 = value[:6] + "19" + value[6:]
        _birth_date(first17[6:14])
        return first17 + _check_digit(first17)
    if len(value) != 18:
        raise InvalidValue(f"身份证号应为18位（最后一位可以是X）或15位数字，您填写的是{len(value)}位")
    _region(value)
    _birth_date(value[6:14])
    if _check_digit(value[:17]) != value[17]:
        raise InvalidValue("身份证号校验位不正确，请核对")
    return value


def _fixed_line(digits: str, extension: str) -> str | None:
    """`0AAA-NNNNNNN[-EEE]` when `digits` is a fixed-line number with its area code. Area codes are
    010 and 020–029 (three digits) or four digits for the rest of the country."""
    if not digits.startswith("0") or len(digits) < 10:
        return None
    area_len = 3 if digits[1] in "12" else 4
    area, local = digits[:area_len], digits[area_len:]
    if not re.fullmatch(r"[2-9][0-9]{6,7}", local, re.ASCII):
        return None
    return f"{area}-{local}" + (f"-{extension}" if extension else "")


def is_mobile(phone: str) -> bool:
    """Whether a stored (normalize_phone) number is a mobile's, the only kind an SMS reaches."""
    return bool(_MOBILE.fullmatch(phone or ""))


def normalize_phone(raw: str) -> str:
    """One stored form per number: a mobile as its 11 digits (`13912345678`), a fixed line as
    `0477-7654321` or `0477-7654321-123` with an extension. InvalidValue otherwise.

    Accepted: full-width digits, spaces, dashes, dots and brackets anywhere, `+86`, `0086` or `86`
    before a mobile or an area code (without its 0), extensions after 转, 分机, ext, x or #.
    """
    if raw is not None and len(str(raw)) > _MAX_RAW:
        raise InvalidValue("电话号码太长，请只填写一个号码")
    typed = _unlabelled(_ascii_digits(str(raw or "")), _PHONE_LABEL)
    return _the_one(typed, _phone, "联系电话只能填写一个号码，您填写了{n}个，请只留一个能联系到您的号码"
                                   "（别的号码可以写在反映的问题里）")


def _phone(typed: str) -> str:
    value = _BRACKETS.sub("", typed).strip()
    if not value:
        raise InvalidValue("请填写联系电话")
    extension = ""
    found = _EXTENSION.search(_SEPARATORS.sub("", value))
    if found:
        extension = found.group(1)
        value = _SEPARATORS.sub("", value)[: found.start()]
    else:
        # "0477-7654321-123": a third dash group is an extension.
        groups = [g for g in re.split(r"[\s\-\u2010-\u2015\u2212\uff0d]+", value) if g]
        if len(groups) == 3 and groups[0].startswith("0") and len(groups[2]) <= 6 and len(groups[1]) >= 7:
            extension, value = groups[2], groups[0] + groups[1]
    digits = _SEPARATORS.sub("", value)
    international = True
    if digits.startswith("+"):
        if not digits.startswith("+86"):
            raise InvalidValue("只受理中国大陆的电话号码（+86）")
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and 11 <= len(digits) <= 13 and not _MOBILE.fullmatch(digits):
        digits = digits[2:]
    else:
        international = False
    if not re.fullmatch(r"[0-9]+", digits, re.ASCII):
        raise InvalidValue("电话号码格式不正确：只能包含数字（可带空格、短横线、括号、+86或分机号）")
    if _MOBILE.fullmatch(digits) and not extension:
        return digits
    if _MOBILE.fullmatch(digits):  # "13912345678转1" was told 手机号码应以13至19开头
        raise InvalidValue("电话号码格式不正确：手机号码没有分机号，请去掉“转”及后面的数字")
    if international and not digits.startswith("0"):
        digits = "0" + digits  # "+86 477 7654321": after the country code the area code has no 0
    fixed = _fixed_line(digits, extension)
    if fixed:
        return fixed
    if digits.startswith("1") and len(digits) == 11:
        raise InvalidValue("电话号码格式不正确：手机号码应以13至19开头，请核对")
    if digits.startswith("1"):
        raise InvalidValue(f"电话号码格式不正确：手机号码应为11位，您填写的是{len(digits)}位")
    if not digits.startswith("0"):
        raise InvalidValue("电话号码格式不正确：固定电话请带区号（如0477-7654321）")
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


HIDDEN_NAME, HIDDEN_ADDRESS, HIDDEN_ID_NUMBER, HIDDEN_PHONE = "***", "********", "*" * 18, "*" * 11


def mask_name(value: str) -> str:
    """For a unit that must not learn who complained (《信访工作条例》 confidentiality): no character
    of the name, not even how many there were (a two-character name narrows a village to a few)."""
    return HIDDEN_NAME if value else ""


def mask_address(value: str) -> str:
    return HIDDEN_ADDRESS if value else ""
