"""Queue messages (the consumers of consumers.py, run by the worker after an action) and deliver
them (the `notify` command). Neither blocks an action; a failed delivery is retried, never lost."""

from __future__ import annotations

import datetime
import logging
import string
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from daiban.documents.layout import typed_clause, typed_sentence
from daiban.documents.notices import screening_told
from daiban.lib import crypto
from daiban.lib.identity import is_mobile
from daiban.notifications.backends import SmsError, get_backend
from daiban.notifications.models import Notification
from daiban.notifications.templates_text import IN_APP, PHONE, SMS, SMS_MAX
from daiban.org import roles
from daiban.org.models import User
from daiban.petitions.abilities import may_see_personal_data
from daiban.petitions.events import current_event, was_undone
from daiban.petitions.models import Petition

logger = logging.getLogger(__name__)
RETRY_MINUTES = (1, 5, 15, 60, 240, 720)  # then it waits for a person (state gave_up), still recorded
N = Notification


def param_text(value) -> str:
    """A message parameter as text: a date as 9月16日 (an SMS is read on a phone), None as ""."""
    if isinstance(value, datetime.date):
        return f"{value.month}月{value.day}日"
    return "" if value is None else str(value)


# What may open the text after a parameter: a value put there loses its own closing punctuation
# ("请帮助协调。" + "，办理时限" read "请帮助协调。，办理时限").
_PUNCTUATION = set("，。；：！？、（）《》“”,.;:!?()")


def fill(text: str, params: dict[str, str]) -> str:
    """`text` (a template of templates_text) with `params` put in, each value followed by punctuation
    in the template without its own closing punctuation (documents.layout.typed_clause): what users
    typed (a complaint's first words, a reason, a note) may end in 。！？ or not."""
    params = {"sign": settings.DAIBAN_SMS_SIGNATURE, **params}
    parts = list(string.Formatter().parse(text))
    out = []
    for i, (literal, field, _, _) in enumerate(parts):
        out.append(literal)
        if field is None:
            continue
        value = params[field]
        after = parts[i + 1][0] if i + 1 < len(parts) else ""
        out.append(typed_clause(value) if after[:1] in _PUNCTUATION else value)
    return "".join(out)


# Where a text too long for one SMS is cut: after the end of a clause.
_CLAUSE_ENDS = "，。；、）"


def segments(body: str) -> list[str]:
    """`body` (an SMS beginning with 【signature】) as SMS of one segment each (SMS_MAX characters):
    itself when it fits; else cut after the last clause end (_CLAUSE_ENDS) that keeps a part within
    a segment, each part beginning with the signature again (the carriers require it on every SMS).
    A clause longer than a segment (a 40-character phone field) is cut at the segment's end. Joined
    without their signatures, the parts are the body's text: nothing is lost."""
    head = f"【{settings.DAIBAN_SMS_SIGNATURE}】"
    if len(body) <= SMS_MAX:
        return [body]
    text = body.removeprefix(head)
    room = SMS_MAX - len(head)
    parts = []
    while len(text) > room:
        cut = max(text.rfind(mark, 0, room) for mark in _CLAUSE_ENDS) + 1
        cut = cut if cut > 0 else room
        parts.append(text[:cut])
        text = text[cut:]
    return [head + part for part in [*parts, text] if part]


def sms(petition: Petition, template: str, *, dedupe: str | None = None, **params) -> Notification | None:
    """An SMS to the petitioner (their number stays encrypted in the outbox), as one or more SMS of one
    segment each (segments; a further part's dedupe key is the first's with ":2", ":3"…); returns the
    first. To a fixed-line number (the intake takes them: a herder's family phone) no SMS can go: the
    message is kept whole as `landline`, never sent, and whoever works the case is told in the app
    what to say on the phone."""
    body = fill(SMS[template], {"number": petition.number, **{k: param_text(v) for k, v in params.items()}})
    phone = crypto.decrypt(petition.petitioner_phone_enc) if petition.petitioner_phone_enc else ""
    landline = bool(phone) and not is_mobile(phone)
    first = None
    for i, part in enumerate([body] if landline else segments(body)):
        key = dedupe if dedupe is None or i == 0 else f"{dedupe}:{i + 1}"
        row = _queue(N(channel=N.Channel.SMS, template=template, petition=petition, event=current_event.get(),
                       phone_enc=petition.petitioner_phone_enc, body=part, dedupe_key=key,
                       state=N.State.LANDLINE if landline else N.State.QUEUED,
                       next_attempt_at=None if landline else timezone.now()))
        if i == 0:
            if row is None:  # told already (the same event's consumer ran twice): its parts were too
                return None
            first = row
    if first is not None and landline:
        _ask_to_phone(first)
    return first


def _to_landline(row: Notification) -> None:
    """An SMS found at delivery addressed to a fixed line: kept as `landline`, never sent."""
    N.objects.filter(pk=row.pk).update(state=N.State.LANDLINE, next_attempt_at=None)
    _ask_to_phone(row)


def _ask_to_phone(row: Notification) -> None:
    """Tell the case's workers (case_workers) what an SMS kept as `landline` would have said, as a
    notice of the SMS's own step (withdraw() heads it 已撤回 when the step is undone)."""
    if row.petition is not None:
        notice(case_workers(row.petition), "sms_landline", petition=row.petition, dedupe=f"landline:{row.pk}",
               event_id=row.event_id, number=row.petition.number, body=phone_script(row))


def phone_script(row: Notification) -> str:
    """What to say on the phone for an SMS kept as `landline`: the SMS, or for a screening's outcome
    the outcome with its reason, route or reply (templates_text.PHONE, notices.screening_told)."""
    petition = row.petition
    if petition is None or row.template not in PHONE:
        return row.body
    opening = PHONE[row.template].format(number=petition.number, reply=typed_sentence(petition.reply))
    return opening + "".join(screening_told(petition, ask=False))


def case_workers(petition: Petition) -> list[User]:
    """Who is told about the petitioner's case: the agent's account; for a case no agent holds, or an
    agent whose account was closed (who left), the first of: the station's leaders, whoever registered
    it, the station's agents, the center, who may see the petitioner's number and query code."""
    agent = petition.agent if petition.agent_id else None
    if agent is not None and agent.user is not None and agent.user.is_active:
        return [agent.user]
    # A station without leaders (a township station run by one agent, the center): whoever
    # registered it, else the station's agents, else the center; never nobody. Only those who may
    # see the petitioner's number and query code (what they are asked to phone, what a receipt says).
    groups = (
        lambda: station_leaders(petition),
        lambda: [petition.created_by] if petition.created_by is not None and petition.created_by.is_active else [],
        lambda: list(User.objects.filter(is_active=True, station_id=petition.station_id, agent__isnull=False)),
        center_users,
    )
    for group in groups:
        found = [u for u in group() if may_see_personal_data(u, petition)]
        if found:
            return found
    return []


def center_users() -> list[User]:
    """The active accounts of the 旗信访代办服务中心 (the joint office's staff hold its role)."""
    return [u for u in User.objects.filter(is_active=True) if roles.CENTER in u.role_set]


def station_leaders(petition: Petition) -> list[User]:
    """The active 带班、分管、主要领导 of the petition's station."""
    return [u for u in User.objects.filter(is_active=True, station_id=petition.station_id)
            if u.role_set & roles.STATION_LEADERS]


def notice(users: Iterable[User], template: str, *, petition: Petition | None = None, dedupe: str | None = None,
           event_id: int | None = None, **params) -> int:
    """In-app notices, one per user, of the event being handled (`event_id`: another's, e.g. the
    step an SMS found at delivery belongs to), so an undo can find them."""
    body = fill(IN_APP[template], {k: param_text(v) for k, v in params.items()})
    event = current_event.get()
    rows = [N(channel=N.Channel.IN_APP, template=template, petition=petition, recipient=u, body=body, state=N.State.SENT,
              event_id=event_id if event_id is not None else (event.pk if event is not None else None),
              sent_at=timezone.now(), dedupe_key=f"{dedupe}:{u.pk}" if dedupe else None) for u in users]
    return len(N.objects.bulk_create(rows, ignore_conflicts=True))


def _queue(row: Notification) -> Notification | None:
    """Save the message unless one with its dedupe key exists (None then). Two workers may queue
    the same message at once (two events that each announce it): the unique key decides, and the
    loser returns None instead of failing its task. A message of the same key not yet sent whose
    step was taken back (`_withdraw_undone`) gives way: the step made again is told."""
    if row.dedupe_key:
        held = N.objects.filter(dedupe_key=row.dedupe_key).first()
        if held is not None and not _withdraw_undone(held):
            return None
    if not row.dedupe_key:
        row.save()
        return row
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        if N.objects.filter(dedupe_key=row.dedupe_key).exists():
            return None
        raise
    return row


# --- delivery ---------------------------------------------------------------------------------------

def _withdraw_undone(row: Notification) -> bool:
    """Cancel a message not yet sent whose step was taken back (undo); its dedupe key is freed. True
    if it was cancelled (also by someone else just now), False if it stands or has gone out."""
    if row.event_id is None or row.state not in (N.State.QUEUED, N.State.FAILED, N.State.LANDLINE):
        return False
    if not was_undone(row.event_id, row.petition_id):
        return False
    withdraw(row.event_id)
    return True


def withdraw(event_id: int) -> int:
    """Cancel the messages of one event (a step taken back) that have not gone out, freeing their
    dedupe keys. Returns how many. In-app notices are already delivered and stay, except the request
    to phone a fixed-line petitioner what an SMS would have said: marked read and headed 已撤回, so
    nobody phones a step that no longer stands."""
    cancelled = N.objects.filter(event_id=event_id, state__in=[N.State.QUEUED, N.State.FAILED, N.State.LANDLINE]).update(
        state=N.State.CANCELLED, dedupe_key=None, next_attempt_at=None, last_error="所通知的步骤已撤销")
    N.objects.filter(event_id=event_id, channel=N.Channel.IN_APP, template="sms_landline").exclude(
        body__startswith=WITHDRAWN).update(state=N.State.READ, body=Concat(Value(WITHDRAWN), F("body")))
    return cancelled


WITHDRAWN = "【已撤回，无需电话告知：所通知的步骤已撤销】"


def _claim(row_id: int, now: datetime.datetime) -> bool:
    """Take one message for sending; a second sender running at the same time gets 0 rows."""
    return N.objects.filter(
        pk=row_id, state__in=[N.State.QUEUED, N.State.FAILED], next_attempt_at__lte=now
    ).update(next_attempt_at=now + datetime.timedelta(minutes=5)) == 1


def send_due(*, limit: int = 500, dry_run: bool = False) -> dict[str, int]:
    now = timezone.now()
    due = list(
        N.objects.filter(channel=N.Channel.SMS, state__in=[N.State.QUEUED, N.State.FAILED])
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)).order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    counts = {"due": len(due), "sent": 0, "failed": 0, "cancelled": 0}
    if dry_run:
        return counts
    N.objects.filter(pk__in=due, next_attempt_at__isnull=True).update(next_attempt_at=now)
    backend = get_backend()
    for row_id in due:
        if not _claim(row_id, now):
            continue
        row = N.objects.get(pk=row_id)
        if _withdraw_undone(row):  # the step was taken back after the message was queued
            counts["cancelled"] += 1
            continue
        phone = crypto.decrypt(row.phone_enc)
        if not is_mobile(phone):  # queued before fixed lines were told apart, or put back by hand
            _to_landline(row)
            counts["cancelled"] += 1
            continue
        try:
            backend.send(phone, row.body)
        except SmsError as exc:
            _failed(row, str(exc))
            counts["failed"] += 1
        else:
            N.objects.filter(pk=row.pk).update(state=N.State.SENT, sent_at=timezone.now(), attempts=row.attempts + 1,
                                               last_error="")
            counts["sent"] += 1
    return counts


def _failed(row: Notification, error: str) -> None:
    attempts = row.attempts + 1
    gave_up = attempts > len(RETRY_MINUTES)
    wait = datetime.timedelta(minutes=RETRY_MINUTES[min(attempts, len(RETRY_MINUTES)) - 1])
    N.objects.filter(pk=row.pk).update(
        state=N.State.GAVE_UP if gave_up else N.State.FAILED, attempts=attempts, last_error=error[:300],
        next_attempt_at=None if gave_up else timezone.now() + wait,
    )
    logger.warning("SMS %s failed (attempt %s): %s", row.pk, attempts, error[:100])


# --- the staff inbox --------------------------------------------------------------------------------

def unread(user: User):
    return N.objects.filter(recipient=user, channel=N.Channel.IN_APP, state=N.State.SENT)


def mark_read(user: User, ids: list[int] | None = None) -> int:
    qs = unread(user)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(state=N.State.READ)
