"""The case page's form of an action, derived from the action's input class: each field's title is
its label, its `ui(...)` hint its widget, its type its choices and whether it is required. Which
actions appear is decided by the workflow (services.available_actions); nothing here names one."""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from pydantic.fields import FieldInfo

from daiban.lib.dates import today
from daiban.lib.validation import ascii_digits, typed_count, typed_day
from daiban.petitions.actions import ActionInput
from daiban.petitions.models import Disposition, Petition

KINDS = frozenset({"text", "textarea", "select", "radio", "multiselect", "date", "number", "checkbox", "hidden"})


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"  # one of KINDS
    choices: list[tuple[Any, str]] = field(default_factory=list)
    required: bool = False
    help: str = ""
    value: Any = None
    error: str = ""
    first_error: bool = False  # the first field refused: the page puts the cursor on it (autofocus)
    when: tuple[str, tuple[str, ...]] | None = None  # shown only for these values of another field


def _enum_of(annotation: Any) -> type[enum.Enum] | None:
    """The choices enum of `X`, `X | None` or `list[X]`."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list):
        return next((e for a in typing.get_args(annotation) if (e := _enum_of(a))), None)
    return None


def _field(name: str, info: FieldInfo, cls: type[ActionInput], petition: Petition,
           kinds: frozenset[str] = frozenset(), disposition: Disposition | None = None) -> Field:
    widget = cls.widget(name)
    if widget is None or widget.kind not in KINDS:
        # _input_of refuses this at start-up; a hint outside KINDS would draw nothing.
        raise TypeError(f"{cls.__name__}.{name}: no page widget")
    if widget.choices is not None:
        choices = widget.choices(petition, kinds, disposition)
    elif (options := _enum_of(info.annotation)) is not None:
        choices = [(m.value, widget.wording.get(m.value, m.label)) for m in options]  # type: ignore[attr-defined]
    else:
        choices = []
    if widget.empty is not None:
        choices = [("", widget.empty), *choices]
    required = widget.required(petition) if widget.required else info.is_required()
    return Field(name, widget.label or info.title or name, widget.kind, choices, required, widget.help,
                 widget.initial(petition) if widget.initial else None, when=widget.when)


def fields_for(cls: type[ActionInput], petition: Petition, kinds: frozenset[str],
               disposition: Disposition | None = None) -> list[Field]:
    """The visible fields of one action's form (its `on` date, version and hidden role are added by
    the template). `kinds`: the actor kinds of the user the form is for (permissions.actor_kinds);
    `disposition`: the 处置单 a 处置单's action works on: a field's choices are those the action
    accepts from that user on that object (Widget.choices)."""
    return [f for name in cls.own_fields()
            if (f := _field(name, cls.model_fields[name], cls, petition, kinds, disposition)).kind != "hidden"]


def read_post(cls: type[ActionInput], post: QueryDict) -> dict[str, Any]:
    """The submitted values as the input class reads them; blanks are left out (its defaults apply)."""
    data: dict[str, Any] = {}
    for name in cls.own_fields():
        kind = cls.widget(name).kind  # type: ignore[union-attr]
        if kind == "multiselect":
            if values := [v for v in post.getlist(name) if v]:
                data[name] = values
        elif kind == "checkbox":
            data[name] = post.get(name) == "on"
        elif raw := post.get(name, "").strip():
            data[name] = as_typed(kind, raw)
    for key in ("on", "version"):
        if value := post.get(key, ""):
            data[key] = as_typed("date" if key == "on" else "number", value)
    return data


def as_typed(kind: str, raw: str) -> str:
    """A date or number field's text as people type it (2026/12/2, 12月2日, ５, 5天) in the form the
    input class reads (YYYY-MM-DD, ASCII digits); other text unchanged."""
    if kind == "date":
        return typed_day(raw, today().year)
    if kind == "number":
        return typed_count(raw)
    return raw


def fill(fields: list[Field], post: QueryDict, errors: dict[str, str]) -> list[Field]:
    """Put back what the user typed, with each field's error, after a refused submission."""
    for f in fields:
        if f.kind == "multiselect":
            f.value = [int(v) if ascii_digits(v) else v for v in post.getlist(f.name)]
        elif f.kind == "checkbox":
            f.value = post.get(f.name) == "on"
        else:
            f.value = as_typed(f.kind, post.get(f.name, ""))
            if f.kind in ("select", "radio") and ascii_digits(str(f.value)):
                f.value = int(f.value)
        f.error = errors.get(f.name, "")
    if first := next((f for f in fields if f.error), None):
        first.first_error = True
    return fields
