from __future__ import annotations

import datetime
import json
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from daiban.api.models import ApiToken
from daiban.org.models import Agent, Department, Station, User
from tests.factories import petition_body

# A Wednesday in 2026 with the National Day holiday ahead: every scenario starts here.
START = datetime.datetime(2026, 9, 16, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Attachments, case files and previews of each test in a directory of its own, never the
    # checkout's var/private nor another test's: with the clock frozen, a test database's petition 1
    # is another test's petition 1 down to its creation time, so a case-file preview (named from
    # them) would be the other test's.
    settings.PRIVATE_ROOT = tmp_path_factory.mktemp("private")
    # What follows an event runs at once, in the test's thread (the worker's job in production).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Scenarios travel weeks ahead; token expiry has its own test.
    settings.DAIBAN_TOKEN_HOURS = 24 * 365
    # Each test starts with an empty cache and no rate-limit counts.
    from django.core.cache import cache

    from daiban.lib import ratelimit

    cache.clear()
    ratelimit.reset()


@pytest.fixture(autouse=True)
def _fast_json_is_ninjas(monkeypatch):
    """Every response daiban.api.render writes without pydantic is checked, in every test, against
    what ninja's own path (validate, dump, render) gives for it: the same bytes."""
    from daiban.api import render

    fast = render.dumps

    def checked(schema, data):
        out = fast(schema, data)
        assert out == render.ninja_dumps(schema, data), schema.__name__
        return out

    monkeypatch.setattr(render, "dumps", checked)


@pytest.fixture(autouse=True)
def _commit_hooks_run_when_the_apps_transaction_ends(monkeypatch):
    """The test's own transaction wraps everything and is rolled back, so nothing ever commits and
    transaction.on_commit callbacks (the hand-off of events to the worker) would never run. Run them
    as a real commit would: when the outermost transaction *inside* the test ends without error,
    or at once when none is open."""
    from django.db import transaction
    from django.db.backends.base.base import BaseDatabaseWrapper

    enter, exit_, on_commit = transaction.Atomic.__enter__, transaction.Atomic.__exit__, BaseDatabaseWrapper.on_commit

    def only_tests(connection) -> bool:
        return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)

    def patched_enter(self):
        connection = transaction.get_connection(self.using)
        marks = connection.__dict__.setdefault("_test_commit_marks", [])
        marks.append(len(connection.run_on_commit) if only_tests(connection) else None)
        return enter(self)

    def patched_exit(self, exc_type, exc_value, tb):
        connection = transaction.get_connection(self.using)
        mark = connection.__dict__["_test_commit_marks"].pop()
        result = exit_(self, exc_type, exc_value, tb)
        if mark is not None and exc_type is None and connection.atomic_blocks:
            hooks, connection.run_on_commit[mark:] = connection.run_on_commit[mark:], []
            for _, func, robust in hooks:
                try:
                    func()
                except Exception:
                    if not robust:
                        raise
        return result

    def patched_on_commit(self, func, robust=False):
        if self.in_atomic_block and self.atomic_blocks and only_tests(self):
            return func()
        return on_commit(self, func, robust)

    monkeypatch.setattr(transaction.Atomic, "__enter__", patched_enter)
    monkeypatch.setattr(transaction.Atomic, "__exit__", patched_exit)
    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", patched_on_commit)


@pytest.fixture(autouse=True)
def _awkward_now():
    """DAIBAN_TEST_NOW=2026-12-31T23:59:55+08:00 runs every test whose time is not frozen (no `clock`)
    from that moment, ticking: tests that read the wall clock are tried across midnight, the turn of
    an hour or a year, or a holiday, as CI may run them at any time (Beijing's midnight is 16:00 UTC).
    Unset (the default): real time."""
    import os

    now = os.environ.get("DAIBAN_TEST_NOW")
    if not now:
        yield
        return
    with time_machine.travel(datetime.datetime.fromisoformat(now), tick=True):
        yield


@pytest.fixture
def clock():
    """Frozen time that the test can move: clock.move_to("2026-10-09")."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


class Api:
    """A JSON client for one user (or none). Responses get .data for the decoded body."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def _wrap(self, response):
        is_json = response.get("Content-Type", "").startswith("application/json")
        streaming = getattr(response, "streaming", False)
        response.data = json.loads(response.content) if is_json and not streaming and response.content else None
        return response

    def get(self, path: str, **params):
        return self._wrap(self.client.get(f"/api/v1{path}", params, **self.headers))

    def post(self, path: str, body: dict | None = None):
        return self._wrap(self.client.post(
            f"/api/v1{path}", json.dumps(body if body is not None else {}), content_type="application/json",
            **self.headers,
        ))

    def delete(self, path: str):
        return self._wrap(self.client.delete(f"/api/v1{path}", **self.headers))

    def act(self, petition_id: int, action: str, body: dict | None = None):
        return self.post(f"/petitions/{petition_id}/actions/{action}", body or {})

    def act_disposition(self, disposition_id: int, action: str, body: dict | None = None):
        return self.post(f"/dispositions/{disposition_id}/actions/{action}", body or {})


@pytest.fixture
def org(db):
    call_command("load_demo", quiet=True)
    departments = list(Department.objects.order_by("id"))
    return SimpleNamespace(
        center=Station.objects.get(code="center"),
        bureau=Station.objects.get(code="bureau"),
        galutu=Station.objects.get(code="galutu"),
        departments=departments,
        agent1=Agent.objects.get(user__username="agent1"),
        agent2=Agent.objects.get(user__username="agent2"),
        agent12=Agent.objects.get(user__username="agent12"),
    )


@pytest.fixture
def api(org):
    """api("agent1") → an Api logged in as that demo user; api() → anonymous."""
    cache: dict[str, Api] = {}

    def make(username: str | None = None) -> Api:
        if username is None:
            return Api()
        if username not in cache:
            _, token = ApiToken.issue(User.objects.get(username=username))
            cache[username] = Api(token)
        return cache[username]

    return make


@pytest.fixture
def new_petition(api):
    """Register a petition through the API as agent1 (or `by`) and return its JSON."""

    def make(by: str = "agent1", **overrides) -> dict:
        response = api(by).post("/petitions", petition_body(**overrides))
        assert response.status_code == 201, response.data
        return response.data

    return make


@pytest.fixture
def accepted(api, new_petition, org):
    """A petition screened into agency with agent1 as its agent."""

    def make(**overrides) -> dict:
        petition = new_petition(**overrides)
        response = api("agent1").act(petition["id"], "screen", {
            "outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated", "notification": "written",
        })
        assert response.status_code == 200, response.data
        return response.data

    return make


@pytest.fixture
def routed(api, accepted, org):
    """An accepted petition routed (standard track) to the first department."""

    def make(departments=None, track: str = "standard", **overrides) -> dict:
        petition = accepted(**overrides)
        ids = departments or [org.departments[0].pk]
        response = api("agent1").act(petition["id"], "route", {
            "departments": ids, "track": track, "proposed_handling": "请核实补偿款发放情况",
        })
        assert response.status_code == 200, response.data
        return response.data

    return make


def pytest_collection_modifyitems(config, items):
    # Browser tests flush the database after each test (live_server); run them after the rest.
    items.sort(key=lambda item: "/browser/" in str(item.fspath).replace("\\", "/"))


def pytest_runtest_setup(item):
    from django.conf import settings

    if item.get_closest_marker("postgres") and "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… (CI does)")


def pytest_terminal_summary(terminalreporter):
    # The fuzz test's counts (operations, cases, seconds), so CI's log shows what was fuzzed.
    import sys

    fuzz = sys.modules.get("tests.test_fuzz_api")
    for line in getattr(fuzz, "SUMMARY", []):
        terminalreporter.write_line(line)


@pytest.fixture
def dissatisfied(api, routed, org, clock):
    """dissatisfied() → the id of a petition of agent1 answered, concluded and fed back 不满意 (its
    review window open)."""

    def make() -> int:
        petition = routed()
        pid = petition["id"]
        api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
        api("agent1").act(pid, "conclude", {"result": "已办理"})
        api("agent1").act(pid, "feedback", {"method": "letter", "satisfaction": "dissatisfied"})
        return pid

    return make


@pytest.fixture
def upheld(api, dissatisfied, clock):
    """A petition of agent1 whose review was upheld: one open 一案双查. Returns decide_review's answer."""
    pid = dissatisfied()
    api("agent1").act(pid, "request_review", {"level": "review", "reason": "补偿标准有误"})
    decided = api("center").act(pid, "decide_review", {"upheld": True, "note": "申请有理", "due_on": "2026-10-30"})
    assert decided.status_code == 200, decided.data
    return decided.data


@pytest.fixture
def chosen_agent12(api, new_petition, org):
    """A new petition screened by agent1 to agent12 of another station, as the petitioner chose
    (自主选择); returns its id. The tests of `reassign` then move it away from agent12."""

    def make() -> int:
        pid = new_petition()["id"]
        screened = api("agent1").act(pid, "screen", {
            "outcome": "agency", "agent_id": org.agent12.pk, "agent_chosen_by": "petitioner", "notification": "written"})
        assert screened.status_code == 200, screened.data
        return pid

    return make
