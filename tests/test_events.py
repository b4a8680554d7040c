"""Events are the hand-off: an action writes its Event and the worker runs what follows, after the
commit, with retries; a consumer that fails never undoes or slows the action."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks import default_task_backend

from daiban.notifications.models import Notification
from daiban.org.models import User
from daiban.petitions import events, services
from daiban.petitions.models import Event


@pytest.fixture
def queue(settings):
    """Tasks are stored, not run: the test runs them (the worker's part) when it wants."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend


@pytest.fixture
def failing(monkeypatch):
    """A consumer of `contact` that always fails, with the events it gave up on."""
    gave_up = []

    def broken(event):
        raise OSError("gateway down")

    consumer = events.Consumer("tests.broken", broken, lambda event, error: gave_up.append((event.pk, error)))
    monkeypatch.setitem(events.CONSUMERS, "contact", [consumer])
    monkeypatch.setitem(events.BY_NAME, consumer.name, consumer)
    return gave_up


def _queued(queue):
    return [(r.args[0], r.args[1], r.args[2], r.task.run_after) for r in queue.results]


def test_an_action_enqueues_one_task_per_consumer_after_the_commit(api, new_petition, accepted, queue, clock):
    petition = accepted()
    screened = Event.objects.get(petition_id=petition["id"], action="screen")
    intake = Event.objects.get(petition_id=petition["id"], action="intake")
    assert sorted(_queued(queue)) == sorted([
        ("daiban.notifications.consumers.receipt", intake.pk, 1, None),
        ("daiban.notifications.consumers.accepted", screened.pk, 1, None),
    ])
    assert not Notification.objects.exists()  # nothing downstream ran inside the action
    for result in queue.results:
        result.task.call(*result.args)
    assert [n.template for n in Notification.objects.order_by("id")] == ["receipt", "accepted", "new_assignment"]


def test_a_rolled_back_action_enqueues_nothing(api, accepted, queue, org, monkeypatch, clock):
    petition = accepted()
    queue.clear()

    def recorded_then_fails(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("the database went away after the event was written")

    original = events.record
    monkeypatch.setattr(events, "record", recorded_then_fails)
    agent = User.objects.get(username="agent1")
    with pytest.raises(RuntimeError):
        services.petition_act(petition_id=petition["id"], action="contact", user=agent, data={"method": "phone"})
    assert queue.results == []
    assert not Event.objects.filter(petition_id=petition["id"], action="contact").exists()
    refused = api("agent1").act(petition["id"], "conclude", {"result": "未流转"})  # 409: nothing written
    assert refused.status_code == 409 and queue.results == []


def test_a_failing_consumer_neither_undoes_nor_blocks_the_action(api, accepted, failing, clock):
    petition = accepted()
    response = api("agent1").act(petition["id"], "contact", {"method": "phone", "note": "告知进展"})
    assert response.status_code == 200
    assert response.data["events"][-1]["action"] == "contact"
    event = Event.objects.get(petition_id=petition["id"], action="contact")
    assert [pk for pk, _ in failing] == [event.pk]  # the immediate backend cannot wait: it gives up at once


def test_a_failed_consumer_is_retried_with_growing_pauses_then_gives_up(accepted, failing, queue, clock):
    petition = accepted()
    agent = User.objects.get(username="agent1")
    services.petition_act(petition_id=petition["id"], action="contact", user=agent, data={"method": "phone"})
    event = Event.objects.get(petition_id=petition["id"], action="contact")
    queue.clear()
    for attempt, pause in enumerate(events.RETRY_SECONDS, start=1):
        with pytest.raises(OSError):
            events.run_consumer.call("tests.broken", event.pk, attempt)
        [(name, event_id, next_attempt, run_after)] = _queued(queue)
        assert (name, event_id, next_attempt) == ("tests.broken", event.pk, attempt + 1)
        assert run_after == timezone.now() + datetime.timedelta(seconds=pause)
        queue.clear()
    assert failing == []
    with pytest.raises(OSError):
        events.run_consumer.call("tests.broken", event.pk, len(events.RETRY_SECONDS) + 1)
    assert queue.results == [] and [pk for pk, _ in failing] == [event.pk]


def test_running_a_consumer_twice_sends_nothing_twice(accepted, queue, clock):
    accepted()
    for result in list(queue.results) * 2:
        result.task.call(*result.args)
    assert [n.template for n in Notification.objects.order_by("id")] == ["receipt", "accepted", "new_assignment"]


@pytest.mark.postgres
# serialized_rollback as tests/test_concurrency.py: its flush must not leave content types behind
# that the next serialized test would insert twice.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_in_parallel_run_each_task_once(org, settings):
    """Two db_worker processes on PostgreSQL: each claims with SELECT … FOR UPDATE SKIP LOCKED."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from tests.factories import petition_body

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    agent = User.objects.get(username="agent1")
    for _ in range(30):
        services.petition_intake(data=petition_body(), user=agent)
    assert DBTaskResult.objects.filter(status="READY").count() == 30
    runs: list[int] = []
    original = events.BY_NAME["daiban.notifications.consumers.receipt"]
    counted = events.Consumer(original.name, lambda event: (runs.append(event.pk), original.handler(event))[1])
    events.BY_NAME[original.name] = counted
    try:
        def work(worker_id: str) -> None:
            Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                   max_tasks=None, worker_id=worker_id, excluded_queue_names=[]).run()
            connection.close()

        threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        events.BY_NAME[original.name] = original
    assert sorted(runs) == sorted(set(runs)) and len(runs) == 30
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 30
    assert Notification.objects.filter(template="receipt").count() == 30
    workers = {tuple(r.worker_ids) for r in DBTaskResult.objects.all()}
    assert all(len(ids) == 1 for ids in workers)
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    page = admin.get("/admin/django_tasks_database/dbtaskresult/?status=SUCCESSFUL").content.decode()
    assert "事件后续处理" in page  # every run (and every failure, with its traceback) is in the admin, by name
