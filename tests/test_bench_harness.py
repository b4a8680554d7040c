"""The benchmark's harness (#16 item 4): a child's peak memory is its own, not the benchmark
process's (the ledger was reported at 344 MB in the run and 118 MB alone); finding the figure
modules leaves the environment that child processes inherit alone; a run's writes are undone,
append-only tables included."""

import os
import resource
import subprocess
import sys

import pytest

from bench import memory

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in kB, exec carry-over: Linux")

CHILD = ("import sys; x = bytearray(int(sys.argv[1]) * 2**20)\n"
         "for i in range(0, len(x), 4096): x[i] = 1\n"
         "print('done'); sys.exit(int(sys.argv[2]))")


@pytest.fixture(scope="module")
def big_parent():
    """This process grown by 300 MB of touched pages, as the benchmark's measuring process is."""
    ballast = bytearray(300 * 2**20)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    yield ballast


@linux
def test_the_peak_is_the_childs_own_not_the_parents(big_parent):
    done, peak = memory.run([sys.executable, "-c", CHILD, "40", "0"])
    assert done.returncode == 0 and done.stdout.strip() == "done"
    assert 40 <= peak < 120, peak
    # What the benchmark used to read: the parent's own size leaks into the child's figure.
    subprocess.run([sys.executable, "-c", CHILD, "40", "0"], check=True, capture_output=True)  # noqa: S603
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 >= 300


@linux
def test_the_works_exit_status_and_output_come_back(big_parent):
    done, peak = memory.run([sys.executable, "-c", CHILD, "1", "3"])
    assert done.returncode == 3 and done.stdout.strip() == "done" and peak < 120


def test_finding_the_figure_modules_leaves_the_environment_alone(monkeypatch):
    """A standalone script (bench/worker.py was one) pointed DATABASE_URL at its own database when
    imported; the ledger's child then opened an empty database ("no such table"). Only figure
    modules are imported."""
    from bench import run

    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent/the-data-set.sqlite3")
    names = [m.__name__ for m in run.modules()]
    assert {"bench.ledger", "bench.documents", "bench.worker", "bench.load"} <= set(names)
    assert "bench.search" not in names
    assert os.environ["DATABASE_URL"] == "sqlite:////nonexistent/the-data-set.sqlite3"


def test_a_runs_writes_are_undone_append_only_tables_included(api, new_petition):
    from bench.cleanup import Snapshot
    from daiban.audit.models import AuditEntry
    from daiban.petitions.models import Event, Petition

    new_petition()
    before = (Petition.objects.count(), Event.objects.count(), AuditEntry.objects.count())
    snapshot = Snapshot()
    new_petition()
    api("agent1").get("/petitions")
    assert Event.objects.count() > before[1]
    snapshot.restore()
    assert (Petition.objects.count(), Event.objects.count(), AuditEntry.objects.count()) == before
