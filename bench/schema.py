"""Where the benchmark's generator meets the schema: the only module that knows tables and columns.

Rows are built from the Django models themselves: `Table(Petition).row(number=…, status=…)` returns a
tuple in the table's column order, every column the generator does not name taking the model field's
own default (or NULL/blank). A column added by another stream therefore needs no edit here as long
as it has a default; a required column without one stops the generator with its name; a renamed or
removed one shows up as an unexpected keyword. Writes go in bulk: COPY on PostgreSQL, executemany
on SQLite, and ids of referenced rows come from the table's own sequence (so gaps left by deleted
rows or by other writers are harmless: nothing assumes ids are contiguous).
"""

from __future__ import annotations

import datetime
import json
import keyword
from collections.abc import Iterable
from typing import Any

from django.db import connection, models

_REQUIRED = object()
UTC = datetime.UTC


class Table:
    """One model's table: `row(**values)` → a tuple of column values, defaults filled in.

    with_id: whether the generator supplies the primary key (rows other rows point at); otherwise
    the database assigns it and the column is left out of the insert. keyed_by_parent: the primary
    key is another row's (a one-to-one such as PetitionFeatures.petition), given with each row.
    """

    def __init__(self, model: type[models.Model], *, with_id: bool = False, keyed_by_parent: bool = False,
                 now: datetime.datetime | None = None):
        self.model = model
        self.name = model._meta.db_table
        self.with_id = with_id
        self.fields = [f for f in model._meta.concrete_fields if with_id or keyed_by_parent or not f.primary_key]
        self.columns = [f.column for f in self.fields]
        now = now or datetime.datetime.now(UTC)
        defaults: dict[str, Any] = {}
        for f in self.fields:
            defaults[f.attname] = self._default(f, now)
        self._make = self._compile(defaults)
        self._convert = self._converters()

    @staticmethod
    def _default(f: models.Field, now: datetime.datetime) -> Any:
        if f.primary_key:
            return _REQUIRED
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            return now
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
            return now.date()
        if f.has_default():
            return f.get_default()
        if f.null:
            return None
        if f.blank and isinstance(f, models.CharField | models.TextField):
            return ""
        return _REQUIRED

    def _compile(self, defaults: dict[str, Any]):
        names = list(defaults)
        for name in names:
            if keyword.iskeyword(name):
                raise ValueError(f"{self.name}.{name}: a Python keyword as a field name")
        params = ", ".join(name if defaults[name] is _REQUIRED else f"{name}=_d[{name!r}]" for name in names)
        # Named after the table, so a changed model shows up as e.g. "petitions_event() got an
        # unexpected keyword argument 'x'" or "… missing 1 required keyword-only argument: 'y'".
        source = f"def {self.name}(*, {params}):\n    return ({', '.join(names)},)\n"
        scope: dict[str, Any] = {"_d": defaults}
        exec(source, scope)  # noqa: S102 (built from the model's own field names)
        return scope[self.name]

    def _converters(self) -> list[tuple[int, Any]]:
        """Per backend, the columns whose Python values the driver cannot take as they are."""
        out = []
        sqlite = connection.vendor == "sqlite"
        for i, f in enumerate(self.fields):
            if isinstance(f, models.JSONField):
                out.append((i, lambda v: None if v is None else json.dumps(v)))
            elif sqlite and isinstance(f, models.DateTimeField):
                out.append((i, lambda v: None if v is None else v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")))
            elif sqlite and isinstance(f, models.DateField):
                out.append((i, lambda v: None if v is None else v.isoformat()))
        return out

    @property
    def row(self):
        """row(**values) → tuple in column order (the compiled function itself: no wrapper per row)."""
        return self._make

    def prepare(self, rows: list[tuple]) -> list[tuple]:
        if not self._convert:
            return rows
        prepared = []
        for r in rows:
            r = list(r)
            for i, fn in self._convert:
                r[i] = fn(r[i])
            prepared.append(tuple(r))
        return prepared


class IdPool:
    """Primary keys for rows the generator must point at. Each of W workers takes every W-th id from
    `start` (the table's max id + 1, read by the parent), so workers never collide; ids left unused
    are gaps, which nothing minds. After loading, `sync_sequences` moves PostgreSQL's sequences past
    the ids used (SQLite's AUTOINCREMENT follows explicit ids by itself)."""

    def __init__(self, start: int, worker: int = 0, workers: int = 1):
        self._next = start + worker
        self._stride = workers

    def take(self) -> int:
        value = self._next
        self._next += self._stride
        return value


def next_ids(tables: Iterable[Table]) -> dict[str, int]:
    """The first free id of each table: above every row and above the sequence's last value."""
    out = {}
    with connection.cursor() as cursor:
        for t in tables:
            cursor.execute(f'SELECT max(id) FROM "{t.name}"')  # noqa: S608 (a model's table name)
            top = cursor.fetchone()[0] or 0
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT last_value FROM {_sequence(cursor, t.name)}")  # noqa: S608
            else:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [t.name])
            seq = cursor.fetchone()
            out[t.name] = max(top, seq[0] if seq else 0) + 1
    return out


def _sequence(cursor, table: str) -> str:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    return cursor.fetchone()[0]


def sync_sequences(tables: Iterable[Table]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for t in tables:
            seq = _sequence(cursor, t.name)
            cursor.execute(f'SELECT setval(%s, GREATEST((SELECT max(id) FROM "{t.name}"), 1))', [seq])  # noqa: S608


def drop_secondary_indexes(tables: Iterable[Table]) -> list[str]:
    """PostgreSQL: drop the indexes that back no constraint (they are rebuilt, sorted, after a large
    load: much cheaper than a million random inserts into each). Returns their definitions."""
    if connection.vendor != "postgresql":
        return []
    names = [t.name for t in tables]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)", [names])
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def create_indexes(definitions: Iterable[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition in definitions:
            cursor.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))


def bulk_session() -> None:
    """Settings for this connection while it loads (nothing here changes the server or the file's
    durability once loading is over)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit = off")
            # The generator's rows point only at rows it wrote first (tests/test_bench_data.py checks
            # the data): skip the per-row foreign-key triggers while loading, where the role allows.
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET session_replication_role = replica")
        else:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB of page cache for the index inserts
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA busy_timeout = 300000")  # workers take turns writing their batches


def write(table: Table, rows: list[tuple]) -> None:
    """Insert rows in bulk inside the current transaction."""
    if not rows:
        return
    rows = table.prepare(rows)
    cols = ", ".join(f'"{c}"' for c in table.columns)
    raw = connection.connection  # the driver's own connection, in Django's transaction
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for r in rows:
                copy.write_row(r)
    else:
        marks = ", ".join("?" * len(table.columns))
        raw.executemany(f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})', rows)  # noqa: S608


# --- the data set's own bookkeeping ---------------------------------------------------------------

META_TABLE = "bench_meta"


def meta_get() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key varchar(50) PRIMARY KEY, value text NOT NULL)")
        cursor.execute(f"SELECT key, value FROM {META_TABLE}")  # noqa: S608
        return dict(cursor.fetchall())


def meta_add(key: str, amount: int) -> None:
    """Add to a counter in bench_meta (several workers commit batches concurrently)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {META_TABLE} SET value = CAST(CAST(value AS INTEGER) + %s AS TEXT) WHERE key = %s",  # noqa: S608
                       [amount, key])


def meta_set(values: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        for key, value in values.items():
            cursor.execute(f"DELETE FROM {META_TABLE} WHERE key = %s", [key])  # noqa: S608
            cursor.execute(f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s)", [key, str(value)])  # noqa: S608


def table_counts(models_: Iterable[type[models.Model]]) -> dict[str, int]:
    out = {}
    with connection.cursor() as cursor:
        for m in models_:
            cursor.execute(f'SELECT count(*) FROM "{m._meta.db_table}"')  # noqa: S608
            out[m._meta.db_table] = cursor.fetchone()[0]
    return out
