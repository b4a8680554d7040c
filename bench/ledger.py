"""The ledger (台账 XLSX) of every petition in a 100,000 data set: ≤ 30 s and ≤ 300 MB peak memory (#4).

The ledger runs in a child process of its own and reports its own peak resident memory, read from
/proc/self/status (VmHWM: the high-water mark of this process image). Not ru_maxrss: Linux carries
a process's maxrss across exec, so a child started from a 300 MB benchmark process reports at
least 300 MB whatever it does (getrusage(RUSAGE_SELF) in the child and RUSAGE_CHILDREN in the
parent alike) — which is how the earlier benchmark printed 344 MB for a ledger that peaks at 118 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from bench.core import Ctx, Figure, at_most

ORDER = 60
ROOT = Path(__file__).resolve().parent.parent


def figures(ctx: Ctx) -> Iterable[Figure]:
    if not ctx.heavy or ctx.size > 100_000 or not ctx.wanted("ledger"):
        return
    env = {**os.environ, "BENCH_TODAY": ctx.anchor.isoformat()}
    with ctx.exclusive():  # the other size waits: nothing else runs on the machine's CPUs of ours meanwhile
        done = subprocess.run([sys.executable, "-m", "bench.ledger"], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                              text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ledger child failed: {done.stderr[-2000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    note = (f"{out['rows']:,} rows, {out['bytes'] / 1e6:.1f} MB file; ru_maxrss (misleading, see bench/ledger.py) "
            f"{out['ru_maxrss_mb']:.0f} MB")
    yield Figure("ledger.xlsx of every petition: time", out["seconds"], "s", cpu=out["cpu"], targets=[at_most(30, "#4")],
                 note=note, runs=1)
    yield Figure("ledger.xlsx of every petition: peak memory", out["peak_mb"], "MB", targets=[at_most(300, "#4")], runs=1)


def _peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child() -> None:
    import datetime
    import resource

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
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu, "bytes": size, "peak_mb": _peak_mb(),
                      "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    child()
