"""What an action is made of: its declaration (where it may happen, who may fire it), its typed
input and its handler, registered together by one decorator.

The input is a pydantic model because django-ninja's body schemas are pydantic models: the API
takes the class as it is (OpenAPI included), the pages derive their form from it (labels are the
fields' titles, widgets the `ui(...)` hints), and services validate plain dicts with it. One class,
three readers, no second copy of a field.
"""

from __future__ import annotations

import datetime
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic import Field as Field  # re-exported for the stage modules

from daiban.lib.text import CleanText
from daiban.lib.validation import PlausibleDate, Version, invalid, plain_integer
from daiban.org.models import User
from daiban.petitions.models import Disposition, Petition

# Text a person typed, cleaned (daiban.lib.text: controls, surrogates, bidi overrides removed; Word's
# line breaks as \n) before its length is checked. Required text must not be empty after that.
TEXT_MAX = 5000  # characters of an action's text (notes, results, opinions)
Text = Annotated[CleanText, StringConstraints(min_length=1, max_length=TEXT_MAX)]
OptionalText = Annotated[CleanText, StringConstraints(max_length=TEXT_MAX)]

Choices = list[tuple[Any, str]]


@dataclass(frozen=True)
class Widget:
    """How a field is asked for on the case page (the API ignores it).

    kind: text, textarea, select, radio, multiselect, date, number, checkbox, hidden.
    choices: the options when they come from the database or the petition, given the petition, the
      actor kinds the acting user holds on it (permissions.actor_kinds) and, for a 处置单's action,
      that 处置单 (None for a petition's): exactly the values the handler accepts from that actor on
      that object, never one it would refuse (enum fields list their own, worded
      by `wording` where the page says more than the label); empty: a first, empty
      option of a select; initial: the value shown at first;
      required: whether the page marks it required when the type alone does not say (it depends
      on the petition); when: (field, values): the page shows it only while that other field of
      the same form has one of those values (the screening outcome's own fields).
    """

    kind: str
    help: str = ""
    label: str = ""  # the page's wording when it differs from the field's title
    choices: Callable[[Petition, frozenset[str], Disposition | None], Choices] | None = None
    wording: Mapping[str, str] = field(default_factory=dict)
    empty: str | None = None
    initial: Callable[[Petition], Any] | None = None
    required: Callable[[Petition], bool] | None = None
    when: tuple[str, tuple[str, ...]] | None = None


def ui(kind: str, **options: Any) -> Widget:
    return Widget(kind, **options)


def _takes_int(annotation: Any) -> bool:
    """An int field (`int`, `int | None`, constrained ints), not a bool one."""
    if annotation is int:
        return True
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        return _takes_int(args[0])
    if origin in (typing.Union, types.UnionType):  # int | None
        return bool not in args and any(_takes_int(a) for a in args if a is not type(None))
    return False


class ActionInput(BaseModel):
    """Every action's body: its own fields, plus the day it happened and the version seen.

    `HAPPENED`: the fields that state the day the thing itself took place (a request made, a visit
    paid, a solution decided): the action's `on`, the day it is entered as having happened, is
    never before it (services._check: 400 naming `on`), so the timeline keeps the order things
    happened in."""

    model_config = ConfigDict(extra="ignore")
    HAPPENED: ClassVar[tuple[str, ...]] = ()

    on: PlausibleDate | None = Field(None, title="办理日期", description="发生日期（补录纸质材料时可早于今天），默认今天")
    version: Version | None = Field(None, title="版本号", description="详情中的version；已被他人办理时答复409 stale")

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic's lax mode takes true as 1 for an int field ({"workdays": true} asked for one working
        # day); a client that sends a boolean where a number is asked has made a mistake.
        if info.field_name and _takes_int(cls.model_fields[info.field_name].annotation):
            return plain_integer(value)  # a boolean, or text other than ASCII digits ("1_0" read as 10)
        return value

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {name: f.title or name for name, f in cls.model_fields.items()}

    @classmethod
    def choice_fields(cls) -> set[str]:
        """Fields picked from a list on the page (a missing one reads 请选择…)."""
        return {name for name in cls.own_fields()
                if (w := cls.widget(name)) and w.kind in ("select", "radio", "multiselect", "hidden")}

    @classmethod
    def own_fields(cls) -> list[str]:
        """The fields this action adds to every action's `on` and `version`."""
        return [name for name in cls.model_fields if name not in ActionInput.model_fields]

    @classmethod
    def widget(cls, name: str) -> Widget | None:
        return next((m for m in cls.model_fields[name].metadata if isinstance(m, Widget)), None)

    @classmethod
    def parse(cls, data: Mapping[str, Any] | ActionInput) -> ActionInput:
        """The typed input from a plain mapping (pages, commands, tests); Invalid (400) naming the
        field otherwise. An instance of this class passes through."""
        if isinstance(data, cls):
            return data
        try:
            return cls.model_validate(dict(data) if not isinstance(data, BaseModel) else data.model_dump(exclude_unset=True))
        except ValidationError as exc:
            raise invalid(exc, cls.labels(), cls.choice_fields()) from exc


@dataclass
class Ctx:
    """What a handler works on: the locked petition, who acts (None: the petitioner through the
    portal), the day it happened and the actor kinds this user holds on the petition."""

    petition: Petition
    user: User | None
    on: datetime.date
    kinds: frozenset[str]


@dataclass
class DispositionCtx(Ctx):
    disposition: Disposition


@dataclass
class Outcome:
    """A handler's result: the event's note and data, and the new status (None: unchanged)."""

    note: str
    data: dict[str, Any] = field(default_factory=dict)
    status: str | None = None


I = TypeVar("I", bound=ActionInput)  # noqa: E741
C = TypeVar("C", bound=Ctx)


@dataclass(frozen=True)
class Action(Generic[C]):
    """One workflow action. `sources`: statuses (or, on a 处置单, disposition states) it may start
    from; `targets`: where it may lead, () for "unchanged"; `actors`: the actor kinds that may fire
    it (permissions.actor_kinds); `guards`: names of state checks in guards.py."""

    name: str
    label: str
    sources: frozenset[str]
    targets: tuple[str, ...]
    actors: frozenset[str]
    input: type[ActionInput]
    handler: Callable[[C, Any], Outcome]
    guards: tuple[str, ...] = ()
    help: str = ""
    on_disposition: bool = False


ACTIONS: dict[str, Action[Ctx]] = {}
DISPOSITION_ACTIONS: dict[str, Action[DispositionCtx]] = {}


def _input_of(handler: Callable[..., Outcome]) -> type[ActionInput]:
    hints = typing.get_type_hints(handler, include_extras=False)
    data = hints.get("data")
    if not (isinstance(data, type) and issubclass(data, ActionInput)):
        raise TypeError(f"{handler.__name__}: the handler's `data` parameter must be typed with its ActionInput class")
    for name in data.own_fields():
        if data.widget(name) is None:
            # A field the page cannot ask for would make the page form silently incomplete.
            raise TypeError(f"{data.__name__}.{name}: every input field declares how the page asks for it (ui(...))")
    return data


def _register(registry: dict[str, Any], name: str, label: str, *, sources: typing.Iterable[str],
              targets: typing.Iterable[str], actors: typing.Iterable[str], guards: typing.Iterable[str],
              help: str, on_disposition: bool) -> Callable[[Callable[[Any, I], Outcome]], Callable[[Any, I], Outcome]]:
    def register(handler: Callable[[Any, I], Outcome]) -> Callable[[Any, I], Outcome]:
        if name in registry:
            raise ValueError(f"action {name!r} declared twice")
        registry[name] = Action(
            name=name, label=label, sources=frozenset(sources), targets=tuple(targets), actors=frozenset(actors),
            input=_input_of(handler), handler=handler, guards=tuple(guards), help=help, on_disposition=on_disposition,
        )
        return handler

    return register


def petition_action(name: str, label: str, *, sources: typing.Iterable[str], targets: typing.Iterable[str] = (),
                    actors: typing.Iterable[str], guards: typing.Iterable[str] = (), help: str = "",
                    ) -> Callable[[Callable[[Ctx, I], Outcome]], Callable[[Ctx, I], Outcome]]:
    """Declare a petition action around its handler `def handler(ctx: Ctx, data: TheInput) -> Outcome`."""
    return _register(ACTIONS, name, label, sources=sources, targets=targets, actors=actors, guards=guards,
                     help=help, on_disposition=False)


def disposition_action(name: str, label: str, *, sources: typing.Iterable[str], targets: typing.Iterable[str] = (),
                       actors: typing.Iterable[str], guards: typing.Iterable[str] = (), help: str = "",
                       ) -> Callable[[Callable[[DispositionCtx, I], Outcome]], Callable[[DispositionCtx, I], Outcome]]:
    """Declare an action on one 处置单 (sources and targets are disposition states)."""
    return _register(DISPOSITION_ACTIONS, name, label, sources=sources, targets=targets, actors=actors,
                     guards=guards, help=help, on_disposition=True)
