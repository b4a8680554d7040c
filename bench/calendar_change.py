"""A calendar change touching about 10,000 running petitions: ≤ 10 s (#12).

Runs on the "open" data set (every petition open at its anchor). The administrator marks one working
day after the anchor a holiday through the service every entry point uses (`calendar_change`: the
day written, every live deadline that depended on it recomputed, one event per petition). The day is
the one whose running working-day deadlines number closest to 10,000. Then the day is put back (the
second figure: the same recomputation the other way) and its row restored exactly; the run's events
are removed afterwards, and every kept deadline is put back to its generated value (the generator's
dates are not always the engine's: the open profile shifts lives in calendar days).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable

from bench.core import Ctx, Figure, at_most

PROFILE = "open"
ORDER = 71
TOUCHED = 10_000


def _pick_day(anchor: datetime.date) -> tuple[datetime.date, int]:
    from daiban.petitions.models import Petition
    from daiban.petitions.workflow import RUNNING
    from daiban.workdays.engine import is_workday

    running = Petition.objects.filter(status__in=RUNNING, due_workdays__isnull=False)
    best: tuple[int, datetime.date, int] | None = None
    for offset in range(1, 90):
        day = anchor + datetime.timedelta(days=offset)
        if not is_workday(day):
            continue
        count = running.filter(due_from__lt=day, due_on__gte=day).count()
        if best is None or abs(count - TOUCHED) < best[0]:
            best = (abs(count - TOUCHED), day, count)
        if count < TOUCHED / 2:
            break
    assert best is not None
    return best[1], best[2]


def figures(ctx: Ctx) -> Iterable[Figure]:
    if not ctx.heavy or not ctx.wanted("calendar change"):
        return
    from daiban.petitions.abilities import SYSTEM
    from daiban.petitions.models import Event
    from daiban.petitions.services import calendar_change
    from daiban.workdays.models import CalendarDay
    from daiban.workdays.seed import DaySpec

    day, counted = _pick_day(ctx.anchor)
    original = CalendarDay.objects.filter(date=day).values("is_workday", "name", "source", "confirmed").first()
    before = _kept()
    try:
        with ctx.exclusive():
            c0, t0 = time.process_time(), time.perf_counter()
            calendar_change(actor=SYSTEM, specs=[DaySpec(day, False, "临时放假（基准测试）")],
                            source=CalendarDay.Source.ADMIN, reason="基准测试：临时放假")
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        recorded = Event.objects.filter(action="deadline_recomputed", note__startswith="基准测试：临时放假").count()
        yield Figure("calendar change: a working day made a holiday", seconds, "s", cpu=cpu, runs=1,
                     targets=[at_most(10, "#12")],
                     note=f"{day}: {counted:,} running working-day deadlines span it; {recorded:,} petitions recorded")
        with ctx.exclusive():
            c0, t0 = time.process_time(), time.perf_counter()
            calendar_change(actor=SYSTEM, specs=[DaySpec(day, True, "")], source=CalendarDay.Source.ADMIN,
                            reason="基准测试：恢复")
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        yield Figure("calendar change: put back", seconds, "s", cpu=cpu, runs=1, targets=[at_most(10, "#12")])
    finally:
        if original is not None:
            CalendarDay.objects.filter(date=day).update(**original)
        else:
            CalendarDay.objects.filter(date=day).delete()
        _restore(before)


def _kept() -> dict:
    """Every registered deadline's value (and provisional flag), by limit and row."""
    from daiban.petitions.recompute import LIMITS

    out = {}
    for index, limit in enumerate(LIMITS):
        columns = ["pk", limit.field] + ([limit.provisional] if limit.provisional else [])
        out[index] = {row[0]: row[1:] for row in limit.model._default_manager.filter(
            **{f"{limit.field}__isnull": False}).values_list(*columns)}
    return out


def _restore(before: dict) -> None:
    from collections import defaultdict

    from daiban.petitions.recompute import LIMITS

    now = _kept()
    for index, limit in enumerate(LIMITS):
        groups = defaultdict(list)
        for pk, value in before[index].items():
            if now[index].get(pk) != value:
                groups[value].append(pk)
        for value, pks in groups.items():
            fields = dict(zip([limit.field] + ([limit.provisional] if limit.provisional else []), value, strict=True))
            for i in range(0, len(pks), 500):
                limit.model._default_manager.filter(pk__in=pks[i:i + 500]).update(**fields)
