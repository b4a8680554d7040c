"""Every deadline follows the calendar: the registry of kept deadlines and their recomputation.

A deadline is kept as a date on a row, computed from a base date by a rule (n working days after,
or n calendar days after moved off a rest day, 《民法典》201, 203). When calendar days change (the
administrator edits a day, a State Council notice is imported for a year) every live deadline that
depended on a changed day is computed again, and the change is recorded on its petition (one
`deadline_recomputed` event per petition, system actor, each changed limit with old → new). The end
the petitioner holds (the end of their window to ask for review, the follow-up date, a date an SMS
named) is told to them again (`Limit.told`: the event is handed to notifications.consumers.window_moved,
one SMS with the new dates).

`LIMITS` is the registry: one line per kept deadline (which row and field, from which base date, by
which rule, while which rows are live). Adding a deadline to the registry is all it takes for the
calendar to move it.

A deadline that has already passed (before today) is history and stays as it was: the 处置单 was
late or the window closed by the calendar of its day, the month's 超期 it counted in is closed, the
department and petitioner were judged by it. A correction of a past day moves only what still runs.

Set-based: per limit one query reads the candidate rows (live, base before the last changed day,
deadline on or after the first and not yet passed: only those can depend on a changed day and still run); the calendar is read once
for all of them (`engine.preloaded`); changed rows are written with one UPDATE per new date, the
events with one bulk insert.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection, models, transaction
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.dispatch import Signal
from django.utils import timezone

from daiban.lib.dates import today
from daiban.petitions import deadlines
from daiban.petitions.choices import Status
from daiban.petitions.models import (
    SYSTEM_ACTOR,
    Disposition,
    Event,
    ExtensionRequest,
    Petition,
    Review,
    bounded_note,
)
from daiban.petitions.workflow import OPEN, RUNNING
from daiban.workdays.engine import Deadline, add_workdays, calendar_changing, preloaded

Row = Mapping[str, Any]
Rule = Callable[[datetime.date, Row], "datetime.date | Deadline"]
Base = str | models.Expression | Subquery


@dataclass(frozen=True)
class Limit:
    """One kept deadline.

    model/field: where it is kept. base: the date the period counts from (a field of the row or an
    expression on it). rule(base, row) → the deadline (a date, or a Deadline carrying the
    provisional flag); `needs` names the other columns the rule reads from `row`. live: the rows
    whose deadline still runs (others keep their history). label: its name in the recorded note
    (may use `{column}` of `shows`). petition: the path from the row to its petition's id.
    provisional: the row's "falls in an unconfirmed year" field, when it keeps one.
    """

    model: type[models.Model]
    field: str
    base: Base
    rule: Rule
    live: Q
    label: str
    needs: tuple[str, ...] = ()
    petition: str = "id"
    provisional: str | None = None
    shows: tuple[str, ...] = ()  # columns the label shows (not read by the rule)
    # Which rows hold a date the petitioner was told (an SMS or the receipt named it): their changes
    # go in the event's data["told"] and the event is handed to its consumers (an SMS with the new
    # date). A predicate on the candidate row (its "_status" and `needs`); None: never told.
    told: Callable[[Row], bool] | None = None
    # Further columns of the candidate row, computed (name, expression): what `told` reads beyond
    # the row's own fields (a 处置单's approved extension, told by SMS).
    marks: tuple[tuple[str, Any], ...] = ()


class statutory:  # noqa: N801  (reads as a rule in the registry)
    """n calendar days after the base, a last day on a rest day moved to the next working day.
    `reach`: a changed day before base + n cannot move such a deadline (the candidates' filter)."""

    def __init__(self, days: int) -> None:
        self.reach = days

    def __call__(self, base: datetime.date, row: Row) -> datetime.date:
        return deadlines.statutory(base, self.reach)


class _NationalHandling(statutory):
    """60 days from acceptance plus the extension granted (`extend`)."""

    def __call__(self, base: datetime.date, row: Row) -> datetime.date:
        return deadlines.statutory(base, self.reach + row["national_extension_days"])


def _workdays(base: datetime.date, row: Row) -> Deadline:
    return add_workdays(base, row["due_workdays"])


# The written reply the review window counts from: the feedback, or the latest review decision.
_REVIEW_WINDOW_START = Greatest(
    Coalesce(F("feedback_on"), F("received_on")),
    Coalesce(Subquery(Review.objects.filter(petition=OuterRef("pk"), decided_on__isnull=False)
                      .order_by("-decided_on", "-id").values("decided_on")[:1]), F("received_on")),
)

# The regulation's handling period counts from acceptance (or receipt), or from the latest decision
# that found a review request right (deadlines.handling_start, the same rule in Python).
_ACCEPTED = Coalesce(F("accepted_on"), F("received_on"))
HANDLING_START = Greatest(
    _ACCEPTED,
    Coalesce(Subquery(Review.objects.filter(petition=OuterRef("pk"), upheld=True, decided_on__isnull=False)
                      .order_by("-decided_on", "-id").values("decided_on")[:1]), _ACCEPTED),
)

# The pending request the petition's own answer date (review_answer_due_on) counts from.
_PENDING_REQUEST = Subquery(Review.objects.filter(petition=OuterRef("pk"), decided_on__isnull=True)
                            .order_by("-id").values("requested_on")[:1])

S = Status
OPEN_DISPOSITION = Q(status__in=[Disposition.State.ROUTED, Disposition.State.RECEIVED])

LIMITS: tuple[Limit, ...] = (
    # The bureau's limits, working days from due_from (a fixed date set by a decision has no count).
    Limit(Petition, "due_on", "due_from", _workdays, Q(status__in=RUNNING, due_workdays__isnull=False),
          "办结时限", needs=("due_workdays",), provisional="due_provisional"),
    # An approved extension that carried the matter's date was told to the petitioner
    # (workflow_consumers.extension_decided): while the 处置单 still carries it, its moves are told.
    Limit(Disposition, "due_on", "due_from", _workdays, OPEN_DISPOSITION & Q(due_workdays__isnull=False),
          "处置单 {number} 办理时限", needs=("due_workdays",), petition="petition_id",
          provisional="due_provisional", shows=("number", "department_id"),
          marks=(("_extended", Exists(ExtensionRequest.objects.filter(disposition=OuterRef("pk"), approved=True,
                                                                      told=True))),
                 ("_carries", ExpressionWrapper(Q(due_on=F("petition__due_on")), output_field=models.BooleanField()))),
          told=lambda row: bool(row["_extended"] and row["_carries"])),
    # 《信访工作条例》, calendar days.
    # The receipt SMS told the date by which the petitioner hears how it will be handled: while it
    # is not yet screened, that is a date they hold.
    Limit(Petition, "national_forward_due_on", "received_on", statutory(deadlines.NATIONAL_FORWARD_DAYS),
          Q(status__in=OPEN), "登记转送时限（条例）", told=lambda row: row["_status"] == S.RECEIVED),
    # Told by the extension's SMS (延期办理告知) once the regulation's extension was granted.
    Limit(Petition, "national_due_on", HANDLING_START, _NationalHandling(deadlines.NATIONAL_HANDLING_DAYS),
          Q(status__in=OPEN), "办理时限（条例）", needs=("national_extension_days",),
          told=lambda row: bool(row["national_extension_days"])),
    Limit(Petition, "review_request_due_on", _REVIEW_WINDOW_START, statutory(deadlines.REVIEW_REQUEST_DAYS),
          Q(status=S.FEEDBACK_GIVEN), "申请复查/复核截止", told=lambda row: True),
    Limit(Review, "answer_due_on", "requested_on", statutory(deadlines.REVIEW_ANSWER_DAYS),
          Q(decided_on__isnull=True), "复查/复核答复时限", petition="petition_id"),
    # The portal's answer to the request named it (the Review's answer_due_on is the same date: told once).
    Limit(Petition, "review_answer_due_on", _PENDING_REQUEST, statutory(deadlines.REVIEW_ANSWER_DAYS),
          Q(status=S.UNDER_REVIEW), "复查/复核决定期限", told=lambda row: True),
    # 实施方案 七(四): the follow-up visit within 15 days of termination, told by the 终结 SMS.
    Limit(Petition, "follow_up_due_on", "terminated_on", statutory(deadlines.FOLLOW_UP_DAYS),
          Q(status=S.TERMINATED), "回访时限", told=lambda row: True),
)


@dataclass
class _Change:
    limit: Limit
    pk: int
    petition_id: int
    old: datetime.date
    new: datetime.date
    provisional: bool | None
    row: Row


def recompute_after_calendar_change(changed: Iterable[datetime.date], *, reason: str = "工作日历调整",
                                    limits: Iterable[Limit] = LIMITS) -> int:
    """Recompute every live deadline that depended on one of the `changed` days; record each
    petition's changes (one event, system actor, "label old → new" per limit). Returns the number
    of petitions whose deadlines moved. Runs in the caller's transaction (services.calendar_change)
    or its own; the candidate rows are locked so that a concurrent action cannot save a stale date.
    """
    days = sorted(set(changed))
    if not days:
        return 0
    first, last = days[0], days[-1]
    with transaction.atomic():
        calendar_changing()  # actions already reading the calendar commit first; their rows are seen
        candidates = [(limit, _candidates(limit, first, last)) for limit in limits]
        rows = [row for _, found in candidates for row in found]
        if not rows:
            return 0
        lo = min(row["_base"] for row in rows)
        hi = max(row["_due"] for row in rows) + datetime.timedelta(days=400)
        changes: list[_Change] = []
        with preloaded(lo, hi):
            for limit, found in candidates:
                changes += _moved(limit, found)
        _write(changes)
        moved = _moved_dispositions(changes)
        if moved:  # the departments hear of their new dates once this commits (notifications listens)
            # robust: a failure to hand it on must not turn a committed calendar change into an error
            transaction.on_commit(lambda: dispositions_moved.send(sender=Disposition, moved=moved, reason=reason),
                                  robust=True)
        return _record(changes, reason, days)


# Sent after a recomputation commits that moved open 处置单: moved = {department id: [处置单 number, …]}.
# The department was told its date at the routing; notifications tells it once, in the worker.
dispositions_moved = Signal()


def _moved_dispositions(changes: list[_Change]) -> dict[int, list[str]]:
    moved: dict[int, list[str]] = defaultdict(list)
    for c in changes:
        if c.limit.model is Disposition and c.new != c.old:
            moved[c.row["department_id"]].append(c.row["number"])
    return dict(moved)


def after_seeding(sender: object, *, dates: list[datetime.date], reason: str, **kwargs: Any) -> None:
    """`workdays.seed.days_changed`: the library's refresh of a year changed some days."""
    recompute_after_calendar_change(dates, reason=reason)


def _candidates(limit: Limit, first: datetime.date, last: datetime.date) -> list[dict[str, Any]]:
    base = F(limit.base) if isinstance(limit.base, str) else limit.base
    columns = ["pk", "_base", "_due", "_petition", "_status", *limit.needs, *limit.shows, *(n for n, _ in limit.marks)]
    columns += [limit.provisional] if limit.provisional else []
    status = "status" if limit.model is Petition else f"{limit.petition.removesuffix('_id')}__status"
    # Locked (PostgreSQL; on SQLite the writer's lock covers the transaction) so that an action
    # running meanwhile saves its petition after this commit, with the new dates; in id order, as
    # every writer locking several rows does (corrections), so two of them never wait on each other.
    return list(limit.model._default_manager.select_for_update().filter(limit.live).order_by("pk")
                .annotate(_base=base, _due=F(limit.field), _petition=F(limit.petition), _status=F(status),
                          **dict(limit.marks))
                .filter(_base__lt=last - datetime.timedelta(days=max(0, getattr(limit.rule, "reach", 1) - 1)),
                        _due__gte=max(first, today())).values(*columns))


def _moved(limit: Limit, rows: list[dict[str, Any]]) -> list[_Change]:
    out = []
    memo: dict[tuple, datetime.date | Deadline] = {}  # rows share base dates: each computed once
    for row in rows:
        if row["_base"] is None:
            continue
        key = (row["_base"], *(row[n] for n in limit.needs))
        computed = memo.get(key)
        if computed is None:
            computed = memo[key] = limit.rule(row["_base"], row)
        new, provisional = (computed.date, computed.provisional) if isinstance(computed, Deadline) else (computed, None)
        if new != row["_due"] or (limit.provisional and provisional is not None and provisional != row[limit.provisional]):
            out.append(_Change(limit, row["pk"], row["_petition"], row["_due"], new, provisional, row))
    return out


def _write(changes: list[_Change]) -> None:
    """One UPDATE per (limit, new date, provisional flag), in chunks of ids."""
    groups: dict[tuple[int, datetime.date, bool | None], list[int]] = defaultdict(list)
    limits = {id(c.limit): c.limit for c in changes}
    for c in changes:
        groups[(id(c.limit), c.new, c.provisional)].append(c.pk)
    for (key, new, provisional), pks in groups.items():
        limit = limits[key]
        values: dict[str, Any] = {limit.field: new}
        if limit.provisional and provisional is not None:
            values[limit.provisional] = provisional
        for i in range(0, len(pks), 500):
            limit.model._default_manager.filter(pk__in=pks[i:i + 500]).update(**values)


def _record(changes: list[_Change], reason: str, days: list[datetime.date]) -> int:
    moved: dict[int, list[_Change]] = defaultdict(list)
    for c in changes:
        if c.new != c.old:
            moved[c.petition_id].append(c)
    if not moved:
        return 0
    ids = sorted(moved)
    on, shown = today(), "、".join(f"{d:%Y-%m-%d}" for d in days[:5]) + ("等" if len(days) > 5 else "")
    entries = []  # (petition id, status, note, data)
    for pid in ids:
        parts = [f"{c.limit.label.format(**c.row)} {c.old:%Y-%m-%d} → {c.new:%Y-%m-%d}" for c in moved[pid]]
        data: dict[str, Any] = {
            "days": [d.isoformat() for d in days[:50]],
            "changes": [{"field": c.limit.field, "model": c.limit.model._meta.model_name, "id": c.pk,
                         "old": c.old.isoformat(), "new": c.new.isoformat()} for c in moved[pid]]}
        told = [change for c, change in zip(moved[pid], data["changes"], strict=True)
                if c.limit.told is not None and c.limit.told(c.row)]
        if told:
            data["told"] = told
        entries.append((pid, moved[pid][0].row["_status"], f"{reason}（{shown}）：{'；'.join(parts)}", data))
    _insert(entries, on)
    return len(entries)


def _insert(entries: list[tuple[int, str, str, dict]], on: datetime.date) -> None:
    """Append the events (system actor, on `on`). When an app projects them, and those that moved a
    date the petitioner was told (data["told"]), they go through the ORM (ids, hand-off to the
    consumers); the others in one prepared INSERT (building model instances is most of the cost of a
    large recomputation, and nothing needs them)."""
    from daiban.petitions import events as bus

    action = "deadline_recomputed"
    # Consumers get only the events that moved a date the petitioner was told (Limit.told): the
    # rest concern staff, and a calendar change moving 100,000 deadlines must not queue a job each.
    through_orm = entries if bus.PROJECTIONS.get(action) else [e for e in entries if e[3].get("told")]
    if through_orm:
        events = Event.objects.bulk_create([
            Event(petition_id=pid, on=on, actor_name=SYSTEM_ACTOR, action=action, from_status=status,
                  to_status=status, note=note, data=data) for pid, status, note, data in through_orm], batch_size=500)
        for event in events:
            for project in bus.PROJECTIONS.get(action, ()):
                project(event)
            bus.hand_off(event)
        if len(through_orm) == len(entries):
            return
        entries = [e for e in entries if not e[3].get("told")]
    columns = ["petition_id", "at", "on", "actor_name", "action", "from_status", "to_status", "note", "data"]
    q = connection.ops.quote_name
    sql = (f"INSERT INTO {q(Event._meta.db_table)} ({', '.join(q(c) for c in columns)}) "  # noqa: S608 (model names)
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    ops, field = connection.ops, cast(models.Field, Event._meta.get_field("data"))
    at, day = ops.adapt_datetimefield_value(timezone.now()), ops.adapt_datefield_value(on)
    rows = [(pid, at, day, SYSTEM_ACTOR, action, status, status, bounded_note(note),
             field.get_db_prep_value(data, connection))
            for pid, status, note, data in entries]
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[i:i + 2000])
