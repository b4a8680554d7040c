"""gunicorn settings for bench/load.py: each worker lives on the data set's anchor date (BENCH_TODAY),
like the in-process measurements, so open and overdue petitions are as generated."""

from __future__ import annotations

import datetime
import os


def post_worker_init(worker) -> None:
    day = os.environ.get("BENCH_TODAY")
    if day and day != datetime.date.today().isoformat():
        import zoneinfo

        import time_machine

        moment = datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(10, 0),
                                           zoneinfo.ZoneInfo("Asia/Shanghai"))
        worker._bench_travel = time_machine.travel(moment, tick=True)
        worker._bench_travel.start()
