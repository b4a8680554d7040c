"""Several app servers and workers on one PostgreSQL database (#16 item 3; README, Production set-up).

The README runs N gunicorn processes behind the proxy and M `db_worker` processes, sharing
PostgreSQL (numbering, locks, sessions, the job queue, login lockouts) and Redis (the portal's rate
limits). This module starts exactly that: two gunicorn servers on free ports and
two background workers, against a database of their own (`<test database>_cluster`, a copy of a
migrated database with the demo organisation, dropped at the end; not the pytest transaction, which
other processes cannot see) and Redis (DAIBAN_TEST_REDIS_URL, default redis://127.0.0.1:6379/11, under a
key prefix of this run). Requests are spread over both servers, at once, and the outcome is read
from the database: numbers without gaps or duplicates, every task run once by one worker, every SMS
sent once by two concurrent senders, one case file however many build requests, the public
submission limit held across servers, a session signed in on one server valid (and signed out) on
the other. PostgreSQL only: skipped on SQLite like tests/test_concurrency.py.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests

from tests.factories import COMPLAINT, id_number, petition_body

ROOT = Path(__file__).resolve().parent.parent
SUBMIT_LIMIT = 4  # DAIBAN_PUBLIC_SUBMIT_PER_HOUR in the servers
STAFF_INTAKES, SUBMISSIONS = 20, 10
PASSWORD = "daiban-demo"  # noqa: S105 (the demo accounts')

pytestmark = pytest.mark.postgres


@dataclass
class Cluster:
    url: str  # the cluster database
    servers: list[str]
    env: dict[str, str]
    var: Path
    procs: list[subprocess.Popen] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def manage(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,  # noqa: S603
                              capture_output=True, text=True, timeout=timeout, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    def token(self, username: str) -> str:
        """A bearer token, asked of the second server (and used on both)."""
        if username not in self.tokens:
            r = requests.post(f"{self.servers[1]}/api/v1/auth/token", json={"username": username, "password": PASSWORD},
                              timeout=30)
            assert r.status_code == 200, r.text
            self.tokens[username] = r.json()["token"]
        return self.tokens[username]

    @contextlib.contextmanager
    def paused_workers(self):
        """SIGSTOP the db_workers (the last two processes) for the block, SIGCONT them after."""
        workers = self.procs[-2:]
        for proc in workers:
            os.killpg(proc.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for proc in workers:
                os.killpg(proc.pid, signal.SIGCONT)

    def wait_for_tasks(self, timeout: float = 60) -> None:
        """Until no task is running or due (a failed consumer's retry waits with run_after later)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # run_after 9999-01-01 is django-tasks-db's "as soon as possible"
            busy = self.sql("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING' "
                            "OR (status = 'READY' AND (run_after <= now() OR run_after >= '9999-01-01'))")[0][0]
            if not busy:
                return
            time.sleep(0.2)
        raise AssertionError(f"the workers did not finish their tasks within {timeout} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_url() -> str:
    return os.environ.get("DAIBAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(_redis_url(), socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {_redis_url()} (DAIBAN_TEST_REDIS_URL)")
    return client


def _stop(procs: list[subprocess.Popen]) -> None:
    """TERM every process group (a gunicorn master and its workers, a db_worker) at once, then KILL
    what lingers."""
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{url} exited with {proc.returncode}: {log.read_text()[-3000:]}")
        try:
            if requests.get(f"{url}/api/v1/public/agents", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not start: {log.read_text()[-3000:]}")


def _template_key() -> str:
    """What the migrated, demo-loaded database depends on: every migration and the demo loader."""
    h = hashlib.sha256()
    for path in sorted([*ROOT.glob("daiban/*/migrations/*.py"), ROOT / "daiban/org/management/commands/load_demo.py"]):
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:10]


def _template(admin: str, name: str, env: dict[str, str]) -> str:
    """A database migrated and loaded with the demo organisation, made once per schema and kept
    (`<name>_tpl_<key>`; older ones are dropped): each run copies it in a second instead of
    migrating for half a minute."""
    template = f"{name}_tpl_{_template_key()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                            (f"{name}_tpl_%",)).fetchall()]
        for old in names:
            if old != template:
                conn.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        if template in names:
            return template
        conn.execute(f'CREATE DATABASE "{template}_new"')
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{template}_new").geturl()
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c",
         "from django.core.management import call_command\n"
         "call_command('migrate', interactive=False, verbosity=0)\ncall_command('load_demo', quiet=True)\n"],
        cwd=ROOT, env={**env, "DATABASE_URL": url}, capture_output=True, text=True, timeout=300, check=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if done.returncode != 0:
            conn.execute(f'DROP DATABASE IF EXISTS "{template}_new" WITH (FORCE)')
            raise AssertionError(done.stderr[-3000:])
        conn.execute(f'ALTER DATABASE "{template}_new" RENAME TO "{template}"')
    return template


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two gunicorn servers and two db_workers on a fresh copy of a migrated database; stopped and
    the copy dropped after."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… (CI does)")
    redis_client = _redis_or_skip()
    base = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    name = f"{base.path.lstrip('/') or 'daiban'}_cluster"
    url = base._replace(path=f"/{name}").geturl()
    admin = base._replace(path="/postgres").geturl()
    var = tmp_path_factory.mktemp("cluster")
    prefix = f"test-cluster-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DAIBAN_", "REDIS_", "DATABASE_"))}
    env.update({
        "DATABASE_URL": url, "DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DAIBAN_VAR_DIR": str(var), "DAIBAN_LOG_DIR": str(var / "log"),
        # Set here, not generated by each process into var/dev-secrets.json at the same moment.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DAIBAN_DATA_KEY": "0123456789abcdef0123456789abcdef",
        "DAIBAN_LOOKUP_KEY": "ab" * 32,
        "REDIS_URL": _redis_url(), "DAIBAN_CACHE_PREFIX": prefix,
        "DAIBAN_PUBLIC_SUBMIT_PER_HOUR": str(SUBMIT_LIMIT), "DAIBAN_PUBLIC_CAPTCHA_AFTER": "100",
        "DAIBAN_SMS_BACKEND": "tests.cluster_sms.RecordingBackend", "DAIBAN_TEST_SMS_LOG": str(var / "sms.log"),
        "PYTHONUNBUFFERED": "1",
    })
    template = _template(admin, name, env)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    cluster = Cluster(url=url, servers=[], env=env, var=var)
    try:
        logs = []
        for i in range(2):
            port = _free_port()
            log = var / f"server{i + 1}.log"
            cluster.procs.append(subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gunicorn", "daiban.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                 "--log-level", "warning", "--timeout", "60"],
                cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True))
            cluster.servers.append(f"http://127.0.0.1:{port}")
            logs.append(log)
        for i in range(2):
            log = var / f"worker{i + 1}.log"
            cluster.procs.append(subprocess.Popen(  # noqa: S603
                [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload", "--no-startup-delay",
                 "--interval", "0.1", "--worker-id", f"w{i + 1}"],
                cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True))
        for server, proc, log in zip(cluster.servers, cluster.procs, logs, strict=False):
            _wait_until_up(server, proc, log)
        yield cluster
    finally:
        _stop(cluster.procs)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for key in redis_client.scan_iter(f"{prefix}:*"):
            redis_client.delete(key)


def _body(i: int) -> dict:
    return petition_body(petitioner={"name": f"测试{i}", "id_number": id_number(serial=i, born="19750101"),
                                     "phone": f"139{i:08d}"})


def test_numbers_jobs_and_the_submission_limit_hold_across_two_servers_and_two_workers(cluster):
    """20 staff intakes and 10 portal submissions at once, alternating between the servers: every
    staff intake numbered, exactly SUBMIT_LIMIT submissions let through in all (the counter is in
    Redis, not one per server), numbers 1…n without gap or duplicate; then each consumer task ran
    once, by one of the two workers, and two senders running at once deliver each receipt SMS once."""
    token = cluster.token("agent1")
    jobs = [("staff", i) for i in range(STAFF_INTAKES)] + [("public", 100 + i) for i in range(SUBMISSIONS)]
    jobs.sort(key=lambda job: (job[1] * 7919) % 31)  # mixed, deterministically

    def send(k: int, job: tuple[str, int]) -> tuple[str, int, dict]:
        kind, i = job
        server = cluster.servers[k % 2]
        if kind == "staff":
            r = requests.post(f"{server}/api/v1/petitions", json=_body(i), headers={"Authorization": f"Bearer {token}"},
                              timeout=60)
        else:
            body = _body(i)
            r = requests.post(f"{server}/api/v1/public/petitions", json={"petitioner": body["petitioner"],
                                                                        "content": COMPLAINT}, timeout=60)
        return kind, r.status_code, r.json()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(len(jobs)), jobs))

    staff = [a for a in answers if a[0] == "staff"]
    public = [a for a in answers if a[0] == "public"]
    assert [code for _, code, _ in staff] == [201] * STAFF_INTAKES, [a for a in staff if a[1] != 201][:3]
    assert sorted(code for _, code, _ in public) == [201] * SUBMIT_LIMIT + [429] * (SUBMISSIONS - SUBMIT_LIMIT), public
    given = sorted(body["number"] for _, code, body in answers if code == 201)
    stored = sorted(row[0] for row in cluster.sql("SELECT number FROM petitions_petition"))
    assert given == stored and len(stored) == STAFF_INTAKES + SUBMIT_LIMIT
    prefixes = {n.rsplit("-", 1)[0] for n in stored}
    assert len(prefixes) == 1, prefixes
    assert [int(n.rsplit("-", 1)[1]) for n in stored] == list(range(1, len(stored) + 1))

    cluster.wait_for_tasks()
    tasks = cluster.sql("SELECT status, args_kwargs, worker_ids FROM django_tasks_database_dbtaskresult")
    assert {status for status, _, _ in tasks} == {"SUCCESSFUL"}, [t for t in tasks if t[0] != "SUCCESSFUL"][:3]
    assert all(len(workers) == 1 for _, _, workers in tasks), "a task was claimed twice"
    runs = collections.Counter(repr(args["args"]) for _, args, _ in tasks)
    assert max(runs.values()) == 1, runs.most_common(3)
    assert {w for _, _, workers in tasks for w in workers} == {"w1", "w2"}, "both workers take tasks"
    receipts = cluster.sql("SELECT count(*), count(DISTINCT petition_id) FROM notifications_notification "
                           "WHERE channel = 'sms' AND template = 'receipt'")
    assert receipts == [(len(stored), len(stored))]

    senders = [subprocess.Popen([sys.executable, "manage.py", "notify"], cwd=ROOT, env=cluster.env,  # noqa: S603
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for sender in senders:
        out, err = sender.communicate(timeout=120)
        assert sender.returncode == 0, err[-2000:]
    lines = (cluster.var / "sms.log").read_text(encoding="utf-8").splitlines()
    per_number = collections.Counter(n for line in lines for n in stored if n in line)
    assert len(lines) == len(stored) and set(per_number.values()) == {1}, per_number.most_common(3)
    assert cluster.sql("SELECT state, count(*) FROM notifications_notification WHERE channel = 'sms' "
                       "GROUP BY state") == [("sent", len(stored))]


def _act(cluster: Cluster, k: int, user: str, path: str, body: dict) -> dict:
    server = cluster.servers[k % 2]
    r = requests.post(f"{server}/api/v1{path}", json=body, headers={"Authorization": f"Bearer {cluster.token(user)}"},
                      timeout=60)
    assert r.status_code in (200, 201), (path, r.status_code, r.text[:500])
    return r.json()


def test_a_case_file_is_built_once_however_many_workers_are_asked(cluster):
    """A petition taken to the archive with each step on the other server; with the `archive` action
    three more build requests are queued (as downloads of a failed build each ask for one), and both
    workers wake to them at once: the case file is built once (one file in storage, one
    `archive_frozen`, no failed task) and either server serves the same bytes."""
    agent_id = cluster.sql("SELECT a.id FROM org_agent a JOIN org_user u ON u.id = a.user_id "
                           "WHERE u.username = 'agent1'")[0][0]
    department = cluster.sql("SELECT id FROM org_department ORDER BY id LIMIT 1")[0][0]
    pid = _act(cluster, 0, "agent1", "/petitions", _body(500))["id"]
    _act(cluster, 1, "agent1", f"/petitions/{pid}/actions/screen", {
        "outcome": "agency", "agent_id": agent_id, "agent_chosen_by": "designated", "notification": "written"})
    routed = _act(cluster, 0, "agent1", f"/petitions/{pid}/actions/route", {
        "departments": [department], "track": "standard", "proposed_handling": "请核实补偿款发放情况"})
    did = routed["dispositions"][0]["id"]
    steps = [
        ("leader", f"/dispositions/{did}/actions/opinion", {"role": "leader_in_charge", "text": "请限期核实"}),
        ("chief", f"/dispositions/{did}/actions/opinion", {"role": "principal", "text": "同意"}),
        ("dept1", f"/dispositions/{did}/actions/result", {"result": "补偿款已发放到位"}),
        ("agent1", f"/petitions/{pid}/actions/conclude", {"result": "经协调补偿款已全额发放"}),
        ("agent1", f"/petitions/{pid}/actions/feedback", {"method": "visit", "satisfaction": "fairly_satisfied"}),
        ("agent1", f"/petitions/{pid}/actions/terminate", {"note": "群众基本满意"}),
        ("agent1", f"/petitions/{pid}/actions/follow_up", {"note": "回访无反弹"}),
        ("agent1", f"/petitions/{pid}/actions/archive", {}),
    ]
    for k, (user, path, body) in enumerate(steps[:-1], start=1):
        _act(cluster, k, user, path, body)
    # The workers pause while the archive action and three more build requests are queued, so that
    # on waking both take one of the same petition at the same moment.
    cluster.wait_for_tasks()
    with cluster.paused_workers():
        _act(cluster, len(steps), *steps[-1])
        cluster.manage("shell", "-c", (
            "from django.db import transaction\n"
            "from daiban.documents.archive import request_rebuild\n"
            "from daiban.org.models import User\n"
            "from daiban.petitions.models import Petition\n"
            f"p = Petition.objects.get(pk={pid}); u = User.objects.get(username='agent1')\n"
            "with transaction.atomic():\n"
            "    for _ in range(3): request_rebuild(p, u)\n"))
    cluster.wait_for_tasks(timeout=90)

    builds = cluster.sql("SELECT task_path, status, worker_ids FROM django_tasks_database_dbtaskresult "
                         "WHERE args_kwargs->'args'->>0 = 'daiban.documents.archive.build'")
    assert len(builds) == 4 and {b[1] for b in builds} == {"SUCCESSFUL"}, builds
    assert cluster.sql("SELECT count(*) FROM documents_archivefile WHERE petition_id = %s", (pid,)) == [(1,)]
    assert cluster.sql("SELECT count(*) FROM petitions_event WHERE petition_id = %s AND action = 'archive_frozen'",
                       (pid,)) == [(1,)]
    stored = sorted(p.name for p in (cluster.var / "private" / "archives").iterdir())
    assert len(stored) == 1, stored
    digests = set()
    for server in cluster.servers:
        r = requests.get(f"{server}/api/v1/petitions/{pid}/archive.zip",
                         headers={"Authorization": f"Bearer {cluster.token('agent1')}"}, timeout=60)
        assert r.status_code == 200, r.text[:300]
        digests.add(r.headers["X-Archive-SHA256"])
    assert len(digests) == 1


def test_sessions_and_login_lockouts_are_shared_by_the_servers(cluster):
    """Signed in through one server, the session works on the other, and signing out on the other
    ends it on the first; failed passwords counted on both servers lock the account on both."""
    a, b = cluster.servers
    browser = requests.Session()
    browser.get(f"{a}/staff/login/", timeout=30)
    signed_in = browser.post(f"{a}/staff/login/", data={
        "username": "agent1", "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        allow_redirects=False, timeout=30)
    assert signed_in.status_code == 302 and "login" not in signed_in.headers["Location"], signed_in.text[:300]
    there = browser.get(f"{b}/staff/", allow_redirects=False, timeout=30)
    assert there.status_code == 200, there.headers.get("Location")
    out = browser.post(f"{b}/staff/logout/", data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
                       allow_redirects=False, timeout=30)
    assert out.status_code == 302
    back = browser.get(f"{a}/staff/", allow_redirects=False, timeout=30)
    assert back.status_code == 302 and "/staff/login/" in back.headers["Location"]

    limit = 5  # DAIBAN_LOGIN_FAILURE_LIMIT: the fifth failure locks the account
    codes = [requests.post(f"{cluster.servers[k % 2]}/api/v1/auth/token",
                           json={"username": "agent2", "password": "not-the-password"}, timeout=30).status_code
             for k in range(limit)]
    assert codes == [401] * (limit - 1) + [429], codes
    for server in cluster.servers:
        locked = requests.post(f"{server}/api/v1/auth/token", json={"username": "agent2", "password": PASSWORD},
                               timeout=30)
        assert locked.status_code == 429 and locked.json()["error"]["code"] == "locked", locked.text
