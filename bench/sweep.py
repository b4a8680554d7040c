"""The daily reminder sweep over 100,000 open petitions: ≤ 10 s (#5, #16).

Runs on the "open" data set (every petition open at its anchor date, BENCH_OPEN_PETITIONS of them),
for the anchor day, which the generator leaves unswept: the work is real (every 处置单 due within 3
working days or overdue gets its urging, event and notice). The sweep does nothing on a rest day, so
when the anchor is one the figure sweeps the next working day instead (more of it overdue, and
equally unswept). The run's rows are removed afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.utils import timezone

from bench.core import Ctx, Figure, at_most

PROFILE = "open"
ORDER = 70


def figures(ctx: Ctx) -> Iterable[Figure]:
    if not ctx.heavy or not ctx.wanted("sweep"):
        return
    from daiban.notifications.sweep import run_sweep
    from daiban.petitions.models import Petition
    from daiban.petitions.workflow import OPEN
    from daiban.workdays.engine import add_workdays, is_workday

    open_count = Petition.objects.filter(status__in=OPEN).count()
    day = timezone.localdate()
    if not is_workday(day):
        day = add_workdays(day, 1).date
    with ctx.exclusive():
        c0, t0 = time.process_time(), time.perf_counter()
        report = run_sweep(day=day, send=False)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if report.already_ran:
        raise RuntimeError(f"the sweep of {day} already ran on this data set")
    note = (f"{open_count:,} open petitions, {day}; {report.due_soon + report.overdue:,} 处置单 urged "
            f"({report.overdue:,} overdue), {report.follow_ups:,} follow-up reminders")
    yield Figure("daily sweep (the open data set)", seconds, "s", cpu=cpu, runs=1,
                 targets=[at_most(10, "#5")], note=note)
