"""Queue messages (inside the workflow's transaction) and deliver them (outside it, from the
`notify` command). Queuing never blocks an action; a failed delivery is retried, never lost."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from daiban.lib import crypto
from daiban.notifications.backends import SmsError, get_backend
from daiban.notifications.models import Notification
from daiban.notifications.templates_text import IN_APP, SMS
from daiban.org import roles
from daiban.org.models import User
from daiban.petitions.models import Disposition, Petition, Satisfaction

logger = logging.getLogger(__name__)
RETRY_MINUTES = (1, 5, 15, 60, 240, 720)  # then it waits for a person (state gave_up), still recorded
N = Notification


def _fmt(value) -> str:
    if isinstance(value, datetime.date):
        return f"{value.month}月{value.day}日"
    return "" if value is None else str(value)


def sms(petition: Petition, template: str, *, dedupe: str | None = None, **params) -> Notification | None:
    """An SMS to the petitioner (their number stays encrypted in the outbox)."""
    body = SMS[template].format(number=petition.number, **{k: _fmt(v) for k, v in params.items()})
    return _queue(N(channel=N.Channel.SMS, template=template, petition=petition,
                    phone_enc=petition.petitioner_phone_enc, body=body, dedupe_key=dedupe,
                    next_attempt_at=timezone.now()))


def notice(users: Iterable[User], template: str, *, petition: Petition | None = None, dedupe: str | None = None,
           **params) -> int:
    body = IN_APP[template].format(**{k: _fmt(v) for k, v in params.items()})
    rows = [N(channel=N.Channel.IN_APP, template=template, petition=petition, recipient=u, body=body, state=N.State.SENT,
              sent_at=timezone.now(), dedupe_key=f"{dedupe}:{u.pk}" if dedupe else None) for u in users]
    return len(N.objects.bulk_create(rows, ignore_conflicts=True))


def _queue(row: Notification) -> Notification | None:
    if row.dedupe_key and N.objects.filter(dedupe_key=row.dedupe_key).exists():
        return None
    row.save()
    return row


def _agent_user(petition: Petition) -> list[User]:
    return [petition.agent.user] if petition.agent_id and petition.agent.user_id else []


def _department_users(department_id: int) -> list[User]:
    return list(User.objects.filter(department_id=department_id, is_active=True))


def _center_users() -> list[User]:
    return [u for u in User.objects.filter(is_active=True) if roles.CENTER in u.role_set]


def on_intake(petition: Petition) -> None:
    sms(petition, "receipt", code=petition.query_code, forward_due=petition.national_forward_due_on)


def on_action(petition: Petition, action: str, data: dict) -> None:
    """Messages that follow a workflow action. Called by petitions.services inside the transaction."""
    if action == "screen" and petition.status == "accepted":
        agent = petition.agent
        sms(petition, "accepted", agent=agent.name, agent_phone=agent.office_phone or agent.station.phone or "—")
        notice(_agent_user(petition), "new_assignment", petition=petition, number=petition.number,
               summary=petition.content[:30])
    elif action == "route":
        for disposition in petition.dispositions.filter(department_id__in=data.get("departments", [])):
            notice(_department_users(disposition.department_id), "disposition_routed", petition=petition,
                   disposition=disposition.number, summary=petition.content[:30], due=disposition.due_on or "待定")
    elif action == "feedback":
        sms(petition, "result", review_due=petition.review_request_due_on)
    elif action == "request_review":
        review = petition.reviews.order_by("-id").first()
        notice(_center_users(), "review_requested", petition=petition, number=petition.number,
               level=review.get_level_display(), answer_due=review.answer_due_on)
    if petition.status == "terminated" and action in ("terminate", "decide_review"):
        sms(petition, "follow_up", dedupe=f"follow_up_sms:{petition.pk}", follow_up_due=petition.follow_up_due_on)


def on_disposition_action(disposition: Disposition, action: str) -> None:
    template = {"receive": "disposition_received", "result": "disposition_answered"}.get(action)
    if template:
        notice(_agent_user(disposition.petition), template, petition=disposition.petition,
               department=disposition.department.name, disposition=disposition.number)


def on_public_rating(petition: Petition) -> None:
    notice(_agent_user(petition), "petitioner_rated", petition=petition, number=petition.number,
           satisfaction=Satisfaction(petition.satisfaction).label)


# --- delivery ---------------------------------------------------------------------------------------

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
    counts = {"due": len(due), "sent": 0, "failed": 0}
    if dry_run:
        return counts
    N.objects.filter(pk__in=due, next_attempt_at__isnull=True).update(next_attempt_at=now)
    backend = get_backend()
    for row_id in due:
        if not _claim(row_id, now):
            continue
        row = N.objects.get(pk=row_id)
        try:
            backend.send(crypto.decrypt(row.phone_enc), row.body)
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
