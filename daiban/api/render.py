"""The hot responses written straight to JSON, in exactly the bytes django-ninja would send (issue 16).

Ninja validates a view's return value against its response schema and dumps it again before
rendering it: for a petition's detail or a page of the list that is about thirty nested pydantic
models built per request, most of the cost of the response. The hot views build their dicts with
the right values already (selectors.py), so `respond(schema, data)` only does what validation would
change: keys in the schema's order, keys the schema does not name left out, defaults for the keys
left out, ints given to float fields made floats, local time for LocalDateTime fields. Anything else
(a value of another type, an enum value that is not a member, a missing required key) is not
guessed: that response is validated by pydantic as before (the same errors too). The schema stays
declared on the route, so the OpenAPI document does not change; tests/test_api_render.py compares
the bytes with ninja's own path.
"""

from __future__ import annotations

import datetime
import enum
import functools
import inspect
import json
import types
import typing
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator, BaseModel

Convert = Callable[[Any], Any]
CONTENT_TYPE = "application/json; charset=utf-8"  # NinjaAPI.get_content_type() of the JSON renderer


class _Mismatch(Exception):
    """A value the fast path does not take as it is: pydantic decides."""


def respond(schema: type[BaseModel], data: Any, status: int = 200) -> HttpResponse:
    """`data` as ninja would send it for a route declared with `response={status: schema}`."""
    return HttpResponse(dumps(schema, data), status=status, content_type=CONTENT_TYPE)


def dumps(schema: type[BaseModel], data: Any) -> str:
    try:
        out = _model(schema)(data)
    except _Mismatch:
        return ninja_dumps(schema, data)
    return json.dumps(out, cls=NinjaJSONEncoder)


def ninja_dumps(schema: type[BaseModel], data: Any) -> str:
    """What ninja renders: the value validated by the schema, dumped, encoded by its JSON renderer."""
    return json.dumps(schema.model_validate(data).model_dump(), cls=NinjaJSONEncoder)


def _exact(kind: type) -> Convert:
    def convert(value: Any) -> Any:
        if type(value) is not kind:
            raise _Mismatch
        return value

    return convert


def _float(value: Any) -> Any:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    raise _Mismatch


def _choice(kind: type[enum.Enum]) -> Convert:
    members = kind._value2member_map_

    def convert(value: Any) -> Any:
        if isinstance(value, kind):
            return value
        if type(value) is not str or value not in members:
            raise _Mismatch
        return members[value]

    return convert


def _any(value: Any) -> Any:
    return value


def _converter(annotation: Any, metadata: tuple[Any, ...] = ()) -> Convert:
    """How one field's value becomes what model_dump() would give (raises TypeError at import for a
    kind of annotation this module does not reproduce, so a new schema cannot silently differ)."""
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *more = typing.get_args(annotation)
        return _converter(inner, (*metadata, *more))
    after = []
    for item in metadata:
        if isinstance(item, AfterValidator):
            if len(inspect.signature(item.func).parameters) != 1:  # (value, info): not reproduced
                raise TypeError(f"render: validator {item.func!r} takes more than the value")
            after.append(typing.cast(Convert, item.func))
        elif type(item).__module__.startswith("pydantic") and "Validator" in type(item).__name__:
            raise TypeError(f"render: validator {item!r} is not reproduced")
    base = _base(annotation)
    if not after:
        return base

    def convert(value: Any) -> Any:
        value = base(value)
        for func in after:
            value = func(value)
        return value

    return convert


def _base(annotation: Any) -> Convert:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        others = [a for a in args if a is not type(None)]
        if len(others) != 1 or len(args) != 2:
            raise TypeError(f"render: {annotation!r} is not reproduced")
        inner = _converter(others[0])
        return lambda value: None if value is None else inner(value)
    if origin is list:
        (item,) = typing.get_args(annotation)
        each = _converter(item)

        def convert_list(value: Any) -> Any:
            if type(value) is not list:
                raise _Mismatch
            return [each(v) for v in value]

        return convert_list
    if origin is not None:
        raise TypeError(f"render: {annotation!r} is not reproduced")
    if annotation is typing.Any:
        return _any
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _choice(annotation)
    if annotation is float:
        return _float
    if annotation in (str, int, bool, datetime.date, datetime.datetime):
        return _exact(annotation)
    raise TypeError(f"render: {annotation!r} is not reproduced")


@functools.cache
def _model(schema: type[BaseModel]) -> Convert:
    decorators = schema.__pydantic_decorators__
    own = [name for name in decorators.model_validators if name != "_run_root_validator"]  # ninja's: attribute access only
    if own or decorators.field_validators or decorators.field_serializers or decorators.model_serializers:
        raise TypeError(f"render: {schema.__name__} has validators or serializers that are not reproduced")
    if getattr(schema, "_ninja_resolvers", None):
        raise TypeError(f"render: {schema.__name__} has resolve_ methods")
    if schema.model_config.get("alias_generator") or schema.model_config.get("extra") not in (None, "ignore"):
        raise TypeError(f"render: {schema.__name__} has aliases")
    fields = []
    for name, info in schema.model_fields.items():
        if info.alias not in (None, name):
            raise TypeError(f"render: {schema.__name__}.{name} has an alias")
        fields.append((name, info, _converter(info.annotation, tuple(info.metadata))))

    def convert(value: Any) -> Any:
        if type(value) is not dict:
            raise _Mismatch
        out = {}
        for name, info, field in fields:
            if name in value:
                out[name] = field(value[name])
            elif info.is_required():
                raise _Mismatch
            else:  # pydantic does not validate defaults either
                out[name] = info.get_default(call_default_factory=True)
        return out

    return convert
