"""Issue 6: statistics with 300,000 generated petitions. The stats API for a year ≤ 500 ms and the
dashboard ≤ 1 s, on SQLite and on PostgreSQL (when BENCH_POSTGRES_URL is set or a local server
answers; `make bench` passes it)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOTAL = int(os.environ.get("BENCH_STATS_PETITIONS", 300_000))


def run_on(url: str) -> int:
    """Measure in a child process bound to that database."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "daiban.settings"}
    return subprocess.call([sys.executable, str(Path(__file__)), "--child"], env=env)  # noqa: S603


def child() -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.data import generate
    from daiban.api.models import ApiToken
    from daiban.org.models import User
    from daiban.petitions.models import Petition

    call_command("migrate", verbosity=0)
    call_command("load_demo", quiet=True)
    generate(TOTAL)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = User.objects.get(username="center")
    token = ApiToken.issue(user)[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    page = Client()
    page.force_login(user)
    end = datetime.date.today()
    start = end - datetime.timedelta(days=364)
    year = {"from": start.isoformat(), "to": end.isoformat()}
    in_year = Petition.objects.filter(received_on__gte=start, received_on__lte=end).count()
    print(f"{connection.vendor}：信访事项 {Petition.objects.count()} 件，一年内 {in_year} 件")

    def measure(label, target, fn, runs=7):
        fn()
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        ms = statistics.median(samples) * 1000
        print(f"  {label:<44} {ms:8.1f} ms   目标 ≤ {target} ms   {'达标' if ms <= target else '未达标'}")
        return ms <= target

    ok = [
        measure("GET /api/v1/stats（一年）", 500, lambda: _ok(api.get("/api/v1/stats", year))),
        measure("GET /api/v1/stats/breakdown?by=month（一年）", 500,
                lambda: _ok(api.get("/api/v1/stats/breakdown", {**year, "by": "month"}))),
        measure("GET /api/v1/stats/departments（一年）", 500, lambda: _ok(api.get("/api/v1/stats/departments", year))),
        measure("/staff/stats/ 统计页（一年）", 1000, lambda: _ok(page.get("/staff/stats/", year))),
    ]
    return 0 if all(ok) or not os.environ.get("BENCH_STRICT") else 1


def _ok(response):
    assert response.status_code == 200, response.status_code


def main() -> int:
    print(f"\n统计（{TOTAL} 件信访事项）")
    code = run_on(os.environ.get("BENCH_STATS_SQLITE_URL") or f"sqlite:///{ROOT / 'var' / 'bench-stats.sqlite3'}")
    pg = os.environ.get("BENCH_POSTGRES_URL")
    if pg:
        code |= run_on(pg)
    else:
        print("  （未设置 BENCH_POSTGRES_URL，跳过 PostgreSQL）")
    return code


if __name__ == "__main__":
    sys.exit(child() if "--child" in sys.argv else main())
