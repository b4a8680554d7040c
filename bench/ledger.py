"""The ledger (台账 XLSX) of every petition in a 100,000 data set: ≤ 30 s and ≤ 300 MB peak memory (#4).

The ledger runs in a child process of its own, started through bench/memory.py: the peak is the
child's own, reported by a small launcher with getrusage(RUSAGE_CHILDREN). Not the benchmark
process's RUSAGE_CHILDREN nor the child's RUSAGE_SELF: Linux carries a process's maxrss across
exec, so a child started from a 300 MB benchmark process reports at least 300 MB whatever it does —
which is how the earlier benchmark printed 344 MB for a ledger that peaks at 118 MB. The child also
reads its own high-water mark (/proc/self/status VmHWM) as a cross-check, shown in the note.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from bench import memory
from bench.core import Ctx, Figure, at_most

ORDER = 60
ROOT = Path(__file__).resolve().parent.parent


def figures(ctx: Ctx) -> Iterable[Figure]:
    if not ctx.heavy or ctx.size > 100_000 or not ctx.wanted("ledger"):
        return
    env = {**os.environ, "BENCH_TODAY": ctx.anchor.isoformat()}
    with ctx.exclusive():  # the other size waits: nothing else runs on the machine's CPUs of ours meanwhile
        done, peak_mb = memory.run([sys.executable, "-m", "bench.ledger"], cwd=ROOT, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"ledger child failed: {done.stderr[-2000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    note = (f"{out['rows']:,} rows, {out['bytes'] / 1e6:.1f} MB file; peak: the child's own (bench/memory.py), "
            f"its VmHWM {out['peak_mb']:.0f} MB")
    yield Figure("ledger.xlsx of every petition: time", out["seconds"], "s", cpu=out["cpu"], targets=[at_most(30, "#4")],
                 note=note, runs=1)
    yield Figure("ledger.xlsx of every petition: peak memory", peak_mb, "MB", targets=[at_most(300, "#4")], runs=1)


def _peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child() -> None:
    import datetime

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daiban.settings")
    import django

    django.setup()
    from daiban.documents.services import ledger_file
    from daiban.org.models import User
    from daiban.petitions.models import Petition

    today = datetime.date.fromisoformat(os.environ.get("BENCH_TODAY") or datetime.date.today().isoformat())
    rows = Petition.objects.count()
    start, cpu = time.perf_counter(), time.process_time()
    handle, _ = ledger_file(User.objects.get(username="center"), start=datetime.date(2000, 1, 1), end=today)
    size = handle.seek(0, 2)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu, "bytes": size, "peak_mb": _peak_mb()}))


if __name__ == "__main__":
    child()
