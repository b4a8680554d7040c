"""Child process: bring the data set of DATABASE_URL to a profile and size, then analyse it.

`python -m bench.prepare history 100000` (bench/datasets.py runs it with the data set's URL).
"""

from __future__ import annotations

import datetime
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daiban.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench import data, schema  # noqa: E402


def main(profile: str, size: int) -> int:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_demo", quiet=True)
    anchor = os.environ.get("BENCH_ANCHOR")
    meta = data.generate(size, profile, anchor=datetime.date.fromisoformat(anchor) if anchor else None)
    generated = time.perf_counter() - started
    t0 = time.perf_counter()
    data.analyze()
    with transaction.atomic():
        schema.meta_set({"analyzed": datetime.datetime.now().isoformat(timespec="seconds")})
    counts = schema.table_counts([t.model for t in data.Tables().order])
    print("  " + "  ".join(f"{name.split('_', 1)[1]} {n:,}" for name, n in counts.items()))
    print(f"数据集就绪：{meta.get('generated')} 件信访事项；生成 {generated:.0f} 秒，"
          f"{'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE'} {time.perf_counter() - t0:.0f} 秒", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
