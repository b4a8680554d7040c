"""The background worker (issue 11): the `archive` action at the server (≤ 300 ms), the case file ready
after it (≤ 30 s, the worker process's start included), and the worker draining 1,000 queued
notification jobs (≤ 30 s).

A figure module (bench/README.md), on the run's data set: petitions are walked through the API up to
the follow-up visit, then archived; the worker is `manage.py db_worker --batch`, a process of its
own as in production, on the same database (the child's DATABASE_URL). Case files go to a temporary
PRIVATE_ROOT (the worker's and this process's), and the task rows it leaves (UUID keys, which the
run's cleanup does not see) are deleted at the end.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from bench.core import Ctx, Figure, at_most

ORDER = 70
ROOT = Path(__file__).resolve().parent.parent
ARCHIVES = 5
JOBS = 1000


def _worker(private: str) -> float:
    """Run the worker until the queue is empty; its wall time in seconds."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch", "--no-startup-delay",  # noqa: S603
                    "--no-reload", "--interval", "0", "--verbosity", "0", "--queue-name", "*"],
                   check=True, env={**os.environ, "DAIBAN_PRIVATE_ROOT": private}, cwd=ROOT)
    return time.perf_counter() - t0


def _followed_up(agent, dept, agent_id: int, department_id: int, serial: int) -> int:
    """A petition walked through the API up to the follow-up visit: ready to be archived."""
    from tests.factories import id_number, petition_body

    def post(path: str, body: dict, by=agent) -> dict:
        response = by.post(f"/api/v1{path}", body, content_type="application/json")
        assert response.status_code in (200, 201), response.content[:300]
        return response.json()

    pid = post("/petitions", petition_body(petitioner={"id_number": id_number(born="19910101", serial=serial)}))["id"]
    post(f"/petitions/{pid}/actions/screen", {"outcome": "agency", "agent_id": agent_id})
    did = post(f"/petitions/{pid}/actions/route", {"departments": [department_id], "track": "standard"})["dispositions"][-1]["id"]
    post(f"/dispositions/{did}/actions/result", {"result": "已办理"}, by=dept)
    for action, body in [("conclude", {"result": "已办结"}), ("feedback", {"method": "phone", "satisfaction": "satisfied"}),
                         ("terminate", {}), ("follow_up", {"note": "回访无反弹"})]:
        post(f"/petitions/{pid}/actions/{action}", body)
    return pid


def figures(ctx: Ctx) -> Iterable[Figure]:
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from daiban.documents.models import ArchiveFile
    from daiban.org.models import Agent, Department
    from daiban.petitions import events
    from daiban.petitions.models import Event

    if not ctx.heavy or ctx.size != max(ctx.sizes) or not ctx.wanted("worker"):
        return
    agent, dept = ctx.api("agent1"), ctx.api("dept1")
    agent_id = Agent.objects.get(user__username="agent1").pk
    department_id = Department.objects.order_by("id").first().pk  # dept1's (API.md, demo data)
    known = set(DBTaskResult.objects.values_list("id", flat=True))
    with tempfile.TemporaryDirectory() as private, override_settings(PRIVATE_ROOT=private), ctx.exclusive():
        try:
            _worker(private)  # an empty queue to start from
            ready = [_followed_up(agent, dept, agent_id, department_id, serial=900 + i) for i in range(ARCHIVES)]
            _worker(private)
            samples, waits = [], []
            for pid in ready:
                t0 = time.perf_counter()
                response = agent.post(f"/api/v1/petitions/{pid}/actions/archive", {}, content_type="application/json")
                samples.append(time.perf_counter() - t0)
                assert response.status_code == 200 and response.json()["archive"]["status"] == "building"
                _worker(private)
                assert ArchiveFile.objects.filter(petition_id=pid).exists(), "the worker did not build the case file"
                waits.append(time.perf_counter() - t0)
            # 1,000 notification jobs: the receipt SMS of 1,000 intakes, queued as the hand-off queues them.
            intakes = list(Event.objects.filter(action="intake").order_by("-id").values_list("id", flat=True)[:JOBS])
            for event_id in intakes:
                events.enqueue("daiban.notifications.consumers.receipt", event_id)
            seconds = _worker(private)
            failed = DBTaskResult.objects.exclude(id__in=known).filter(status="FAILED").count()
        finally:
            DBTaskResult.objects.exclude(id__in=known).delete()
    yield Figure("worker: POST …/actions/archive", statistics.median(samples) * 1000, "ms", runs=len(samples),
                 targets=[at_most(300, "#11")])
    yield Figure("worker: case file ready after archiving (slowest)", max(waits), "s", runs=len(waits),
                 targets=[at_most(30, "#11")], note="a db_worker process started per case: its start-up included")
    yield Figure(f"worker: {len(intakes):,} queued notification jobs drained", seconds, "s", runs=1,
                 targets=[at_most(30, "#11")], note=f"{failed} failed")
