"""Reads for the staff pages: the workbench cards, the leaders' and departments' queues."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from daiban.lib import crypto
from daiban.lib.dates import today
from daiban.lib.identity import mask_phone
from daiban.lib.logmask import mask
from daiban.notifications.models import Notification
from daiban.org.models import User
from daiban.petitions import counting
from daiban.petitions.abilities import may
from daiban.petitions.models import Disposition, Petition, Review, Status
from daiban.petitions.permissions import (
    case_actor_q,
    sees_everything,
    station_scope,
    user_agent,
    visible_dispositions,
    visible_petitions,
)
from daiban.petitions.selectors import (
    DISPOSITION_LIMIT,
    PETITION_LIMIT,
    limit_between_q,
    limit_of,
    overdue_q,
    rerouting_q,
)
from daiban.petitions.workflow import OPEN, RUNNING
from daiban.staff import due
from daiban.workdays.engine import add_workdays

CARD_ITEMS = 5


@dataclass
class Card:
    key: str
    title: str
    link: str
    count: int
    items: list
    tone: str = "primary"
    # Each card shows its own date, labelled: the item attribute it is read from and its label.
    date_of: str = "due_on"
    date_label: str = "办结时限"


def due_soon_until(on: datetime.date | None = None) -> datetime.date:
    """The last day of "due within 3 working days"."""
    return add_workdays(on or today(), 3).date


def _card(key: str, title: str, link: str, qs: QuerySet[Petition], tone: str = "primary", *,
          date_of: str = "due_on", date_label: str = "办结时限") -> Card:
    # The badge is counted no further than counting.COUNT_CAP ("1000+"): an exact count grows with the
    # table. The items are ids here: _rows() reads the petitions of every card in one query.
    ids = list(qs.values_list("id", flat=True)[:CARD_ITEMS])
    return Card(key, title, link, capped_count(qs), ids, tone, date_of, date_label)


def _open_review_due() -> Subquery:
    """The answer date of a petition's undecided 复查/复核 (its latest request)."""
    return Subquery(Review.objects.filter(petition_id=OuterRef("pk"), decided_on__isnull=True)
                    .order_by("-id").values("answer_due_on")[:1])


CALENDAR_DAY_LIMITS = frozenset({"follow_up_due_on", "review_answer_due_on"})


def _mark_dates(cards: list[Card]) -> None:
    """Put each item's own date (card.date_of) on it as `card_date` and its working days left as
    `due_left`, with one calendar query for the whole workbench."""
    reviews = next((c for c in cards if c.date_of == "review_answer_due_on"), None)
    if reviews is not None and reviews.items:
        answer = dict(Review.objects.filter(petition_id__in=[p.pk for p in reviews.items], decided_on__isnull=True)
                      .order_by("id").values_list("petition_id", "answer_due_on"))
        for p in reviews.items:
            p.review_answer_due_on = answer.get(p.pk)
    items: list[tuple[Card, Any]] = [(card, item) for card in cards for item in card.items]
    counted: list[tuple[Card, Any]] = []
    regulation: set[int] = set()
    for card, item in items:
        item.card_date, item.card_label = getattr(item, card.date_of, None), card.date_label
        regulation_limit = (item.national_due_on if isinstance(item, Petition) and item.status in RUNNING
                            else item.petition.national_due_on if isinstance(item, Disposition) else None)
        if card.date_of == "due_on" and item.due_on is None and regulation_limit is not None:
            # 待定 (a solution not yet determined): judged against the regulation's limit, in days.
            setattr(item, "card_date", regulation_limit)  # noqa: B010 (the card's own attributes)
            setattr(item, "card_label", "条例办理期限")  # noqa: B010
            regulation.add(id(item))
        if card.date_of == "due_on" and isinstance(item, Petition) and item.status not in RUNNING:
            # Not being handled (concluded, fed back, under review, not yet routed): its 办结时限 is
            # no longer, or not yet, running, so no 剩余/超期 badge; a concluded one shows when.
            if item.concluded_on:
                setattr(item, "card_date", item.concluded_on)  # noqa: B010 (the card's own attributes)
                setattr(item, "card_label", "办结日期")  # noqa: B010
            continue
        counted.append((card, item))
    # The follow-up visit (15 日) and a review's answer (30 日) are limits in calendar days.
    in_days = {id(item) for card, item in counted if card.date_of in CALENDAR_DAY_LIMITS} | regulation
    due.mark([item for _, item in counted], today(), date_of="card_date", calendar=lambda item: id(item) in in_days)


def _rows(cards: list[Card]) -> list[Card]:
    """Replace the petition cards' ids by their petitions, read in one query (the card shows the
    number, the name as registered, the content and the deadline: no joins)."""
    wanted = {i for card in cards for i in card.items if isinstance(i, int)}
    rows = {p.pk: p for p in Petition.objects.filter(pk__in=wanted)} if wanted else {}
    for card in cards:
        if card.items and isinstance(card.items[0], int):
            card.items = [rows[i] for i in card.items if i in rows]
    return cards


def _petitions(qs: QuerySet[Petition]) -> QuerySet[Petition]:
    return qs.order_by("due_on", "-id")


def workbench(user: User) -> list[Card]:
    cards: list[Card] = []
    visible = visible_petitions(user)
    works_cases = may(user, "work_cases")
    agent = user_agent(user)
    if works_cases:
        cards.append(_card("to_screen", "待甄别受理", "?status=received",
                           _petitions(visible.filter(status=Status.RECEIVED)).order_by("received_on", "id"),
                           date_of="national_forward_due_on", date_label="登记转送时限"))
    if agent:
        cards.append(_card("mine", "我代办的在办事项", f"?agent={agent.pk}&status={','.join(sorted(OPEN))}",
                           _petitions(visible.filter(agent=agent, status__in=OPEN))))
    if works_cases:
        soon = due_soon_until()
        # A 待定 matter (no 办结时限 until its solution is determined) is due soon by its regulation
        # limit, as the sweep urges it and the overdue card counts it (limit_between_q, overdue_q).
        cards.append(_card("due_soon", "3个工作日内到期", f"?due_to={soon:%Y-%m-%d}",
                           visible.filter(limit_between_q(today(), soon)).alias(limit_on=PETITION_LIMIT)
                           .order_by("limit_on", "-id"), "warning"))
        cards.append(_card("overdue", "已超期", "?overdue=true", _petitions(visible.filter(overdue_q())), "danger"))
        # A department returned its 处置单 (退回): the matter waits for the agent to route it again.
        cards.append(_card("rerouting", "处置单被退回，待重新流转", "?rerouting=on",
                           _petitions(visible.filter(rerouting_q())), "warning"))
    if may(user, "sign_opinions"):
        waiting = awaiting_opinion(user)
        cards.append(Card("opinions", "待我签署意见的处置单", "opinions", capped_count(waiting),
                          with_petitions(waiting, CARD_ITEMS), date_label="办理时限"))
    if may(user, "department_queue"):
        cards.append(Card("dispositions", "待签收、待办理的处置单", "dispositions",
                          *_count_items(department_queue(user)), date_label="办理时限"))
    if may(user, "take_escalations"):
        # 上报: escalated to the center or the joint office, until the center answers (issue 12).
        cards.append(_card("escalations", "上报事项（待签收、待处理）", "?status=escalated",
                           _petitions(visible.filter(status=Status.ESCALATED)), "warning"))
    if may(user, "decide_reviews"):
        cards.append(_card("reviews", "待决定的复查复核", "?status=under_review",
                           visible.filter(status=Status.UNDER_REVIEW).annotate(answer_due=_open_review_due())
                           .order_by("answer_due", "id"),
                           date_of="review_answer_due_on", date_label="答复时限"))
    # 终结回访 is the case's own (workflow.CASE: its agent, the center): a station's leaders, or another
    # agent of the station, are not offered it, so their workbench does not list it as theirs to do.
    if works_cases and (agent or sees_everything(user)):
        cards.append(_card("follow_ups", "待回访", "?status=terminated" + (f"&agent={agent.pk}" if agent else ""),
                           visible.filter(case_actor_q(user), status=Status.TERMINATED)
                           .order_by("follow_up_due_on", "id"),
                           date_of="follow_up_due_on", date_label="回访时限"))
    cards = _rows(cards)
    _mark_dates(cards)
    return cards


def _count_items(qs: QuerySet) -> tuple[int, list]:
    return capped_count(qs), list(qs[:CARD_ITEMS])


def department_done(user: User, limit: int) -> list[Disposition]:
    """The department's 处置单 it has finished with, latest first: answered (办结) or returned (退回,
    with its reason): a returned one stays in the department's own history (DOMAIN.md: history
    kept), it only leaves the queue of work still owed."""
    return list(
        visible_dispositions(user).filter(department_id=user.department_id or 0, status__in=["answered", "returned"])
        .select_related("petition").alias(done_on=Coalesce(F("result_on"), F("returned_on")))
        .order_by(F("done_on").desc(nulls_last=True), "-id")[:limit])


def returned_by_own_department(user: User, petitions: Sequence[Petition]) -> set[int]:
    """Of these petitions, those whose every 处置单 of the user's department was returned (退回): the
    department's list says so, beside the matter's own status (which runs on at the agent's)."""
    if not user.department_id or not may(user, "department_queue") or not petitions:
        return set()
    states: dict[int, set[str]] = {}
    for pid, state in Disposition.objects.filter(department_id=user.department_id,
                                                  petition_id__in=[p.pk for p in petitions]).values_list(
            "petition_id", "status"):
        states.setdefault(pid, set()).add(state)
    return {pid for pid, found in states.items() if found == {Disposition.State.RETURNED}}


def department_queue(user: User) -> QuerySet[Disposition]:
    """The department's open 处置单, the most urgent first: by their date, or for one 待定 (a solution
    not yet determined) by its matter's regulation limit, which the sweep urges it against."""
    return (
        visible_dispositions(user).filter(department_id=user.department_id or 0, status__in=["routed", "received"])
        .select_related("petition", "department").alias(limit_on=DISPOSITION_LIMIT)
        .order_by(F("limit_on").asc(nulls_last=True), "id")
    )


def mark_petition_limits(rows: Sequence[Petition], on: datetime.date) -> None:
    """due.mark for running petitions: working days left to their 办结时限, or calendar days to the
    regulation's limit while none is fixed (待定); `limit_on` set on each (the list's 办结时限 column)."""
    for p in rows:
        p.limit_on = limit_of(p)  # type: ignore[attr-defined]
    due.mark(rows, on, date_of="limit_on", calendar=lambda p: getattr(p, "due_on", None) is None)


def mark_limits(rows: Sequence[Disposition], on: datetime.date) -> None:
    """due.mark for 处置单 rows (their petition loaded): working days left to their own date, or
    calendar days to the matter's regulation limit while their date is 待定."""
    for d in rows:
        d.limit_on = d.due_on or d.petition.national_due_on  # type: ignore[attr-defined]
    due.mark(rows, on, date_of="limit_on", calendar=lambda d: getattr(d, "due_on", None) is None)


def awaiting_opinion(user: User) -> QuerySet[Disposition]:
    """处置单 of running petitions at the leader's stations whose row for this leader is empty."""
    empty = Q(pk__in=[])
    if may(user, "sign_leader_opinions"):
        empty |= Q(leader_opinion="")
    if may(user, "sign_principal_opinions"):
        empty |= Q(principal_instruction="")
    # Leaders sign before the department answers: only open 处置单 (their petition is then always
    # in_progress or escalated), through the (status, due_on) index.
    qs = Disposition.objects.filter(empty, status__in=["routed", "received"])
    if not sees_everything(user):
        qs = qs.filter(station_id__in=station_scope(user))
    return qs.order_by("due_on", "id")


def capped_count(qs: QuerySet) -> int:
    """Counting a backlog of thousands exactly costs a scan; past counting.COUNT_CAP the page says "1000+"."""
    return counting.capped_count(qs)


def with_petitions(ids_qs: QuerySet[Disposition], limit: int) -> list[Disposition]:
    """A page of 处置单 in two steps (ids through the index, then the rows with their petitions)."""
    ids = list(ids_qs.values_list("id", flat=True)[:limit])
    rows = Disposition.objects.filter(pk__in=ids).select_related("petition", "petition__petitioner", "department")
    by_id = {d.pk: d for d in rows}
    return [by_id[i] for i in ids]


def sms_log(petition: Petition) -> list[dict[str, Any]]:
    """The SMS sent for a case, oldest first, each with the number masked and its error masked."""
    rows = Notification.objects.filter(petition=petition, channel=Notification.Channel.SMS).order_by("created_at", "id")
    return [{
        "row": n, "phone": mask_phone(crypto.decrypt(n.phone_enc)) if n.phone_enc else "",
        "error": mask(n.last_error),
    } for n in rows]
