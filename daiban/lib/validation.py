"""Pydantic's validation errors in Chinese, one message per field, for the API and the pages alike."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from daiban.lib.errors import Invalid

MESSAGES = {
    "missing": "请填写{label}",
    "string_too_short": "请填写{label}",
    "string_too_long": "{label}不能超过{max_length}字",
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
    "date_from_datetime_parsing": "{label}应为YYYY-MM-DD格式的日期",
    "date_from_datetime_inexact": "{label}应为YYYY-MM-DD格式的日期",
    "date_type": "{label}应为YYYY-MM-DD格式的日期",
    "string_type": "{label}应为文字",
    "list_type": "{label}应为列表",
    "dict_type": "{label}应为对象",
    "model_attributes_type": "{label}应为对象",
}


def message(error: Mapping[str, Any], label: str) -> str:
    """One pydantic error (its `type` and `ctx`) as a Chinese sentence naming the field."""
    template = MESSAGES.get(str(error.get("type", "")), "{label}格式不正确")
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
        leaf = parts[-1] if parts else "body"
        label = labels.get(leaf, leaf)
        text = f"请选择{label}" if error.get("type") == "missing" and leaf in choose else message(error, label)
        fields.setdefault(name, text)
    return fields


def invalid(exc: ValidationError, labels: Mapping[str, str], choose: Collection[str] = ()) -> Invalid:
    """A ValidationError as the Invalid (400) that services raise."""
    return Invalid.of(field_messages(exc.errors(), labels, choose=choose))
