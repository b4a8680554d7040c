"""`make bench` / `make bench-pg`: make or reuse the data sets, measure every figure module, print one table.

    python -m bench.run                                    # SQLite, 100,000 petitions
    python -m bench.run --database postgresql --sizes 100000,1000000
    python -m bench.run --only detail --runs 11            # a quick look at one figure

The parent process never imports Django: for each data set it starts a child bound to it (DATABASE_URL),
which runs the figure modules (every bench/*.py defining `figures(ctx)`, see bench/README.md) and
writes its figures as JSON. The child travels in time to the data set's anchor date (the day it was
generated for), so reused data keeps its open and overdue shares, and deletes at the end every row
the measurements added, so the next run measures the same data. BENCH_STRICT=1: a missed target
fails the command.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import core, datasets  # noqa: E402

OPEN_SIZE = int(os.environ.get("BENCH_OPEN_PETITIONS", 100_000))


def modules() -> list:
    """Every bench module with a `figures` function, by ORDER then name. Only those are imported: a
    standalone script (bench/worker.py) sets DATABASE_URL in os.environ when imported, which every
    child process started afterwards (the ledger's, gunicorn) would inherit."""
    found = []
    for name, _ in _module_names():
        mod = importlib.import_module(f"bench.{name}")
        if callable(getattr(mod, "figures", None)):
            found.append(mod)
    return sorted(found, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


# --- the parent ------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--sizes", default=os.environ.get("BENCH_PETITIONS", "100000"),
                        help="comma-separated numbers of petitions (growth targets compare each with the smaller)")
    parser.add_argument("--only", default="", help="measure only operations containing this text")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 31)))
    parser.add_argument("--modules", default="", help="comma-separated module names (default: all)")
    parser.add_argument("--drop-stale", action="store_true", help="delete data sets of an older schema")
    parser.add_argument("--prepare", action="store_true", help="only make the data sets ready")
    args = parser.parse_args(argv)

    fp = datasets.fingerprint()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    wanted = [m for m in _module_names() if not args.modules or m[0] in args.modules.split(",")]
    results: list[core.Figure] = []
    started = time.perf_counter()
    for profile in ("history", "open"):
        names = [name for name, prof in wanted if prof == profile]
        if not names:
            continue
        ready = [datasets.ensure(datasets.DataSet(args.database, profile, size, fp), log=_log)
                 for size in (sizes if profile == "history" else [OPEN_SIZE])]
        if args.prepare:
            continue
        if len(ready) == 2 and os.environ.get("BENCH_INTERLEAVE", "1") != "0":
            results += _measure_pair(ready, names, args, sizes)  # the two sizes take turns, sample by sample
        else:
            for ds in ready:
                results += _measure(ds, names, args, sizes)
    if args.prepare:
        return 0
    text, missed = core.table(results)
    print()
    print(text)
    print(f"\n({time.perf_counter() - started:.0f} s; data sets keyed by schema fingerprint {fp})")
    out = ROOT / "var" / "bench" / f"results-{args.database}.json"
    out.write_text(json.dumps([f.to_json() for f in results], ensure_ascii=False, indent=1))
    old = datasets.stale(args.database, fp)
    if old and args.drop_stale:
        for ds in old:
            datasets.drop(ds)
        print(f"deleted {len(old)} data sets of an older schema")
    elif old:
        print(f"{len(old)} data sets of an older schema remain ({', '.join(d.name for d in old)}); --drop-stale deletes them")
    if missed and os.environ.get("BENCH_STRICT"):
        print(f"BENCH_STRICT: {len(missed)} figures missed their target", file=sys.stderr)
        return 1
    return 0


def _module_names() -> list[tuple[str, str]]:
    """(name, profile) of every figure module, read without importing Django-bound code: a module
    says `PROFILE = "open"` in its source when it needs the open data set."""
    out = []
    for info in sorted(pkgutil.iter_modules([str(ROOT / "bench")]), key=lambda i: i.name):
        if info.name in ("run", "prepare", "core", "data", "datasets", "schema", "text") or info.name.startswith("_"):
            continue
        source = (ROOT / "bench" / f"{info.name}.py").read_text()
        if "def figures(" not in source:
            continue
        out.append((info.name, "open" if 'PROFILE = "open"' in source else "history"))
    return out


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _child_cmd(ds: datasets.DataSet, names: list[str], args, sizes: list[int], out: Path, turns: str = "") -> tuple:
    env = {**os.environ, "DATABASE_URL": ds.url, "DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "daiban.settings",
           "BENCH_TURNS": turns}
    cmd = [sys.executable, "-m", "bench.run", "--child", ds.database, ds.profile, str(ds.size), str(out),
           ",".join(names), args.only, str(args.runs), ",".join(map(str, sizes))]
    return cmd, env


def _read(ds: datasets.DataSet, out: Path, code: int) -> list[core.Figure]:
    if code != 0 or not out.exists():
        raise SystemExit(f"measuring {ds.name} failed (exit {code})")
    return [core.Figure.from_json(d) for d in json.loads(out.read_text())]


def _measure(ds: datasets.DataSet, names: list[str], args, sizes: list[int]) -> list[core.Figure]:
    out = ROOT / "var" / "bench" / f"figures-{ds.name}.json"
    out.unlink(missing_ok=True)
    cmd, env = _child_cmd(ds, names, args, sizes, out)
    _log(f"\n== {ds.database} {core.size_text(ds.size)} ({ds.profile}): {', '.join(names)}")
    return _read(ds, out, subprocess.call(cmd, cwd=ROOT, env=env))  # noqa: S603


def _measure_pair(pair: list[datasets.DataSet], names: list[str], args, sizes: list[int]) -> list[core.Figure]:
    """Both sizes at once, in two children passing a token: sample by sample, alternately."""
    a_read, b_write = os.pipe()  # to the first child
    b_read, a_write = os.pipe()  # to the second
    os.write(b_write, b"t")  # the first child starts
    outs, procs = [], []
    _log(f"\n== {pair[0].database} {' and '.join(core.size_text(d.size) for d in pair)} ({pair[0].profile}), "
         f"interleaved: {', '.join(names)}")
    for ds, (rfd, wfd) in zip(pair, [(a_read, a_write), (b_read, b_write)], strict=True):
        out = ROOT / "var" / "bench" / f"figures-{ds.name}.json"
        out.unlink(missing_ok=True)
        cmd, env = _child_cmd(ds, names, args, sizes, out, turns=f"{rfd},{wfd}")
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, pass_fds=(rfd, wfd)))  # noqa: S603
        outs.append(out)
    for fd in (a_read, b_write, b_read, a_write):
        os.close(fd)
    codes = [p.wait() for p in procs]
    return [f for ds, out, code in zip(pair, outs, codes, strict=True) for f in _read(ds, out, code)]


# --- the child, bound to one data set -----------------------------------------------------------------

def child(database: str, profile: str, size: int, out: str, names: str, only: str, runs: int, sizes: str) -> int:
    import datetime
    import logging

    import django

    django.setup()
    # The measured requests log each personal-data view (INFO): kept in the app's log in production,
    # here they would bury the table. Warnings still show.
    logging.getLogger("daiban.security").setLevel(logging.WARNING)
    from bench import cleanup, schema

    meta = schema.meta_get()
    anchor = datetime.date.fromisoformat(meta["anchor"])
    travel = None
    if anchor != datetime.date.today():
        import zoneinfo

        import time_machine

        # The data set's "today": its open petitions, deadlines and the sweep are as generated.
        travel = time_machine.travel(datetime.datetime.combine(anchor, datetime.time(10, 0),
                                                               zoneinfo.ZoneInfo("Asia/Shanghai")), tick=True)
        travel.start()
    ctx = core.Ctx(database=database, size=size, profile=profile, anchor=anchor, runs=runs, only=only,
                   sizes=[int(s) for s in sizes.split(",") if s], meta=meta)
    if os.environ.get("BENCH_TURNS"):
        ctx.turns = core.Turns(*(int(fd) for fd in os.environ["BENCH_TURNS"].split(",")))
    snapshot = cleanup.Snapshot()
    figures: list[core.Figure] = []
    try:
        for mod in modules():
            if mod.__name__.split(".")[-1] not in names.split(","):
                continue
            for fig in mod.figures(ctx):
                fig.size, fig.database = size, database
                figures.append(fig)
                floor = f"  floor {fig.floor:8.2f}{'*' if fig.floor_kind == 'own' else ' '}" if fig.floor else ""
                print(f"  {core.size_text(size):>4} {fig.operation:<58} {fig.value:9.2f} {fig.unit:<5}{floor}", flush=True)
            snapshot.restore()  # the next module measures the generated data, not this one's writes
            ctx.forget_clients()  # their tokens and sessions were among those writes
    finally:
        ctx.turns.done()
        Path(out).write_text(json.dumps([f.to_json() for f in figures], ensure_ascii=False))
        snapshot.restore()
        if travel:
            travel.stop()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        a = sys.argv[2:]
        sys.exit(child(a[0], a[1], int(a[2]), a[3], a[4], a[5], int(a[6]), a[7]))
    sys.exit(main())
