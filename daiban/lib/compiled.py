"""Queries compiled to SQL once, then run with fresh parameters (issue 16, item 2).

Building and compiling a queryset costs Django 0.2–0.5 ms of Python per query (the filters, the
joins, the select list, the converters), often ten times what SQLite takes to answer it. The hot
API requests run the same few query shapes over and over with another id, so `Compiled` asks the
ORM for a shape once per database connection, keeps its SQL, parameters, converters and the way
its rows become model instances, and on each call only swaps the values in.

The queryset is written as usual, by a function of its arguments (`Compiled(lambda pid:
Contact.objects.filter(petition_id=pid).order_by("id"))`); it is built with placeholder values, and
each placeholder must reach the SQL parameters unchanged and exactly once (an int or a str compared
with a column: not a date, which the database adapts, and not a list). What cannot vary stays a
queryset of its own. The rows are the same model instances the queryset would give (select_related
included); the query goes through the connection's cursor, so query logs and counts see it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # Django 5.2 has it, the stubs not

M = TypeVar("M", bound=Model)
K = TypeVar("K", bound=Hashable)

# Placeholders: values no real id or key takes (negative ids, a string with a NUL).
_INT = -7_340_033
_STR = "\x00compiled-placeholder-"


def _placeholder(kind: type, n: int) -> Any:
    return _INT - n if kind is int else f"{_STR}{n}"


@dataclass
class _Shape:
    sql: str
    params: list[Any]
    slots: list[int]  # where each argument goes in params
    compiler: Any
    converters: Any
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    model: type[Model]


class Compiled(Generic[M]):
    """One query shape: `rows(*args)` runs it with these arguments (ints or strs, as declared by
    `kinds`) and returns model instances, as `list(build(*args))` would."""

    def __init__(self, build: Callable[..., QuerySet[M]], kinds: tuple[type, ...] = (int,), using: str = "default"):
        self.build, self.kinds, self.using = build, kinds, using

    def rows(self, *args: int | str) -> list[M]:
        return _run(self, self.build, self.kinds, self.using, args)

    def first(self, *args: int | str) -> M | None:
        found = self.rows(*args)
        return found[0] if found else None


class KeyedCompiled(Generic[K, M]):
    """A family of query shapes, one per `key` (a hashable value the shape is built from, e.g. what
    a user may see): `rows(key, *args)` runs `build(key, *args)`. Equal keys must build the same
    query: every value of the key that reaches the SQL is part of the cached shape. `kinds` None:
    any number of int arguments, a shape per number (`pk__in=args`)."""

    def __init__(self, build: Callable[..., QuerySet[M]], kinds: tuple[type, ...] | None = (int,),
                 using: str = "default"):
        self.build, self.kinds, self.using = build, kinds, using

    def rows(self, key: K, *args: int | str) -> list[M]:
        # kinds None: any number of ints (an IN list: one shape per length).
        kinds = (int,) * len(args) if self.kinds is None else self.kinds
        return _run((self, key, len(args)), lambda *marks: self.build(key, *marks), kinds, self.using, args)

    def first(self, key: K, *args: int | str) -> M | None:
        found = self.rows(key, *args)
        return found[0] if found else None

    def count(self, key: K) -> int:
        """`SELECT COUNT(*) FROM (<the shape>)`, as QuerySet.count() of a sliced queryset asks."""
        shape = _shape((self, key, "count"), lambda: self.build(key), (), self.using)
        if shape is None:
            return 0
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({shape.sql}) subquery", shape.params)  # noqa: S608  (compiled SQL)
            return int(cursor.fetchone()[0])


_MAX_SHAPES = 2000  # per connection; past it the cache starts afresh (keys such as users' scopes vary)


def _shape(cache_key: Hashable, build: Callable[..., QuerySet[Any]], kinds: tuple[type, ...],
           using: str) -> _Shape | None:
    """The compiled shape (None: the query can match nothing, as `.none()` or `pk__in=[]` alone)."""
    connection = connections[using]
    # Per connection (each thread has its own): the compiler belongs to it.
    shapes: dict[Hashable, _Shape | None] = connection.__dict__.setdefault("_daiban_compiled", {})
    if cache_key in shapes:
        return shapes[cache_key]
    if len(shapes) >= _MAX_SHAPES:
        shapes.clear()
    marks = [_placeholder(kind, n) for n, kind in enumerate(kinds)]
    compiler = build(*marks).query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        shapes[cache_key] = None
        return None
    params = list(params)
    slots = []
    for mark in marks:
        if params.count(mark) != 1:
            raise ValueError(f"Compiled: argument {mark!r} must appear once in the parameters {params!r}")
        slots.append(params.index(mark))
    select, klass_info = compiler.select, compiler.klass_info
    fields = [s[0] for s in select[0 : compiler.col_count]]
    first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    shape = _Shape(
        sql=sql, params=params, slots=slots, compiler=compiler, converters=compiler.get_converters(fields),
        init_list=[f[0].target.attname for f in select[first:last]], start=first, end=last,
        populators=get_related_populators(klass_info, select, using), model=klass_info["model"],
    )
    shapes[cache_key] = shape
    return shape


def _run(cache_key: Hashable, build: Callable[..., QuerySet[Any]], kinds: tuple[type, ...], using: str,
         args: tuple[int | str, ...]) -> list[Any]:
    for value, kind in zip(args, kinds, strict=True):
        if type(value) is not kind:  # bool is an int too: refuse anything not exactly declared
            raise TypeError(f"Compiled: {value!r} is not {kind.__name__}")
    shape = _shape(cache_key, build, kinds, using)
    if shape is None:
        return []
    params = list(shape.params)
    for slot, value in zip(shape.slots, args, strict=True):
        params[slot] = value
    with connections[using].cursor() as cursor:
        cursor.execute(shape.sql, params)
        fetched = cursor.fetchall()
    rows = shape.compiler.apply_converters(fetched, shape.converters) if shape.converters else fetched
    out = []
    for row in rows:
        obj = shape.model.from_db(using, shape.init_list, row[shape.start:shape.end])
        for populator in shape.populators:
            populator.populate(row, obj)
        out.append(obj)
    return out
