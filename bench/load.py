"""Sixteen clients at once on the filtered list, through gunicorn with 2 workers: throughput and
latency percentiles (#16: ≥ 50 requests/s with p99 ≤ 1 s on PostgreSQL 1M).

gunicorn serves daiban.wsgi on a free local port (sync workers, as the README's production set-up;
the app preloaded, so both workers answer from the first second); the load client is Python threads
in this process, one request per connection (a sync worker closes each), each thread sending
`GET /api/v1/petitions?status=in_progress&overdue=true` with a bearer token as fast as answers come.
The load starts once the list answers 200; 5 s of warm-up, then BENCH_LOAD_SECONDS (30) measured:
requests/s (answers completed within the window ÷ its length), p50 and p99 latency, and the errors
(any answer but 200, or none), each a row of the table. gunicorn is stopped (TERM, then KILL)
whatever happens. On PostgreSQL at the run's largest size only.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from django.db import connection

from bench.core import Ctx, Figure, at_least, at_most

ORDER = 80
ROOT = Path(__file__).resolve().parent.parent
CLIENTS, WORKERS = 16, 2
PATH = "/api/v1/petitions?status=in_progress&overdue=true"


def figures(ctx: Ctx) -> Iterable[Figure]:
    if (not ctx.heavy or connection.vendor != "postgresql" or ctx.size != max(ctx.sizes)
            or not ctx.wanted("concurrent")):
        return
    seconds = float(os.environ.get("BENCH_LOAD_SECONDS", 30))
    token = ctx.api("agent1").token
    port = _free_port()
    env = {**os.environ, "BENCH_TODAY": ctx.anchor.isoformat(), "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "daiban.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
         "--preload", "--config", "python:bench.gunicorn_conf", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    try:
        _wait_until_up(port, server)
        _wait_until_answering(port, token)
        with ctx.exclusive():
            latencies, errors, elapsed = _load(port, token, warmup=5, seconds=seconds)
    finally:
        _stop(server)
    done = len(latencies)
    rate = done / elapsed if elapsed else 0.0
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000 if len(latencies) >= 100 else float("nan")
    note = (f"gunicorn {WORKERS} sync workers, {CLIENTS} Python client threads, {elapsed:.0f} s, {done} answers, "
            f"{errors} errors; p50 {p50:.0f} ms")
    yield Figure(f"{CLIENTS} concurrent clients, filtered list: throughput", rate, "req/s", runs=done,
                 targets=[at_least(50, "#16")], note=note)
    yield Figure(f"{CLIENTS} concurrent clients, filtered list: p50", p50, "ms", runs=done)
    yield Figure(f"{CLIENTS} concurrent clients, filtered list: p99", p99, "ms", runs=done, targets=[at_most(1000, "#16")])
    yield Figure(f"{CLIENTS} concurrent clients, filtered list: errors", errors, "", runs=done + errors,
                 targets=[at_most(0, "#16")])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _wait_until_answering(port: int, token: str, timeout: float = 120) -> None:
    """Until the list answers 200 (the workers are up and the first, cold request is done)."""
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", PATH, headers={"Authorization": f"Bearer {token}", "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            conn.close()
            status = response.status
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer the list with 200 (last status {status})")


def _stop(server: subprocess.Popen) -> None:
    """TERM the whole process group (master and workers), KILL it if it lingers."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    except ProcessLookupError:
        pass


def _load(port: int, token: str, *, warmup: float, seconds: float) -> tuple[list[float], int, float]:
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client() -> None:
        nonlocal errors
        while True:
            t0 = time.monotonic()
            if t0 >= stop_at:
                return
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", PATH, headers={"Authorization": f"Bearer {token}", "Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                conn.close()
                ok = response.status == 200
            except OSError:
                ok = False
            t1 = time.monotonic()
            if t0 >= measure_from and t1 <= stop_at:
                with lock:
                    if ok:
                        latencies.append(t1 - t0)
                    else:
                        errors += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=seconds + warmup + 60)
    return latencies, errors, seconds
