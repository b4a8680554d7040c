"""Reads: the petition list and the petition's full record, with a fixed number of queries."""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, Case, Exists, F, OrderBy, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from daiban.audit import services as audit
from daiban.audit.models import Action as AuditAction
from daiban.lib import ratelimit
from daiban.lib.compiled import Compiled, KeyedCompiled
from daiban.lib.dates import check_range, today
from daiban.lib.identity import (
    HIDDEN_ID_NUMBER,
    HIDDEN_PHONE,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
)
from daiban.org.models import User
from daiban.petitions import counting, deadlines, search
from daiban.petitions import feedback as facts
from daiban.petitions.abilities import may_see_personal_data, may_see_query_code
from daiban.petitions.choices import status_label
from daiban.petitions.counting import Capped
from daiban.petitions.models import (
    Conduct,
    Contact,
    Disposition,
    DoubleInvestigation,
    Escalation,
    Event,
    ExtensionRequest,
    JudicialReferral,
    OpinionSupplement,
    PersonalDataView,
    Petition,
    Petitioner,
    PetitionLink,
    Review,
    Urging,
)
from daiban.petitions.permissions import (
    Visibility,
    department_view,
    hides_identity,
    identity_hidden,
    petitions_visible_to,
    stations_below,
    visibility,
    visible_ids,
    visible_petitions,
)
from daiban.petitions.workflow import OPEN_DISPOSITION, RUNNING
from daiban.workdays.engine import unconfirmed_years

# The date a matter, and a 处置单, is judged on time or overdue against: its own, else (none fixed
# yet, a multi-department matter's 待定) the regulation's limit of the matter. The statistics, the
# sweep's urgings, the overview and the case data all read these.
PETITION_LIMIT = Coalesce(F("due_on"), F("national_due_on"))
DISPOSITION_LIMIT = Coalesce(F("due_on"), F("petition__national_due_on"))


def extended_after(day: datetime.date) -> list[int]:
    """The 处置单 (ids) with an extension approved after `day`: the only ones whose limit on `day`
    differs from today's (`disposition_limit_on`). Read once, as a list: few, and a literal list
    lets PostgreSQL combine it with an index where a sub-select would make it scan the table."""
    return sorted(set(ExtensionRequest.objects.filter(approved=True, decided_on__gt=day)
                      .values_list("disposition_id", flat=True)))


def disposition_limit_on(day: datetime.date, extended: list[int] | None = None) -> Case:
    """A 处置单's limit (DISPOSITION_LIMIT) as it stood on `day`: an extension approved after that day
    does not undo a deadline that had passed by then (the first such request's `old_due_on` is the
    limit then). Only the 处置单 in `extended` (default `extended_after(day)`) look their request up,
    and the matter's regulation limit is read only for a 处置单 without a date of its own (待定), so
    no row joins its petition."""
    extended = extended_after(day) if extended is None else extended
    national = Petition.objects.filter(pk=OuterRef("petition_id")).values("national_due_on")[:1]
    now = Coalesce(F("due_on"), Subquery(national))
    then = Subquery(ExtensionRequest.objects.filter(disposition=OuterRef("pk"), approved=True, decided_on__gt=day)
                    .order_by("id").values("old_due_on")[:1])
    return Case(When(pk__in=extended, then=Coalesce(then, now)), default=now)


def dispositions_overdue_in(first: datetime.date, as_of: datetime.date,
                            qs: QuerySet[Disposition] | None = None) -> QuerySet[Disposition]:
    """The 处置单 overdue in a period (超期) that starts on `first` and is judged on `as_of` (its last
    day, or today while it runs): the limit as it stood on `as_of` (`disposition_limit_on`) passed
    in it — the first day past the limit falls between `first` and `as_of` — and the 处置单 was
    neither answered nor returned by the limit, whether answered late later or still open. Counted
    in the period where the deadline passed, whatever month the petition was received in: one due
    10-15 and answered 11-05 is October's; a closed month's figure does not change when looked at
    later. The statistics' 超期 (stats.queries.departments) and the list's `overdue_from`/`overdue_to`
    filter both read this, so the figure and the list behind it agree.

    `qs`: the 处置单 to judge (default all). The first condition only narrows (an index range on
    `due_on`, `disposition_limit_idx`; the 待定 ones; those extended after `as_of`); the rest decide.
    Reads the extended ones first (one small query)."""
    qs = Disposition.objects.all() if qs is None else qs
    extended = extended_after(as_of)
    eve = first - datetime.timedelta(days=1)
    return (qs.filter(Q(due_on__gte=eve, due_on__lt=as_of) | Q(due_on__isnull=True) | Q(pk__in=extended))
            .alias(limit=disposition_limit_on(as_of, extended))
            .filter(Q(limit__gte=eve, limit__lt=as_of), routed_on__lte=F("limit"))
            .filter(Q(result_on__isnull=True) | Q(result_on__gt=F("limit")))
            .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=F("limit"))))


def is_overdue(petition: Petition, on: datetime.date | None = None) -> bool:
    """`overdue_q` for one petition: past its 办结时限, or with none fixed, past the regulation's limit."""
    limit = limit_of(petition)
    return petition.status in RUNNING and limit is not None and limit < (on or today())


def limit_of(petition: Petition) -> datetime.date | None:
    """The date `petition` is judged against (PETITION_LIMIT): its 办结时限, else the regulation's limit
    (deadlines.limit_in_force, which judges each conclusion too)."""
    return deadlines.limit_in_force(petition)


def limit_between_q(start: datetime.date, end: datetime.date) -> Q:
    """Running, with the date it is judged against (PETITION_LIMIT) in start..end (both included):
    "due soon" in the list's filter, the workbench and the overview, as overdue_q is "late". Two
    conditions the indexes on due_on and national_due_on serve, not one on an expression."""
    return Q(status__in=RUNNING) & (Q(due_on__gte=start, due_on__lte=end)
                                    | Q(due_on__isnull=True, national_due_on__gte=start, national_due_on__lte=end))


def overdue_q(on: datetime.date | None = None) -> Q:
    """Running and past its 办结时限, or, with none fixed yet (a multi-department matter whose solution
    is not determined), past the regulation's limit: such a matter is late too (PETITION_LIMIT)."""
    day = on or today()
    return Q(status__in=RUNNING) & (Q(due_on__lt=day) | Q(due_on__isnull=True, national_due_on__lt=day))


def rerouting_q(department: int | None = None) -> Q:
    """Running with a 处置单 returned (退回) since the matter was last routed: the agent is to route it
    again (DOMAIN.md, "A department may return a 处置单"; actions/extension.return_disposition). Read
    from the events, so a routing after the return clears it. `department`: only that department's
    returns and the shared 处置单's (what a department-only viewer reads, readable_by)."""
    later_route = Event.objects.filter(petition_id=OuterRef("petition_id"), action="route", pk__gt=OuterRef("pk"))
    returned = Event.objects.filter(petition_id=OuterRef("pk"), action="disposition_return").exclude(Exists(later_route))
    if department is not None:
        own = Disposition.objects.filter(readable_by(department), petition_id=OuterRef(OuterRef("pk")))
        # The event names its 处置单 in `data` (JSON): read as a number on SQLite and PostgreSQL alike.
        returned = returned.alias(disposition=Cast(KeyTextTransform("disposition_id", "data"), BigIntegerField())
                                  ).filter(disposition__in=own.values("pk"))
    return Q(status__in=RUNNING) & Q(Exists(returned))


# The list's orders. Petitions without a 办结时限 (not yet routed, screened out) come last either way:
# SQLite sorts NULL first and PostgreSQL last unless told, so "由近到远" opened on a page of "—".
_ORDERS: dict[str, OrderBy] = {
    "-id": F("id").desc(), "id": F("id").asc(),
    "due_on": F("due_on").asc(nulls_last=True), "-due_on": F("due_on").desc(nulls_last=True),
    "received_on": F("received_on").asc(), "-received_on": F("received_on").desc(),
}

ORDERS = frozenset(_ORDERS)  # the `order` values the list accepts
ORDER_LABELS = {  # …and what each means, for a person (the API's message for another value, the page's choices)
    "-id": "最新登记在前", "id": "最早登记在前", "due_on": "办结时限由近到远", "-due_on": "办结时限由远到近",
    "received_on": "收到日期由早到晚", "-received_on": "收到日期由晚到早",
}


def petition_list(
    user: User, *, status: str | None = None, overdue: bool | None = None, agent: int | None = None,
    q: str | None = None, station: int | None = None, channel: str | None = None, source: str | None = None,
    department: int | None = None, received_from: datetime.date | None = None,
    received_to: datetime.date | None = None, due_to: datetime.date | None = None, order: str = "-id",
    category: str | None = None, condition: Q | None = None, seen: Visibility | None = None,
    under: int | None = None, unassigned: bool = False, rerouting: bool = False,
    overdue_from: datetime.date | None = None, overdue_to: datetime.date | None = None,
) -> QuerySet[Petition] | search.Ranked:
    """The petitions this user may see, filtered; `condition`: any further Q (the statistics pass a
    figure's own definition, so a number on the dashboard links to the petitions behind it); with
    `q`, narrowed to those it finds (ranked by relevance for words, see search.py). Page it with
    `page()`. Invalid when received_from is after received_to. `seen`: what the user may see, when
    already known (list_page builds the list for a Visibility, not a user). `overdue_from`/`overdue_to`:
    a 处置单 (of `department` when given) overdue in that period (`dispositions_overdue_in`, judged on
    `overdue_to` or today while it runs), whatever the month of receipt: the statistics' 超期."""
    check_range(received_from, received_to, "received_to")
    check_range(overdue_from, overdue_to, "overdue_to")
    qs = petitions_visible_to(seen) if seen is not None else visible_petitions(user)
    if status:
        qs = qs.filter(status__in=status.split(","))
    if overdue is True:
        qs = qs.filter(overdue_q())
    elif overdue is False:
        qs = qs.exclude(overdue_q())
    if agent:
        qs = qs.filter(agent_id=agent)
    if unassigned:
        qs = qs.filter(agent__isnull=True)
    reader = _department_reader(seen if seen is not None else visibility(user))
    if rerouting:  # a 处置单 returned since the last routing (rerouting_q); a department: its own
        qs = qs.filter(rerouting_q(reader))
    if station:
        qs = qs.filter(station_id=station)
    if under:  # the station and every station below it, as its statistics count
        qs = qs.filter(station_id__in=sorted(stations_below(under)))
    if channel:
        qs = qs.filter(channel=channel)
    if source:
        qs = qs.filter(source=source)
    if department and reader is not None:  # another department's 处置单 only where it may read them
        qs = qs.filter(Exists(Disposition.objects.filter(readable_by(reader), petition_id=OuterRef("pk"),
                                                         department_id=department)))
    elif department:
        qs = qs.filter(dispositions__department_id=department).distinct()
    if overdue_from or overdue_to:
        now = today()
        lapsed = dispositions_overdue_in(overdue_from or datetime.date(2000, 1, 1), min(overdue_to or now, now))
        if department:  # the same 处置单: the department's own lapsed, not another's on the petition
            lapsed = lapsed.filter(department_id=department)
        if reader is not None:  # it reads its own and the shared 处置单 only: another's lateness is not its to learn
            lapsed = lapsed.filter(readable_by(reader))
        qs = qs.filter(pk__in=lapsed.values("petition_id"))
    if received_from:
        qs = qs.filter(received_on__gte=received_from)
    if received_to:
        qs = qs.filter(received_on__lte=received_to)
    if due_to:  # 到期不晚于: a 待定 matter by its regulation limit, as the overdue filter judges it
        qs = qs.filter(limit_between_q(today(), due_to))
    if category:
        qs = qs.filter(category="" if category == "未分类" else category)
    if condition is not None:
        qs = qs.filter(condition)
    qs = qs.order_by(_ORDERS.get(order, _ORDERS["-id"]), "-id")
    if q and q.strip():
        # By identity (keyed hash), number, name or words, ranked: see search.py.
        identity = not hides_identity(user)
        if identity and user is not None and search.is_identity(q):
            count_identity_search(user, q, via="list")
        return search.narrow(qs, q, identity=identity)
    return qs


def readable_by(department: int) -> Q:
    """The 处置单 a department-only viewer reads (Q on Disposition): its own and those the agent
    shared (sharing.py), as dispositions_for shows them; a filter judging 处置单 for such a viewer
    judges these only, or it would tell what the page hides."""
    return Q(department_id=department) | Q(shared=True)


def _department_reader(seen: Visibility) -> int | None:
    """The department of a viewer who sees petitions only as a department asked to act (no station,
    agent or hand-over of its own): it reads its own 处置单 only (permissions.department_view), so a
    filter judging 处置单 judges its own. None for every other viewer."""
    if seen.everything or seen.nothing or seen.stations or seen.agent_id or seen.handed_over:
        return None
    return seen.department_id


def count_identity_search(user: User, q: str, *, via: str) -> None:
    """One search by ID number or phone (`q`, as typed), counted per account
    (DAIBAN_IDENTITY_SEARCHES_PER_HOUR): RateLimited past it. A page masks the middle digits from
    those who may not see them, and each search answers whether a full number is a petitioner's:
    unlimited, ten thousand guesses would read a masked phone back (as the intake check's own
    allowance, intake.intake_check).

    Each search allowed is also an audit row (`identity_search`, 《个人信息保护法》 §55: a lookup of
    a person by identity is processing of personal data): who, when, from where, `via` (list, api,
    admin), by which kind of number, how many people it names and, when one, which petitioner (by
    id), so "who looked this person up" can be answered. The number itself is never written."""
    ratelimit.take("identity_search", str(user.pk), limit=settings.DAIBAN_IDENTITY_SEARCHES_PER_HOUR, window=3600,
                   message="按身份证号或电话查询过于频繁，请{wait}后再试")
    query = search.parse(q)
    if query.id_hash:
        kind, people = "id_number", set(Petitioner.objects.filter(id_hash=query.id_hash).values_list("pk", flat=True))
    else:
        kind = "phone"
        people = set(Petitioner.objects.filter(phone_hash__in=query.phone_hashes).values_list("pk", flat=True))
        people |= set(Petition.objects.filter(petitioner_phone_hash__in=query.phone_hashes)
                      .values_list("petitioner_id", flat=True).distinct()[:50])
    one = next(iter(people)) if len(people) == 1 else None
    audit.record(AuditAction.IDENTITY_SEARCH, actor=user, target_type="petitioner" if one else "",
                 target_id=one or "", label=f"信访人#{one}" if one else "",
                 detail={"via": via, "kind": kind, "people": len(people)})


# The columns list_item() shows (with the petitioner's, station's and agent's): a page read with
# page(…, fields=LIST_FIELDS) fetches only these.
LIST_FIELDS = (
    "id", "number", "channel", "source", "received_on", "content", "category", "status", "track", "due_on",
    # is_overdue reads the regulation's limit, identity_hidden the unit complained about: in the row,
    # not one query each
    "national_due_on", "complained_department", "satisfaction", "petitioner_name", "petitioner_phone_enc", "petitioner_address", "petitioner", "station", "agent",
    "petitioner__id", "petitioner__id_number_enc", "station__id", "station__name", "agent__id", "agent__name",
)


def page(qs: QuerySet[Petition] | search.Ranked, start: int, size: int,
         fields: tuple[str, ...] | None = None) -> list[Petition]:
    """One page in two steps: the ids through the indexes, then the rows. Sorting only ids keeps a
    page of a 100,000-row list from sorting whole joined rows. A text search pages by relevance.
    `fields`: read only these columns (LIST_FIELDS for list_item); default whole rows."""
    if isinstance(qs, search.Ranked):
        ids = qs.page(start, size)
    else:
        ids = list(qs.values_list("id", flat=True)[start : start + size])
    if not ids:
        return []
    rows = {p.pk: p for p in _PAGE_ROWS.rows(fields or (), *ids)}
    return [rows[i] for i in ids]


# A page's rows by their ids: one compiled shape per column list and number of ids.
_PAGE_ROWS: KeyedCompiled[tuple[str, ...], Petition] = KeyedCompiled(
    lambda fields, *ids: (Petition.objects.filter(pk__in=ids).select_related("petitioner", "agent", "station")
                          .only(*fields) if fields else
                          Petition.objects.filter(pk__in=ids).select_related("petitioner", "agent", "station")),
    kinds=None)


def list_page(user: User, filters: dict[str, Any], start: int, size: int, cap: int) -> tuple[list[Petition], Capped]:
    """`page(petition_list(user, **filters), …)` and `counting.capped(…, cap)` of the API's list: the
    ids and the count compiled once per (what the user may see, the filters, today, the page) and
    then only run (daiban.lib.compiled, issue 16). A text search, a department filter (DISTINCT) or
    an overdue period (`overdue_from`/`overdue_to`: its sub-select reads the extensions of its day)
    takes the querysets' way."""
    if filters.get("q") or filters.get("department") or filters.get("overdue_from") or filters.get("overdue_to"):
        qs = petition_list(user, **filters)
        return page(qs, start, size, fields=LIST_FIELDS), counting.capped(qs, cap)
    check_range(filters.get("received_from"), filters.get("received_to"), "received_to")  # each time, not once
    key = (visibility(user), tuple(sorted(filters.items())), today(), start, size, cap)
    ids = [p.pk for p in _LIST_IDS.rows(key)]
    rows = {p.pk: p for p in _PAGE_ROWS.rows(LIST_FIELDS, *ids)} if ids else {}
    n = _LIST_COUNT.count(key)
    return [rows[i] for i in ids], Capped(min(n, cap), n <= cap)


_ListKey = tuple[Visibility, tuple[tuple[str, Any], ...], datetime.date, int, int, int]


def _listed(key: _ListKey) -> QuerySet[Petition]:
    qs = petition_list(None, seen=key[0], **dict(key[1]))  # type: ignore[arg-type]
    assert not isinstance(qs, search.Ranked)  # noqa: S101  (list_page sends a search the other way)
    return qs


_LIST_IDS: KeyedCompiled[_ListKey, Petition] = KeyedCompiled(
    lambda key: _listed(key).only("id")[key[3]:key[3] + key[4]], kinds=())
_LIST_COUNT: KeyedCompiled[_ListKey, Petition] = KeyedCompiled(
    lambda key: _listed(key).order_by().only("id")[:key[5] + 1], kinds=())


@dataclass(frozen=True)
class PetitionerView:
    """The petitioner as one viewer may see them on one petition, from the petition's snapshot
    (as registered with it) and the person's ID number. `revealed`: full ID and phone;
    `identity_hidden`: name and address masked too (a department that must not learn who)."""

    name: str
    id_number: str
    phone: str
    address: str
    revealed: bool
    identity_hidden: bool

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "id_number": self.id_number, "phone": self.phone, "address": self.address}


def petitioner_view(petition: Petition, user: User | None, *, reveal: bool | None = None) -> PetitionerView:
    """What petitioner fields `user` gets on `petition`. The one place that decides it: the API,
    the staff pages and the documents call it. `reveal` overrides the full-data rule (False for
    lists; True for the case file, which only those who may see full data can download); user
    None is the system itself (the archive). Logging a reveal is the caller's (PersonalDataView)."""
    if reveal is None:
        reveal = user is None or may_see_personal_data(user, petition)
    hidden = user is not None and not reveal and identity_hidden(user, petition)
    id_number, phone = petition.petitioner.id_number, petition.petitioner_phone
    name, address = petition.petitioner_name, petition.petitioner_address
    return PetitionerView(
        name=mask_name(name) if hidden else name,
        # Hidden identity: not even the region code and last digits the usual mask keeps.
        id_number=id_number if reveal else (HIDDEN_ID_NUMBER if id_number else "") if hidden else mask_id_number(id_number),
        phone=phone if reveal else (HIDDEN_PHONE if phone else "") if hidden else mask_phone(phone),
        address=mask_address(address) if hidden else address,
        revealed=reveal, identity_hidden=hidden,
    )


def list_item(petition: Petition, user: User | None = None, person: PetitionerView | None = None) -> dict[str, Any]:
    """The petition as a list shows it; `person`: the petitioner as already decided for this viewer
    (the detail passes its own, so the ID and phone are not decrypted twice)."""
    person = person if person is not None else petitioner_view(petition, user, reveal=False)
    return {
        "id": petition.pk, "number": petition.number, "channel": petition.channel, "source": petition.source,
        "received_on": petition.received_on,
        "petitioner": person.as_dict(),
        "content": petition.content[:200], "category": petition.category, "status": petition.status,
        "station": {"id": petition.station_id, "name": petition.station.name},
        "agent": {"id": petition.agent.pk, "name": petition.agent.name} if petition.agent else None,
        "track": petition.track or None, "due_on": petition.due_on, "overdue": is_overdue(petition),
        "satisfaction": petition.satisfaction or None,
    }


def petition_for_detail(user: User, petition_id: int) -> Petition | None:
    """The petition with everything its detail shows, in a fixed number of queries (issue 16):
    urgings without their author (not shown), related petitions with only their number and status.
    The related rows are read as prefetch_related would leave them (`petition.contacts.all()`, …),
    each by a query compiled once (daiban.lib.compiled), keyed by the petition: the same rows, in
    the same order, without Django building a dozen querysets per request."""
    petition = _DETAIL.first(visibility(user), petition_id)
    if petition is not None:
        _attach_detail(petition)
    return petition


def _attach(instance: Any, name: str, rows: list[Any], back: str) -> None:
    """Leave `rows` where prefetch_related would: `instance.<name>.all()` answers from them, and
    each row's `<back>` (its foreign key to `instance`) is `instance`, not a query."""
    field = type(rows[0])._meta.get_field(back) if rows else None
    for row in rows:
        field.set_cached_value(row, instance)  # type: ignore[union-attr]
    # The related manager's own queryset (filtered to `instance`), as prefetch_related leaves it: a
    # query derived from it (`.values_list(…)`, `.filter(…)`) still reads only this instance's rows.
    qs = getattr(instance, name).get_queryset()
    qs._result_cache = rows
    qs._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


def _by_parent(rows: list[Any], key: str) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for row in rows:
        out.setdefault(getattr(row, key), []).append(row)
    return out


# The petition itself, one shape per set of petitions a user may see (permissions.Visibility).
_DETAIL: KeyedCompiled[Visibility, Petition] = KeyedCompiled(
    lambda seen, pid: petitions_visible_to(seen).select_related("petitioner", "agent", "station", "complained_department")
    .filter(pk=pid).order_by()[:1])  # the primary key: no ORDER BY needed

# The detail's related rows, one query shape each (as petition_for_detail used to prefetch them).
_DISPOSITIONS = Compiled(lambda pid: Disposition.objects.select_related("department").filter(petition_id=pid))
_URGINGS = Compiled(lambda pid: Urging.objects.only("id", "disposition_id", "on", "note", "automatic")
                    .filter(disposition__petition_id=pid))
_SUPPLEMENTS = Compiled(lambda pid: OpinionSupplement.objects.select_related("by").filter(disposition__petition_id=pid))
_EXTENSIONS = Compiled(lambda pid: ExtensionRequest.objects.filter(disposition__petition_id=pid))
_RELATED: tuple[tuple[str, Compiled[Any]], ...] = (
    ("contacts", Compiled(lambda pid: Contact.objects.filter(petition_id=pid))),
    ("reviews", Compiled(lambda pid: Review.objects.filter(petition_id=pid))),
    ("conduct", Compiled(lambda pid: Conduct.objects.filter(petition_id=pid))),
    ("judicial_referrals", Compiled(lambda pid: JudicialReferral.objects.filter(petition_id=pid))),
    ("double_investigations", Compiled(lambda pid: DoubleInvestigation.objects.select_related("assignee")
                                       .filter(petition_id=pid))),
    ("escalations", Compiled(lambda pid: Escalation.objects.select_related("taken_by").filter(petition_id=pid))),
    ("links", Compiled(lambda pid: PetitionLink.objects.select_related("related").only(
        "id", "petition_id", "related_id", "reason", "score", "related__id", "related__number", "related__status",
        "related__review_level").filter(petition_id=pid))),
    ("events", Compiled(lambda pid: Event.objects.filter(petition_id=pid).order_by("id"))),
)


def _attach_detail(petition: Petition) -> None:
    pid = petition.pk
    dispositions = _DISPOSITIONS.rows(pid)
    _attach(petition, "dispositions", dispositions, "petition")
    if dispositions:  # (prefetch_related asks nothing of an empty list either)
        children: tuple[tuple[str, Compiled[Any]], ...] = (
            ("urgings", _URGINGS), ("supplements", _SUPPLEMENTS), ("extension_requests", _EXTENSIONS))
        for name, child in children:
            rows = _by_parent(child.rows(pid), "disposition_id")
            for d in dispositions:
                _attach(d, name, rows.get(d.pk, []), "disposition")
    for name, compiled in _RELATED:
        _attach(petition, name, compiled.rows(pid), "petition")


# Petition-level events a department asked to act may read: they carry no other department's work.
DEPARTMENT_EVENTS = frozenset({"intake", "screen", "determine_solution", "extend", "deadline_recomputed"})


def dispositions_for(petition: Petition, user: User) -> list[Disposition]:
    """The petition's 处置单 this user may read (from the prefetched rows): all of them, except for
    a viewer who is only a department asked to act (permissions.department_view): its own and those
    the agent shared (sharing.py)."""
    department = department_view(user, petition)
    rows = list(petition.dispositions.all())
    return rows if department is None else [d for d in rows if d.department_id == department or d.shared]


ELSEWHERE_PETITION = "其他代办机构办理的信访事项"


def _unnamed(rows: list[Event], user: User) -> list[Event]:
    """`rows` with the number of an earlier petition this user may not see (another station's, named
    by a ruling on a link: `link`, `unlink`) replaced by ELSEWHERE_PETITION, in memory only: the
    timeline counts it, never names it (existence does not leak)."""
    linked = {e.data["related_id"] for e in rows if e.action in ("link", "unlink")
              and isinstance(e.data, dict) and isinstance(e.data.get("related_id"), int)}
    hidden = linked - visible_ids(user, linked)
    if not hidden:
        return rows
    numbers = dict(Petition.objects.filter(pk__in=hidden).values_list("pk", "number"))
    out = []
    for e in rows:
        related = (e.data or {}).get("related_id")
        number = numbers.get(related) if e.action in ("link", "unlink") and isinstance(related, int) else None
        if number:
            e = copy.copy(e)
            e.note = e.note.replace(number, ELSEWHERE_PETITION)
        out.append(e)
    return out


def events_for(petition: Petition, user: User) -> list[Event]:
    """The timeline this user may read: a department-only viewer gets the events of the 处置单 it
    may read (its own, the shared ones) and the neutral petition-level ones (DEPARTMENT_EVENTS),
    not the other departments' entries."""
    department = department_view(user, petition)
    rows = _unnamed(list(petition.events.all()), user)
    if department is None:
        return rows
    own = {d.pk for d in dispositions_for(petition, user)}
    return [e for e in rows if e.action in DEPARTMENT_EVENTS or (e.data or {}).get("disposition_id") in own]


# The calendar-dependent dates of a petition besides its due date (DOMAIN.md: the system says plainly
# when a deadline falls in a year whose calendar has not been confirmed): the regulation's limits,
# the review window and answer date, the follow-up visit — each moved off a rest day by the calendar.
_CALENDAR_DATES = ("national_forward_due_on", "national_due_on", "review_request_due_on", "review_answer_due_on",
                   "follow_up_due_on")


def _provisional_deadlines(petition: Petition, due_years: set[int]) -> list[str]:
    """The names of the petition's deadlines ("due_on", and those of _CALENDAR_DATES) that fall in a
    year whose calendar is not confirmed; one query for all of them."""
    dates = {name: getattr(petition, name) for name in _CALENDAR_DATES if getattr(petition, name) is not None}
    unconfirmed = unconfirmed_years(due_years | {d.year for d in dates.values()})
    found = ["due_on"] if due_years & unconfirmed else []
    return found + [name for name, day in dates.items() if day.year in unconfirmed]


def petition_detail(petition: Petition, user: User, *, via: str = "api") -> dict[str, Any]:
    """The full record of one petition as this user may read it (API.md petition detail); a
    department-only viewer (permissions.department_view) gets the petition's content, its own (and
    the shared) 处置单 and their timeline entries, and none of the rest of the case work (issue 15,
    fault 2): no 代理结果, contacts, reviews, escalation, feedback or rating, follow-up note, related
    petitions, conduct, referrals or 一案双查 (empty lists, null or "", as the staff page hides them)."""
    person = petitioner_view(petition, user)
    department_only = department_view(user, petition) is not None
    if person.revealed:
        # The view log and its audit-trail row (audit_hooks) in one transaction: one commit, not two.
        with transaction.atomic():
            PersonalDataView.objects.create(user=user, petition=petition, fields="id_number,phone", via=via)
    # Asked of the calendar now, not stored: confirming a year (an import) clears it at once.
    years = set(range(petition.due_from.year, petition.due_on.year + 1)) if petition.due_on and petition.due_from else set()
    provisional = _provisional_deadlines(petition, years)
    links = [] if department_only else list(petition.links.all())
    shown_links = visible_ids(user, [link.related_id for link in links])
    data = list_item(petition, user, person)
    data.update({
        "query_code": petition.query_code if may_see_query_code(user, petition) else None,
        "personal_data_masked": not person.revealed,
        "identity_masked": person.identity_hidden,
        "content": petition.content,
        "external_id": petition.external_id,
        "in_judicial_proceedings": petition.in_judicial_proceedings,
        "agent_chosen_by": petition.agent_chosen_by or None,
        "notification": petition.notification or None,
        "reply": petition.reply, "decline_reason": petition.decline_reason or None,
        "accepted_on": petition.accepted_on,
        "proposed_handling": petition.proposed_handling,
        "complained_department": ({"id": complained.pk, "name": complained.name}
                                  if (complained := petition.complained_department) is not None else None),
        "solution_determined_on": petition.solution_determined_on, "convened_by": petition.convened_by or None,
        "due_provisional": "due_on" in provisional,
        "provisional_deadlines": provisional,
        "escalated_to": petition.escalated_to or None,
        "escalation": None if department_only else escalation_out(petition),
        "national": {
            "forward_due_on": petition.national_forward_due_on, "due_on": petition.national_due_on,
            "extension_days": petition.national_extension_days, "extension_reason": petition.extension_reason,
            "review_request_due_on": petition.review_request_due_on,
            "review_answer_due_on": petition.review_answer_due_on,
        },
        "review_request_due_on": petition.review_request_due_on,
        "review_answer_due_on": petition.review_answer_due_on,
        "review_level": petition.review_level or None,
        "status_label": status_label(petition.status, petition.review_level),
        "feedback": None if department_only else facts.feedback_out(petition),
        "online_rating": None if department_only else facts.online_rating_out(petition),
        "concluded_on": petition.concluded_on, "result": "" if department_only else petition.result,
        "feedback_on": None if department_only else petition.feedback_on,
        "feedback_method": None if department_only else petition.feedback_method or None,
        "terminated_on": petition.terminated_on, "three_level_terminated": petition.three_level_terminated,
        "three_in_place": petition.three_in_place,
        "follow_up_due_on": petition.follow_up_due_on, "followed_up_on": petition.followed_up_on,
        "follow_up_note": "" if department_only else petition.follow_up_note, "rebound": petition.rebound, "archived_on": petition.archived_on,
        "version": petition.version,
        "dispositions": [disposition_out(d, petition.national_due_on) for d in dispositions_for(petition, user)],
        "contacts": [] if department_only else [{"method": c.method, "on": c.on, "note": c.note}
                                                for c in petition.contacts.all()],
        "reviews": [
            {"level": r.level, "requested_on": r.requested_on, "reason": r.reason, "answer_due_on": r.answer_due_on,
             "decided_on": r.decided_on, "upheld": r.upheld, "note": r.note}
            for r in ([] if department_only else petition.reviews.all())
        ],
        "related": [
            {"id": link.related_id, "number": link.related.number, "status": link.related.status,
             "review_level": link.related.review_level or None,
             "reason": link.reason, "score": link.score}
            for link in links if link.related_id in shown_links
        ],
        # Earlier petitions on the same matter that this user may not see (another station's): counted,
        # never named (existence does not leak).
        "related_elsewhere": len(links) - len(shown_links),
        "events": [event_out(e) for e in events_for(petition, user)],
        **aftercare_out(petition, user, department_only=department_only),
    })
    if department_only:
        data["satisfaction"] = None  # the petitioner's opinion of the agency's work (feedback)
    return data


def aftercare_out(petition: Petition, user: User, *, department_only: bool = False) -> dict[str, Any]:
    """一案双查 items (only those this user may see), conduct after termination and referrals; all
    empty for a department-only viewer (the agency's work after termination is not its business)."""
    from daiban.petitions.double_checks import double_check_out, visible_double_checks

    if department_only:
        return {"double_checks": [], "conduct": [], "judicial_referrals": []}
    items = list(petition.double_investigations.all())
    # Which of them this user may see: asked only when there are any (most petitions have none).
    seen = set(visible_double_checks(user).filter(petition_id=petition.pk).values_list("id", flat=True)) if items else set()
    return {
        "double_checks": [double_check_out(d) for d in items if d.pk in seen],
        "conduct": [{"id": c.pk, "kind": c.kind, "on": c.on, "note": c.note, "referral_id": c.referral_id}
                    for c in petition.conduct.all()],
        "judicial_referrals": [{"id": r.pk, "organ": r.organ, "on": r.on, "note": r.note}
                               for r in petition.judicial_referrals.all()],
    }


def disposition_out(d: Disposition, national_due_on: datetime.date | None = None) -> dict[str, Any]:
    """One 处置单. Overdue past its own date, or with none fixed (待定) past the matter's regulation
    limit `national_due_on` (stats.queries.DISPOSITION_LIMIT)."""
    limit = d.due_on or national_due_on
    return {
        "id": d.pk, "number": d.number, "department": {"id": d.department_id, "name": d.department.name},
        "status": d.status, "routed_on": d.routed_on, "received_on": d.received_on, "due_on": d.due_on,
        "overdue": d.status in OPEN_DISPOSITION and limit is not None and limit < today(),
        "proposed_handling": d.proposed_handling, "leader_opinion": d.leader_opinion,
        "principal_instruction": d.principal_instruction,
        "supplements": [{"role": x.role, "text": x.text, "by": x.by.display_name if x.by else "", "on": x.on}
                        for x in d.supplements.all()],
        "result": d.result, "result_on": d.result_on,
        "urgings": [{"on": u.on, "note": u.note, "automatic": u.automatic} for u in d.urgings.all()],
        "returned_on": d.returned_on, "return_reason": d.return_reason,
        "extensions": [
            {"workdays": r.workdays, "reason": r.reason, "requested_on": r.requested_on, "approved": r.approved,
             "decided_on": r.decided_on, "note": r.note, "new_due_on": r.new_due_on, "lapsed_on": r.lapsed_on}
            for r in d.extension_requests.all()
        ],
    }


def escalation_out(petition: Petition) -> dict[str, Any] | None:
    """The petition's latest escalation ("上报至… 由…签收"), None if it was never escalated."""
    rows = list(petition.escalations.all())  # prefetched by petition_for_detail
    if not rows:
        return None
    e = rows[-1]
    return {
        "to": e.to, "reason": e.reason, "on": e.on,
        "taken_by": e.taken_by.display_name if e.taken_by else None, "taken_on": e.taken_on,
        "returned_on": e.returned_on, "instructions": e.instructions, "due_on": e.due_on,
    }


def event_out(e: Event) -> dict[str, Any]:
    """One timeline entry; the 一案双查 steps say only that they happened (double_checks.timeline_note).
    `backdated` (补录): dated (`on`) before the day it was recorded (`at`): paper work entered
    afterwards, shown as such with its recording time so the record stays honest."""
    from daiban.petitions.double_checks import timeline_note
    from daiban.petitions.events import event_labels

    at = timezone.localtime(e.at)
    return {
        "at": at, "on": e.on, "backdated": e.on < at.date(), "actor": e.actor_name, "action": e.action,
        "action_label": event_labels().get(e.action, e.action),
        "from_status": e.from_status or None, "to_status": e.to_status or None,
        "note": timeline_note(e.action, e.note),
        "review_level": (e.data or {}).get("level") if e.to_status == "under_review" else None,
    }
