"""Pydantic's validation errors in Chinese, one message per field, for the API and the pages alike."""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Collection, Mapping, Sequence
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from daiban.lib.errors import Invalid
from daiban.lib.text import UNDECODABLE_MESSAGE, clean_line, clean_text, layout_refusal, undecodable

# Bounds of what a client may send, so no input reaches the database or the calendar arithmetic
# where it would overflow: ids are 32-bit primary keys; dates lie in a plausible range (the
# bureau's records start after 2000; year 1 would make a number WS-1-000001).
ID_MAX = 2_147_483_647
DATE_MIN, DATE_MAX = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


def plausible_date(value: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not DATE_MIN <= value <= DATE_MAX:
        raise PydanticCustomError("date_out_of_range", "date outside 2000-01-01..2099-12-31")
    return value


def not_a_boolean(value: Any) -> Any:
    """pydantic reads true as 1 in an int field: an id true would name record #1 (the
    administrator, the first station). A boolean is refused where a number is asked."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "a boolean is not a number")
    return value


def plain_integer(value: Any) -> Any:
    """A whole number as sent: a boolean refused (not_a_boolean), and text only as ASCII digits
    around spaces (ascii_digits). pydantic's lax int also reads "1_0" as 10, "+1" and "1.0" as 1: an
    id "1_0" named record #10."""
    value = not_a_boolean(value)
    if isinstance(value, str) and not ascii_digits(value.strip()):
        raise PydanticCustomError("int_parsing", "not a whole number in ASCII digits")
    return value


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits: \d would take ２０２６ too


def iso_day(value: Any) -> Any:
    """A date is written YYYY-MM-DD (API.md). pydantic also reads a timestamp ("…T00:00:00+14:00",
    whose day depends on a zone the bureau is not in) and a number of seconds as a date: refused.
    A well-written day that does not exist (2026-02-30) is told as such, not as a format error."""
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value.strip()):
        raise PydanticCustomError("date_parsing", "a date is written YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise PydanticCustomError("date_nonexistent", "no such day") from None


class NoSuchDay(ValueError):
    """Written as a day (YYYY-MM-DD) but no such day exists (2026-02-30)."""


def ascii_digits(raw: str) -> bool:
    """True when `raw` is one or more of 0–9. `str.isdigit` alone also takes superscripts and
    circled digits ("²", "①"), which `int()` refuses with ValueError: every check of digits before
    an `int()` of untrusted text asks this instead."""
    return raw.isascii() and raw.isdigit()


def month_parts(raw: str) -> tuple[int, int]:
    """(year, month) of a month written YYYY-MM (2026-10, 2026-1); ValueError for anything else: the
    digits ASCII (ascii_digits: `int()` also reads "２０２６", "٢٠٢٦" and "1_0" as numbers, so
    ?month=2026-1_0 showed October), the month 1–12. The caller says which years it keeps."""
    year, sep, month = raw.strip().partition("-")
    if not sep or len(year) != 4 or not 1 <= len(month) <= 2 or not (ascii_digits(year) and ascii_digits(month)):
        raise ValueError(f"not a month: {raw[:20]!r}")
    if not 1 <= int(month) <= 12:
        raise ValueError(f"not a month: {raw[:20]!r}")
    return int(year), int(month)


def parse_day(raw: str, *, bounded: bool = True) -> datetime.date:
    """A day from text as people and links write it (YYYY-MM-DD, within DATE_MIN..DATE_MAX). Raises
    NoSuchDay for a well-written day that does not exist, ValueError otherwise; each message continues
    a field's label ("开始日期" + "不是存在的日期（如2月30日）")."""
    text = raw.strip()
    if not _ISO_DAY.fullmatch(text):
        raise ValueError("应为2000至2099年间YYYY-MM-DD格式的日期")
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise NoSuchDay("不是存在的日期（如2月30日）") from None
    if bounded and not DATE_MIN <= day <= DATE_MAX:  # unbounded: the caller says its own range
        raise ValueError("应为2000至2099年间YYYY-MM-DD格式的日期")
    return day


# A day as people type it on a page: 2026/12/2, 2026.12.2, 2026年12月2日, 12月2日 (this year),
# in full-width digits from a Chinese input method too. The pages turn it into YYYY-MM-DD before the
# service reads it; the API keeps to YYYY-MM-DD (API.md).
_TYPED_DAY = re.compile(r"(?:(?P<y>[0-9]{4})\s*[-/.年]\s*)?(?P<m>[0-9]{1,2})\s*[-/.月]\s*(?P<d>[0-9]{1,2})\s*[日号]?")


def _ascii(text: str) -> str:
    """Full-width digits, letters and punctuation (０-９, －, ／, ．) as ASCII; other text unchanged."""
    return "".join(chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in text)


def typed_day(raw: str, this_year: int) -> str:
    """`raw` as YYYY-MM-DD when it is a day written as people type it (see _TYPED_DAY; a day without
    its year is one of `this_year`); otherwise `raw` unchanged, for the usual check to refuse it by
    name. Only the writing is changed: 2026-02-30 stays a day that does not exist."""
    text = _ascii(raw).strip().replace("\u3000", "")
    found = _TYPED_DAY.fullmatch(text)
    if found is None:
        return raw
    year = int(found["y"]) if found["y"] else this_year
    return f"{year:04d}-{int(found['m']):02d}-{int(found['d']):02d}"


_TYPED_COUNT = re.compile(r"([0-9]{1,6})\s*(?:天|日|个工作日|个|工作日)?")


def typed_count(raw: str) -> str:
    """A whole number as people type it on a page (５, 5天, 10个工作日, in full width too) as ASCII
    digits; otherwise `raw` unchanged, for the usual check to refuse it by name."""
    found = _TYPED_COUNT.fullmatch(_ascii(raw).strip())
    return found[1] if found else raw


_ONCE = re.compile(r"[0-9a-f]{32}")


def new_once_token() -> str:
    """A form's one-time token (the portal's submission form, the staff 登记 form): 32 hex digits."""
    return secrets.token_hex(16)


def once_token(raw: object) -> str:
    """The form's one-time token as posted, or '' when it is not one (forged, cut, absent)."""
    text = raw if isinstance(raw, str) else ""
    return text if _ONCE.fullmatch(text) else ""


# The bounds before the validator: so placed, pydantic publishes them as JSON Schema's minimum and
# maximum (after it, as its own "ge"/"le", which no client or fuzzer reads); the validator still runs
# first (it wraps the whole type).
Id = Annotated[int, Field(ge=1, le=ID_MAX), BeforeValidator(plain_integer)]
Version = Annotated[int, Field(ge=0, le=ID_MAX), BeforeValidator(plain_integer)]
PlausibleDate = Annotated[datetime.date, BeforeValidator(iso_day), AfterValidator(plausible_date)]
Year = Annotated[int, Field(ge=2000, le=2099), BeforeValidator(plain_integer)]

MESSAGES = {
    "missing": "请填写{label}",
    "string_too_short": "请填写{label}",
    "too_short": "请填写{label}",
    "duplicate_days": "{label}中同一日期出现了不止一次：{dates}",  # a constrained CleanText reports an empty text so, as a list below its minimum
    "string_too_long": "{label}不能超过{max_length}字",
    # A value outside a list: said with what was received and the values allowed (choice_message).
    "literal_error": "{label}的取值无效",
    "enum": "{label}的取值无效",
    "int_parsing": "{label}应为整数",
    "int_type": "{label}应为整数",
    "int_from_float": "{label}应为整数",
    "greater_than_equal": "{label}不能小于{ge}",
    "less_than_equal": "{label}不能大于{le}",
    "bool_parsing": "{label}应为是或否（true/false）",
    "bool_type": "{label}应为是或否（true/false）",
    "date_parsing": "{label}应为YYYY-MM-DD格式的日期",
    "date_nonexistent": "{label}不是存在的日期（如2月30日）",
    "date_from_datetime_parsing": "{label}应为YYYY-MM-DD格式的日期",
    "date_from_datetime_inexact": "{label}应为YYYY-MM-DD格式的日期",
    "date_type": "{label}应为YYYY-MM-DD格式的日期",
    "string_type": "{label}应为文字",
    "list_type": "{label}应为列表",
    "dict_type": "{label}应为对象",
    "model_attributes_type": "{label}应为对象",
    "too_long": "{label}不能超过{max_length}字",  # a list's: _COLLECTION_TOO_LONG
    "greater_than": "{label}超出允许范围",
    "less_than": "{label}超出允许范围",
    "int_parsing_size": "{label}超出允许范围",
    "float_parsing": "{label}应为数字",
    "string_pattern_mismatch": "{label}格式不正确",
    "date_out_of_range": "{label}应在2000-01-01至2099-12-31之间",
    "json_invalid": "请求内容不是有效的JSON",
    "undecodable": "{label}" + UNDECODABLE_MESSAGE,
    "layout": "{label}{refusal}",
}


# pydantic says "too_long" both for text under a constraint of an annotated type and for a list.
_COLLECTION_TOO_LONG = "{label}最多{max_length}项"


def _subclasses(kind: type) -> list[type]:
    out = []
    for sub in kind.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


# Value lists that are no TextChoices (a Literal of the API), with their labels: register_labels.
_LABELLED: list[dict[str, str]] = []


def register_labels(labels: Mapping[str, str]) -> Mapping[str, str]:
    """Make `labels` ({code: Chinese label}) known to choice_labels; returns it."""
    _LABELLED.append(dict(labels))
    return labels


def choice_labels(codes: Sequence[str]) -> dict[str, str]:
    """The Chinese labels of `codes` from the value list of the models (a Django TextChoices) or one
    registered (register_labels) that holds exactly them, else one that holds them all; {} when none
    does (the codes stand alone)."""
    from django.db.models import Choices

    wanted = set(codes)
    kinds = [dict(getattr(kind, "choices", None) or ()) for kind in _subclasses(Choices)] + _LABELLED
    for labels in sorted((k for k in kinds if wanted <= set(k)), key=lambda k: len(k) - len(wanted)):
        return {code: str(label) for code, label in labels.items() if code in wanted}  # the list's order
    return {}


def allowed_text(allowed: Sequence[str] | Mapping[str, str]) -> str:
    """The values a field takes, each with its Chinese label: "open（未结束）、closed（已结束）"."""
    labels = dict(allowed) if isinstance(allowed, Mapping) else choice_labels(list(allowed))
    codes = list(labels) if labels else list(allowed)
    return "、".join(f"{code}（{labels[code]}）" if labels.get(code) else code for code in codes)


def choice_message(error: Mapping[str, Any], label: str) -> str:
    """A value outside a list (pydantic's enum and literal errors, schemas.one_of): the field by its
    label, what was received, and the values it takes with their Chinese labels:
    "状态的取值无效（收到“bogus”），应为open（未结束）、closed（已结束）之一"."""
    ctx = error.get("ctx") or {}
    allowed = str(ctx.get("allowed") or "") or allowed_text(re.findall(r"'((?:[^'\\]|\\.)*)'", str(ctx.get("expected", ""))))
    received = ctx.get("received", error.get("input"))
    text = f"{label}的取值无效"
    if isinstance(received, str | int) and not isinstance(received, bool) and str(received).strip():
        text += f"（收到“{str(received)[:20]}”）"
    return text + (f"，应为{allowed}之一" if allowed else "")


def message(error: Mapping[str, Any], label: str) -> str:
    """One pydantic error (its `type` and `ctx`) as a Chinese sentence naming the field."""
    if error.get("type") in ("enum", "literal_error"):
        return choice_message(error, label)
    template = MESSAGES.get(str(error.get("type", "")), "{label}格式不正确")
    if error.get("type") == "too_long" and str((error.get("ctx") or {}).get("field_type", "")) in ("List", "Tuple", "Set"):
        template = _COLLECTION_TOO_LONG
    elif error.get("type") in ("string_too_long", "too_long") and isinstance(error.get("input"), str):
        # As the pages say it: how much is there, so the writer knows how much to cut.
        template += f"（现有{len(error['input'])}字）"
    try:
        return template.format(label=label, **(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return f"{label}格式不正确"


def field_messages(errors: Sequence[Mapping[str, Any]], labels: Mapping[str, str], *, skip: int = 0,
                   choose: Collection[str] = ()) -> dict[str, str]:
    """{"field.path": message} for pydantic's errors; `skip` leading parts of each `loc` are dropped
    (the API's ("body", "<param>") prefix). A missing field among `choose` (picked from a list) reads
    请选择…, others 请填写…. The first error of a field wins."""
    fields: dict[str, str] = {}
    for error in errors:
        parts = [str(p) for p in error.get("loc", ())][skip:]
        name = ".".join(parts) or "body"
        # An item of a list is named by its list: "departments.0" reads 事权单位第1项.
        named = [p for p in parts if not ascii_digits(p)]
        leaf = named[-1] if named else "body"
        label = labels.get(leaf, leaf)
        if parts and ascii_digits(parts[-1]):
            label = f"{label}第{int(parts[-1]) + 1}项"
        text = f"请选择{label}" if error.get("type") == "missing" and leaf in choose else message(error, label)
        fields.setdefault(name, text)
    return fields


def invalid(exc: ValidationError, labels: Mapping[str, str], choose: Collection[str] = ()) -> Invalid:
    """A ValidationError as the Invalid (400) that services raise."""
    return Invalid.of(field_messages(exc.errors(), labels, choose=choose))


def _typed(clean: Any, data: Mapping[str, Any], key: str, label: str, required: bool, max_length: int) -> str:
    value = data.get(key)
    if undecodable(value):
        raise Invalid.of({key: label + UNDECODABLE_MESSAGE})
    value = clean(None if value is None else str(value))
    if required and not value:
        raise Invalid.of({key: f"请填写{label}"})
    if len(value) > max_length:  # refused, never cut
        raise Invalid.of({key: f"{label}不能超过{max_length}字（现有{len(value)}字）"})
    if clean is clean_text and (refusal := layout_refusal(value)) is not None:
        raise Invalid.of({key: label + refusal})
    return str(value)


def text_field(data: Mapping[str, Any], key: str, label: str, *, required: bool = True, max_length: int = 5000) -> str:
    """`data[key]` as multi-line text, cleaned (daiban.lib.text). Invalid naming `key` (by `label`)
    when it holds U+FFFD, is required and empty, or is longer than `max_length` characters."""
    return _typed(clean_text, data, key, label, required, max_length)


def line_field(data: Mapping[str, Any], key: str, label: str, *, required: bool = True, max_length: int = 200) -> str:
    """`data[key]` as one-line text (names, addresses, numbers), cleaned; refused as text_field."""
    return _typed(clean_line, data, key, label, required, max_length)
