"""Events are the hand-off to everything downstream.

An action writes its Event and nothing else outside the petition. Whatever follows (the messages,
the case file, later the notices to the petitioner) is a *consumer*: a function of the Event,
registered here by the app that owns it (`@consumes("feedback")` in notifications/consumers.py,
loaded by its AppConfig.ready) and run by the background worker (django-tasks; `manage.py
db_worker`), one task per event and consumer.

- Enqueued when the transaction commits: a rolled-back action enqueues nothing, and the action
  never waits for a consumer.
- A consumer that fails is retried with growing pauses (RETRY_SECONDS), each attempt a task row
  in the admin (`/admin/django_tasks_database/dbtaskresult/`, with its traceback); after the last one its
  `give_up` hook records what a person should know. A failure never reaches the action.
- The database backend claims each task in a transaction of its own (SELECT … FOR UPDATE SKIP
  LOCKED on PostgreSQL, an exclusive transaction on SQLite), so workers may run in parallel and a
  claimed task runs once. Consumers are still written to be idempotent (keyed by the event's id),
  because a worker killed mid-task leaves it to be run again by hand.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections import defaultdict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.exceptions import InvalidTaskError

from daiban.petitions.models import Event, Petition

# The events that are not workflow actions, by their label (the timeline, the admin). The workflow
# actions are named by their declared label (`event_label`).
EVENT_LABELS = {
    "intake": "登记", "deadline_recomputed": "时限重算", "attach": "上传附件", "archive_frozen": "案卷封存",
    "archive_failed": "案卷生成失败", "archive_retry": "重新生成案卷", "link": "认定为同一事项", "unlink": "认定不是同一事项",
    "public_rating": "信访人评价", "undo": "撤销上一步", "disposition_share": "共享处置单",
    "double_check_assign": "一案双查指派", "double_check_findings": "一案双查查明情况",
    "double_check_close": "一案双查结束", "petitioner_correction": "更正信访人信息",
}


@functools.cache
def event_labels() -> dict[str, str]:
    """Every event's label: each petition action's, each disposition action's (as "disposition_…")
    and EVENT_LABELS. Built once (the action tables are fixed at import); not to be changed."""
    from daiban.petitions.actions import ACTIONS, DISPOSITION_ACTIONS

    return {**{name: act.label for name, act in ACTIONS.items()},
            **{f"disposition_{name}": act.label for name, act in DISPOSITION_ACTIONS.items()}, **EVENT_LABELS}

logger = logging.getLogger(__name__)

# The event whose consumer is running: what it queues (a message) is recorded as the event's, so a
# step taken back (undo) can take back what it had queued and not yet sent.
current_event: ContextVar[Event | None] = ContextVar("current_event", default=None)

# Pauses before the 2nd, 3rd, … attempt of a failed consumer: then it gives up (still in the admin).
RETRY_SECONDS = (10, 60, 300, 1800, 7200)

Handler = Callable[[Event], None]
GiveUp = Callable[[Event, BaseException], None]


@dataclass(frozen=True)
class Consumer:
    name: str
    handler: Handler
    give_up: GiveUp | None = None


CONSUMERS: dict[str, list[Consumer]] = defaultdict(list)  # event action → its consumers
BY_NAME: dict[str, Consumer] = {}
# Projections: tables kept in step with the petition *inside* the action's transaction (the search
# index must find a result the moment it is recorded). Only the petitions app's own read models
# belong here; anything that may fail or take time is a consumer.
PROJECTIONS: dict[str, list[Handler]] = defaultdict(list)


def projects(*actions: str) -> Callable[[Handler], Handler]:
    """Register `handler(event)` to run in the same transaction as events of these actions."""

    def register(handler: Handler) -> Handler:
        for action in actions:
            PROJECTIONS[action].append(handler)
        return handler

    return register


def consumes(*actions: str, give_up: GiveUp | None = None) -> Callable[[Handler], Handler]:
    """Register `handler(event)` for events of these actions. `give_up(event, error)` runs once the
    last attempt has failed."""

    def register(handler: Handler) -> Handler:
        consumer = Consumer(f"{handler.__module__}.{handler.__qualname__}", handler, give_up)
        if consumer.name in BY_NAME:
            raise ValueError(f"consumer {consumer.name} registered twice")
        BY_NAME[consumer.name] = consumer
        for action in actions:
            CONSUMERS[action].append(consumer)
        return handler

    return register


def record(petition: Petition, action: str, **fields: Any) -> Event:
    """Append an Event (Event.record's arguments) and hand it to its consumers after the commit."""
    event = Event.record(petition, action, **fields)
    for project in PROJECTIONS.get(action, ()):
        project(event)
    hand_off(event)
    return event


def hand_off(event: Event) -> None:
    for consumer in CONSUMERS.get(event.action, ()):
        transaction.on_commit(partial(enqueue, consumer.name, event.pk), robust=True)


def enqueue(consumer: str, event_id: int, attempt: int = 1, delay: int = 0) -> None:
    job = run_consumer.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)) if delay else run_consumer
    job.enqueue(consumer, event_id, attempt)


@task()
def run_consumer(consumer: str, event_id: int, attempt: int = 1) -> None:
    """One consumer for one event. A failure schedules the next attempt, then fails this one (so the
    admin lists it with its traceback)."""
    entry = BY_NAME[consumer]
    event = Event.objects.select_related("petition").get(pk=event_id)
    if was_undone(event):
        # Taken back (撤销上一步) before the worker came to it: nothing follows a step that no longer
        # stands (no "已终结" SMS for a termination undone five minutes later).
        logger.info("consumer %s skips event %s: the step was undone", consumer, event_id)
        return
    token = current_event.set(event)
    try:
        entry.handler(event)
    except Exception as exc:
        if not _retry(entry, event_id, attempt) and entry.give_up is not None:
            entry.give_up(event, exc)
        raise
    finally:
        current_event.reset(token)


def was_undone(event: Event | int, petition_id: int | None = None) -> bool:
    """Has this step been taken back (an `undo` event of its petition names it)? Read through the
    petition's events (indexed), never the whole table. `event` may be an id with its petition's id."""
    event_id, petition = (event, petition_id) if isinstance(event, int) else (event.pk, event.petition_id)
    if petition is None:
        return False
    return Event.objects.filter(petition_id=petition, action="undo", data__undid=event_id).exists()


def _retry(entry: Consumer, event_id: int, attempt: int) -> bool:
    if attempt > len(RETRY_SECONDS):
        logger.error("consumer %s gave up on event %s after %s attempts", entry.name, event_id, attempt)
        return False
    try:
        enqueue(entry.name, event_id, attempt + 1, delay=RETRY_SECONDS[attempt - 1])
    except InvalidTaskError:  # a backend that cannot defer (the immediate one, in tests): no retry
        return False
    return True
