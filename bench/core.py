"""The benchmark's measuring kit: figures, targets, interleaved medians, SQL floors, the table.

A figure module is any bench/*.py with `def figures(ctx: Ctx) -> Iterable[Figure]` (see
bench/README.md); bench/run.py finds it by that name. Each figure is a median over interleaved runs
of the app (in-process, through Django's test client: the server's time without the network) and,
where there is one, of the SQL floor: the SQL the same request needs, executed with a raw cursor,
timed the same way, alternating with the app run so that a busy neighbour slows both alike.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

Statement = tuple[str, Sequence[Any]] | Callable[[], Any]


@dataclass(frozen=True)
class Target:
    """kind: "ratio" (median ÷ floor ≤ limit), "max" (value ≤ limit), "min" (value ≥ limit),
    "growth" (value ÷ the same figure at the smaller size, same database, ≤ limit)."""

    kind: str
    limit: float
    source: str = ""  # where the target comes from (issue number)

    def text(self, unit: str) -> str:
        if self.kind == "ratio":
            return f"≤{self.limit:g}× floor"
        if self.kind == "growth":
            return f"≤{self.limit:g}× smaller"
        return f"{'≤' if self.kind == 'max' else '≥'}{self.limit:g} {unit}"


def ratio(limit: float = 10, source: str = "#16") -> Target:
    return Target("ratio", limit, source)


def at_most(limit: float, source: str = "") -> Target:
    return Target("max", limit, source)


def at_least(limit: float, source: str = "") -> Target:
    return Target("min", limit, source)


def growth(limit: float = 1.3, source: str = "#16") -> Target:
    return Target("growth", limit, source)


@dataclass
class Figure:
    operation: str
    value: float  # the median, in `unit`
    unit: str = "ms"
    floor: float | None = None  # median of the SQL floor, same unit
    floor_kind: str = ""  # "sql": the SQL the request needs; "own": the app's own queries replayed
    cpu: float | None = None  # median CPU time of the app run (this process: Python + SQLite's engine)
    targets: list[Target] = field(default_factory=list)
    note: str = ""
    key: str = ""  # compares the figure across sizes; the operation by default
    runs: int = 0
    queries: int | None = None
    size: int = 0
    database: str = ""

    def __post_init__(self) -> None:
        self.key = self.key or self.operation

    @property
    def ratio(self) -> float | None:
        return self.value / self.floor if self.floor else None

    def to_json(self) -> dict:
        out = asdict(self)
        out["targets"] = [asdict(t) for t in self.targets]
        return out

    @classmethod
    def from_json(cls, data: dict) -> Figure:
        data = dict(data)
        data["targets"] = [Target(**t) for t in data["targets"]]
        return cls(**data)


def verdicts(fig: Figure, smaller: Figure | None) -> list[tuple[Target, float | None, bool | None]]:
    """(target, the measured quantity it judges, passed) for each target; None when not measurable."""
    out = []
    for t in fig.targets:
        if t.kind == "ratio":
            got = fig.ratio
        elif t.kind == "growth":
            got = fig.value / smaller.value if smaller and smaller.value else None
        else:
            got = fig.value
        ok = None if got is None else (got >= t.limit if t.kind == "min" else got <= t.limit)
        out.append((t, got, ok))
    return out


# --- timing -------------------------------------------------------------------------------------

class Turns:
    """Two child processes (two sizes of one database) taking turns, one sample each, by passing a
    token through a pair of pipes: the growth from 100,000 to 1,000,000 is then measured under the
    same load, not minutes apart on a machine whose neighbours come and go. A child that finishes
    says so; a token that does not come back within `timeout` seconds is given up on."""

    def __init__(self, read_fd: int, write_fd: int, timeout: float = 300):
        self.rfd, self.wfd, self.timeout = read_fd, write_fd, timeout
        self.alone = False

    def acquire(self) -> None:
        import select

        if self.alone:
            return
        ready, _, _ = select.select([self.rfd], [], [], self.timeout)
        if not ready:
            self.alone = True
            return
        if os.read(self.rfd, 1) != b"t":  # "d": the other one is done (or gone)
            self.alone = True

    def release(self) -> None:
        self._send(b"t")

    def done(self) -> None:
        self._send(b"d")
        self.alone = True

    def _send(self, token: bytes) -> None:
        if self.alone:
            return
        try:
            os.write(self.wfd, token)
        except OSError:
            self.alone = True


class _NoTurns:
    def acquire(self) -> None:
        pass

    def release(self) -> None:
        pass

    def done(self) -> None:
        pass


def _once(fn: Callable[[], Any]) -> tuple[float, float]:
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


class Ctx:
    """What a figure module gets: the data set, signed-in clients, timing and floors."""

    def __init__(self, *, database: str, size: int, profile: str, anchor: datetime.date, runs: int, only: str = "",
                 sizes: Sequence[int] = (), meta: dict[str, str] | None = None):
        self.database, self.size, self.profile, self.anchor = database, size, profile, anchor
        self.runs = runs
        self.only = only
        self.sizes = list(sizes) or [size]  # every size this run measures (growth, "largest only" figures)
        self.meta = meta or {}  # the data set's bench_meta
        self.rng = random.Random(20260101)
        self._clients: dict[tuple[str, str], Any] = {}
        self.heavy = os.environ.get("BENCH_HEAVY", "1") != "0"  # concurrency, ledger, sweep
        self.turns: Turns | _NoTurns = _NoTurns()

    def exclusive(self):
        """Hold the turn for a long measurement (the ledger, the load run): the other size waits."""
        import contextlib

        @contextlib.contextmanager
        def hold():
            self.turns.acquire()
            try:
                yield
            finally:
                self.turns.release()

        return hold()

    # -- clients ---------------------------------------------------------------------------------
    def user(self, username: str):
        from daiban.org.models import User

        return User.objects.get(username=username)

    def api(self, username: str):
        """A test client sending `Authorization: Bearer …` of a fresh token for that user."""
        from django.test import Client

        from daiban.api.models import ApiToken

        key = ("api", username)
        if key not in self._clients:
            token = ApiToken.issue(self.user(username))[1]
            self._clients[key] = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
            self._clients[key].token = token
        return self._clients[key]

    def forget_clients(self) -> None:
        """Drop the signed-in clients: after a module's writes are deleted (cleanup.Snapshot), their
        tokens and sessions are gone, and a later module would be answered 401 or sent to sign in."""
        self._clients.clear()

    def page(self, username: str):
        """A test client with a signed-in session (as the staff pages are used)."""
        from django.test import Client

        key = ("page", username)
        if key not in self._clients:
            client = Client()
            client.force_login(self.user(username))
            self._clients[key] = client
        return self._clients[key]

    def wanted(self, operation: str) -> bool:
        return not self.only or self.only.lower() in operation.lower()

    # -- measuring -------------------------------------------------------------------------------
    def measure(self, operation: str, app: Callable[[], Any], floor: Callable[[], Any] | None = None, *,
                runs: int | None = None, targets: Sequence[Target] = (), floor_kind: str = "sql", key: str = "",
                note: str = "", queries: int | None = None, warmup: int = 2) -> Figure:
        """Median of `runs` app runs interleaved with as many floor runs (order alternating)."""
        runs = runs or self.runs
        with self.exclusive():
            for _ in range(warmup):
                app()
                if floor:
                    floor()
        app_t, app_c, floor_t = [], [], []
        for i in range(runs):
            with self.exclusive():
                if floor and i % 2:
                    floor_t.append(_once(floor)[0])
                t, c = _once(app)
                app_t.append(t)
                app_c.append(c)
                if floor and not i % 2:
                    floor_t.append(_once(floor)[0])
        return Figure(
            operation, statistics.median(app_t) * 1000, "ms",
            floor=statistics.median(floor_t) * 1000 if floor else None, floor_kind=floor_kind if floor else "",
            cpu=statistics.median(app_c) * 1000, targets=list(targets), key=key, note=note, runs=runs, queries=queries,
        )

    def sql(self, statements: Callable[[], Iterable[Statement]], *, atomic: bool = False) -> Callable[[], None]:
        """A floor: the statements (sql, params) — or callables, for a value the next statement needs —
        executed with a raw cursor, every row fetched. `statements` is called per run, so parameters
        can change between runs exactly as the app's do."""
        from django.db import connection, transaction

        def run() -> None:
            if atomic:
                with transaction.atomic(), connection.cursor() as cursor:
                    _execute(cursor, statements())
            else:
                with connection.cursor() as cursor:
                    _execute(cursor, statements())

        return run

    def own_sql(self, app: Callable[[], Any]) -> tuple[Callable[[], None], int]:
        """The app's own queries, captured once and replayed with a raw cursor (SELECTs only): the
        time the database needs for what the page asked of it. Returns (floor, query count)."""
        from django.db import connection

        captured: list[tuple[str, Any]] = []

        def record(execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            app()
        selects = [(s, p) for s, p in captured if s.lstrip().upper().startswith(("SELECT", "WITH"))]

        def replay() -> None:
            with connection.cursor() as cursor:
                for sql, params in selects:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        return replay, len(captured)


def _execute(cursor, statements: Iterable[Statement]) -> None:
    for st in statements:
        if callable(st):
            st = st()
            if st is None:
                continue
        sql, params = st
        cursor.execute(sql, params)
        if cursor.description is not None:
            cursor.fetchall()


# --- the table ------------------------------------------------------------------------------------

def _varying(figures: list[Figure]) -> set[str]:
    """Keys whose note differs between sizes (so the note names its size)."""
    notes: dict[str, set[str]] = {}
    for f in figures:
        if f.note:
            notes.setdefault(f.key, set()).add(f.note)
    return {k for k, v in notes.items() if len(v) > 1}


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(s))
    return gap + s if right else s + gap


def _num(v: float | None, unit: str = "") -> str:
    if v is None:
        return "—"
    text = f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
    return f"{text} {unit}".strip()


def size_text(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def table(figures: list[Figure]) -> tuple[str, list[Figure]]:
    """One table of every figure; returns it and the figures that missed a target."""
    smaller: dict[tuple[str, str], list[Figure]] = {}
    for f in figures:
        smaller.setdefault((f.database, f.key), []).append(f)
    head = ["operation", "size", "database", "median", "cpu", "floor", "ratio", "target", "result"]
    lines, missed = [], []
    for f in figures:
        base = min((g for g in smaller[(f.database, f.key)] if g.size < f.size), key=lambda g: g.size, default=None)
        judged = [v for v in verdicts(f, base) if v[0].kind != "growth" or base is not None]
        target = "; ".join(t.text(f.unit) for t, _, _ in judged) or "—"
        results = []
        for t, got, ok in judged:
            if ok is None:
                results.append("n/a")
            else:
                shown = f" {got:.2f}×" if t.kind == "growth" else ""
                results.append(("pass" if ok else "FAIL") + shown)
        if any(ok is False for _, _, ok in judged):
            missed.append(f)
        floor = _num(f.floor, f.unit) + ("*" if f.floor_kind == "own" else "") if f.floor is not None else "—"
        lines.append([f.operation, size_text(f.size), f.database, _num(f.value, f.unit),
                      _num(f.cpu, f.unit) if f.cpu is not None else "—", floor,
                      f"{f.ratio:.1f}×" if f.ratio else "—", target, ", ".join(results) or "—"])
    widths = [max(_width(r[i]) for r in [head, *lines]) for i in range(len(head))]
    right = {3, 4, 5, 6}
    out = ["  ".join(_pad(h, widths[i], i in right) for i, h in enumerate(head)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(_pad(c, widths[i], i in right) for i, c in enumerate(r)) for r in lines]
    notes = list(dict.fromkeys(f"  {f.operation} ({size_text(f.size)}): {f.note}" if f.key in _varying(figures)
                               else f"  {f.operation}: {f.note}" for f in figures if f.note))
    out.append("")
    out.append("floor: median of the SQL the request needs, raw cursor, interleaved with the app runs; "
               "* = the page's own queries replayed (no hand-written floor). cpu: this process's CPU time "
               "(Python, and on SQLite the engine; PostgreSQL's server time is not in it).")
    if notes:
        out.append("notes:")
        out += notes
    return "\n".join(out), missed
