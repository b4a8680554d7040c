"""Child process: bring the data set of DATABASE_URL to a profile and size, or print the fingerprint.

`python -m bench.prepare history 100000` (bench/datasets.py runs it with the data set's URL): apply
pending migrations (an index added since the data set was made is built on it in place), generate
what is missing, analyse. Exit status 3: the data set carries a migration the code no longer has
(renamed or removed, as when migrations are renumbered at a merge): it must be made afresh.
`python -m bench.prepare --fingerprint` prints the hash of every table's columns and the
generator's version: data sets are reused while it stays the same.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daiban.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.migrations.loader import MigrationLoader  # noqa: E402
from django.db.migrations.recorder import MigrationRecorder  # noqa: E402

from bench import data, schema  # noqa: E402
from bench.datasets import GENERATOR_VERSION  # noqa: E402

STALE = 3


def fingerprint() -> str:
    """Tables and their columns (name, type, null, length): what the generated rows depend on.
    Indexes, constraints, labels and help texts are not in it, so adding an index keeps the data."""
    h = hashlib.sha256(GENERATOR_VERSION.encode())
    for model in sorted(apps.get_models(), key=lambda m: m._meta.db_table):
        h.update(model._meta.db_table.encode())
        for f in model._meta.concrete_fields:
            h.update(repr((f.column, f.get_internal_type(), f.null, getattr(f, "max_length", None))).encode())
    return h.hexdigest()[:8]


def _foreign_migrations() -> set[tuple[str, str]]:
    """Migrations recorded in the data set that the code does not have."""
    applied = set(MigrationRecorder(connection).applied_migrations())
    return applied - set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def main(profile: str, size: int) -> int:
    started = time.perf_counter()
    if connection.introspection.table_names() and _foreign_migrations():
        print(f"数据集含代码中已不存在的迁移：{sorted(_foreign_migrations())[:3]}…", flush=True)
        return STALE
    pending = _pending()
    call_command("migrate", verbosity=0)
    meta = schema.meta_get() if schema.META_TABLE in connection.introspection.table_names() else {}
    if int(meta.get("generated", 0)) >= size and "analyzed" in meta:
        if pending:  # new indexes built on the data: fresh statistics for the planner
            data.analyze()
            print(f"已应用 {len(pending)} 个新迁移并重新分析：{', '.join(n for _, n in pending)}", flush=True)
        return 0
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


def _pending() -> list[tuple[str, str]]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return [(m.app_label, m.name) for m, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())]


if __name__ == "__main__":
    if sys.argv[1] == "--fingerprint":
        print(fingerprint())
        sys.exit(0)
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
