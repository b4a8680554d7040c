"""The daily reminder sweep: urge 处置单 due within 3 working days or overdue (recorded on the
处置单, once a day), remind agents of follow-up visits, warn the administrator in November and
December when next year's calendar is not confirmed, then deliver queued SMS.

Working days only: a run on a rest day (by the calendar table) urges and reminds nothing and claims
nothing, so cron can run it every day; at most one automatic urging per 处置单 per working day.
Its events are the system's: they never move the petition's last event date (`last_event_on`,
the floor for back-dated paper work, which only people's entries raise).

Every step is a few set-based queries. The day is claimed by inserting its SweepRun row in the
same transaction as the work, so a second run (or a parallel one) that day changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef

from daiban.notifications.models import Notification, SweepRun
from daiban.notifications.services import IN_APP
from daiban.org import roles
from daiban.org.models import User
from daiban.petitions.models import SYSTEM_ACTOR, Disposition, Event, Petition, Status, Urging
from daiban.petitions.selectors import DISPOSITION_LIMIT
from daiban.workdays.engine import add_workdays, is_workday, unconfirmed_years, workdays_between

N = Notification


@dataclass
class SweepReport:
    day: datetime.date
    already_ran: bool = False
    rest_day: bool = False  # the day is not a working day: nothing was swept
    due_soon: int = 0
    overdue: int = 0
    follow_ups: int = 0
    calendar_warning: int | None = None
    sms: dict = field(default_factory=dict)


def _notice_rows(items: list[tuple[int, int, str, dict]], template: str, day: datetime.date) -> list[Notification]:
    """items: (recipient user id, petition id, dedupe id, params). A reminder for a deactivated account
    (an agent who left) goes to the leaders of the petition's station instead, who reassign the case
    (consumers._agent_user does the same for the notices of steps)."""
    wanted = {i[0] for i in items if i[0]}
    active = set(User.objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    orphaned = {petition_id for user_id, petition_id, _, _ in items if user_id and user_id not in active}
    leaders = _station_leaders_of(orphaned) if orphaned else {}
    return [
        N(channel=N.Channel.IN_APP, template=template, recipient_id=recipient, petition_id=petition_id,
          body=IN_APP[template].format(**params), state=N.State.SENT, dedupe_key=f"{template}:{key}:{day}:{recipient}")
        for user_id, petition_id, key, params in items if user_id
        for recipient in ([user_id] if user_id in active else leaders.get(petition_id, []))
    ]


def _station_leaders_of(petition_ids: set[int]) -> dict[int, list[int]]:
    """petition id → the active leaders (带班、分管、主要领导) of its station."""
    stations = dict(Petition.objects.filter(pk__in=petition_ids).values_list("pk", "station_id"))
    by_station: dict[int, list[int]] = {}
    for user in User.objects.filter(is_active=True, station_id__in=set(stations.values())):
        if user.role_set & roles.STATION_LEADERS and user.station_id is not None:
            by_station.setdefault(user.station_id, []).append(user.pk)
    return {pid: by_station.get(station, []) for pid, station in stations.items()}


def _urging_note(due_on: datetime.date, day: datetime.date) -> str:
    """What the 处置单's 进度催办 row says: 系统自动催办（已超期3个工作日） or （将于10月9日到期）.
    Computed once per due date, not per 处置单."""
    if due_on < day:
        late = workdays_between(due_on, day)
        return f"系统自动催办（已超期{late}个工作日）" if late > 0 else "系统自动催办（已超期）"
    return f"系统自动催办（将于{due_on.month}月{due_on.day}日到期）"


def _urge(day: datetime.date, report: SweepReport, dry_run: bool) -> None:
    soon = add_workdays(day, 3).date
    # A 处置单 already urged automatically that day is left out (a replayed day, a second sweep).
    urged = Urging.objects.filter(disposition=OuterRef("pk"), on=day, automatic=True)
    # A 处置单 whose date is 待定 (a solution not yet determined) is urged against the matter's
    # regulation limit (stats.queries.DISPOSITION_LIMIT), not never.
    due = list(
        Disposition.objects.filter(status__in=["routed", "received"]).alias(limit=DISPOSITION_LIMIT)
        .filter(limit__lte=soon).exclude(Exists(urged))
        .annotate(limit_on=DISPOSITION_LIMIT)
        .values_list("id", "petition_id", "limit_on", "number", "department__name", "petition__agent__user_id",
                     "department_id")
    )
    report.overdue = sum(1 for row in due if row[2] < day)
    report.due_soon = len(due) - report.overdue
    if dry_run or not due:
        return
    notes = {due_on: _urging_note(due_on, day) for due_on in {row[2] for row in due}}
    Urging.objects.bulk_create(
        [Urging(disposition_id=d, on=day, automatic=True, note=notes[due_on]) for d, _, due_on, *_ in due],
        batch_size=2000)
    Event.objects.bulk_create(
        [Event(petition_id=p, on=day, actor=None, actor_name=SYSTEM_ACTOR, action="urge", note=(
            f"系统自动催办 {name}：处置单 {number} {'已超期' if due_on < day else '将于' + f'{due_on:%m月%d日}' + '到期'}"),
            data={"disposition_id": d, "automatic": True}) for d, p, due_on, number, name, *_ in due], batch_size=2000)
    # The version moves (a page opened before is stale); last_event_on does not (system events).
    petition_ids = {p for _, p, *_ in due}
    Petition.objects.filter(pk__in=petition_ids).update(version=F("version") + 1)
    notices = _notice_rows(
        [(agent, p, d, {"disposition": number, "department": name, "due": f"{due_on:%m月%d日}"})
         for d, p, due_on, number, name, agent, _ in due if due_on < day], "overdue", day)
    notices += _notice_rows(
        [(agent, p, d, {"disposition": number, "department": name, "due": f"{due_on:%m月%d日}"})
         for d, p, due_on, number, name, agent, _ in due if due_on >= day], "due_soon", day)
    # The urging reaches the department's handlers too (实施方案 七(二): 督促相关事权部门…及时催办).
    handlers = _department_users({department for *_, department in due})
    notices += _notice_rows(
        [(user, p, d, {"disposition": number, "note": notes[due_on], "due": f"{due_on:%m月%d日}"})
         for d, p, due_on, number, _, _, department in due for user in handlers.get(department, ())],
        "disposition_urged", day)
    N.objects.bulk_create(notices, batch_size=2000, ignore_conflicts=True)


def _department_users(departments: set[int]) -> dict[int, list[int]]:
    """{department id: its active users' ids}, one query."""
    found: dict[int, list[int]] = {}
    for user_id, department_id in User.objects.filter(department_id__in=departments, is_active=True).values_list(
            "id", "department_id"):
        found.setdefault(department_id, []).append(user_id)
    return found


def _follow_ups(day: datetime.date, report: SweepReport, dry_run: bool) -> None:
    rows = list(
        # Within 3 working days, not calendar days: the sweep does not run on rest days, so a visit
        # due just after a holiday is reminded of on the working day before it.
        Petition.objects.filter(status=Status.TERMINATED, follow_up_due_on__lte=add_workdays(day, 3).date)
        .values_list("id", "number", "follow_up_due_on", "agent__user_id")
    )
    report.follow_ups = len(rows)
    if not dry_run:
        # Past its day the reminder says it is late, not "应于…前" a day already gone.
        for template, late in (("follow_up_due", False), ("follow_up_overdue", True)):
            N.objects.bulk_create(_notice_rows(
                [(agent, pid, pid, {"number": number, "follow_up_due": f"{due:%m月%d日}"})
                 for pid, number, due, agent in rows if (due < day) == late], template, day), ignore_conflicts=True)


def _calendar_warning(day: datetime.date, report: SweepReport, dry_run: bool) -> None:
    if day.month < 11 or not unconfirmed_years({day.year + 1}):
        return
    admins = [u.pk for u in User.objects.filter(is_active=True) if roles.ADMIN in u.role_set]
    report.calendar_warning = day.year + 1
    if not dry_run:
        N.objects.bulk_create(_notice_rows([(a, None, "calendar", {"year": day.year + 1}) for a in admins],
                                           "calendar_unconfirmed", day), ignore_conflicts=True)


def run_sweep(*, day: datetime.date, dry_run: bool = False, send: bool = True) -> SweepReport:
    """Sweep `day`: on a working day not yet swept, urge, remind and warn (one transaction, the
    day claimed by its SweepRun row); on a rest day nothing (`report.rest_day`). Then, unless
    `send` is False, deliver queued SMS (a delivery, not a reminder: receipts go out any day)."""
    from daiban.notifications.services import send_due

    report = SweepReport(day)
    if not is_workday(day):
        report.rest_day = True
    elif SweepRun.objects.filter(day=day).exists():
        report.already_ran = True
        if not dry_run:
            _calendar_warning(day, report, dry_run=True)
    else:
        try:
            with transaction.atomic():
                if not dry_run:
                    SweepRun.objects.create(day=day)  # claims the day; a parallel run fails here and stops
                _urge(day, report, dry_run)
                _follow_ups(day, report, dry_run)
                _calendar_warning(day, report, dry_run)
                if not dry_run:
                    SweepRun.objects.filter(day=day).update(urged=report.due_soon + report.overdue,
                                                            reminded=report.follow_ups)
        except IntegrityError:
            report.already_ran = True
    if send:
        report.sms = send_due(dry_run=dry_run)
    return report
