"""Aggregation in the database: one grouped query per table, whatever the number of petitions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import CharField, Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from daiban.lib.errors import NotFound
from daiban.org.models import Agent, Department, Station, User
from daiban.petitions.abilities import require
from daiban.petitions.models import Disposition, Petition, PetitionLink, Urging
from daiban.petitions.permissions import sees_everything, station_scope, stations_below, visible_ids
from daiban.petitions.selectors import dispositions_overdue_in
from daiban.stats.kpi import CONDITIONS, with_rates

DIMENSIONS = ("station", "agent", "channel", "source", "category", "month", "status")
# Group by the id and look the names up afterwards: joining the names into a grouped scan of a
# year's petitions costs a look-up per petition.
NAMES = {"station": Station, "agent": Agent}


class MonthOf(Func):
    """'YYYY-MM' of a date, computed by the database itself (Django's TruncMonth calls a Python
    function for every row on SQLite, which a year of petitions makes slow)."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="strftime('%%%%Y-%%%%m', %(expressions)s)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM')", **extra)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date



UNITS = {"month": "月", "quarter": "季度", "year": "年"}


def _unit_start(day: datetime.date, unit: str) -> datetime.date:
    if unit == "year":
        return day.replace(month=1, day=1)
    if unit == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


def _unit_end(first: datetime.date, unit: str) -> datetime.date:
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    year, month = divmod(first.month - 1 + months, 12)
    return datetime.date(first.year + year, month + 1, 1) - datetime.timedelta(days=1)


def calendar_period(day: datetime.date, unit: str) -> Period:
    """The whole calendar month, quarter or year that holds `day`."""
    first = _unit_start(day, unit)
    return Period(first, _unit_end(first, unit))


def period_name(period: Period, unit: str) -> str:
    """2026年11月, 2026年第四季度, 2026年."""
    if unit == "year":
        return f"{period.start.year}年"
    if unit == "quarter":
        return f"{period.start.year}年第{'一二三四'[(period.start.month - 1) // 3]}季度"
    return f"{period.start.year}年{period.start.month}月"


@dataclass(frozen=True)
class Comparison:
    """What the dashboard's change (环比) compares: `current` and `previous` are whole calendar
    periods of one `unit` (month, quarter, year), or `previous` is None when the chosen period is
    not one (a running period, an arbitrary range) and nothing is compared; `text` says which on
    the page; `wholes` are the latest whole periods, (unit, period), to link to instead: the unit's
    and the latest whole month."""

    unit: str | None
    current: Period
    previous: Period | None
    text: str
    wholes: tuple[tuple[str, Period], ...] = ()


def comparison(period: Period, today: datetime.date) -> Comparison:
    """环比 over whole calendar periods only: a whole month with the previous calendar month, a
    whole quarter with the previous quarter, a whole year with the previous year. A period still
    running (its unit ends after `today`) or not a calendar period is not compared with anything:
    a part of a month against a whole one (or 30 days against 31) reads as a change that is not
    there."""
    for unit in UNITS:
        whole = calendar_period(period.start, unit)
        if period.start != whole.start or period.end > whole.end:
            continue
        if period.end == whole.end and whole.end < today:
            before = calendar_period(whole.start - datetime.timedelta(days=1), unit)
            return Comparison(unit, whole, before,
                              f"环比：{period_name(whole, unit)}与{period_name(before, unit)}比较（均为完整的自然{UNITS[unit]}）")
        if period.end == whole.end or period.end >= today:
            last = calendar_period(whole.start - datetime.timedelta(days=1), unit)
            return Comparison(unit, period, None,
                              f"{period_name(whole, unit)}尚未结束（统计至{min(period.end, today):%Y-%m-%d}），不作环比："
                              f"未满的一{'个' if unit != 'year' else ''}{UNITS[unit]}与完整的上一{'个' if unit != 'year' else ''}{UNITS[unit]}不可比。",
                              wholes=((unit, last),) + ((("month", _last_whole_month(period, today)),)
                                                        if unit != "month" else ()))
    return Comparison(None, period, None,
                      "所选期间不是一个完整的自然月、季度或年度，不作环比（环比只比较完整的月、季度、年度）。",
                      wholes=(("month", _last_whole_month(period, today)),))


def _last_whole_month(period: Period, today: datetime.date) -> Period:
    """The latest whole month the chosen period reaches that is over by `today`."""
    ref = min(period.end, today - datetime.timedelta(days=1))
    last = calendar_period(ref, "month")
    if last.end > ref:
        last = calendar_period(last.start - datetime.timedelta(days=1), "month")
    return last


def scope(user: User, period: Period, station: int | None = None) -> QuerySet[Petition]:
    """The petitions received in the period that this user's statistics cover."""
    require(user, "view_stats")
    lookups: dict = {"received_on__gte": period.start, "received_on__lte": period.end}
    stations = None if sees_everything(user) else set(station_scope(user))
    if station:
        # One answer for a station that does not exist and one outside the user's scope (404), for
        # every role: the center's zeros for station 999 read as a station with nothing received.
        if (stations is not None and station not in stations) or not Station.objects.filter(pk=station).exists():
            raise NotFound("代办机构不存在")
        stations = set(stations_below(station)) & stations if stations is not None else set(stations_below(station))
    if stations is not None:
        lookups["station_id__in"] = sorted(stations)
    qs = Petition.objects.filter(**lookups)
    qs.lookups = lookups
    return qs


def _through(qs: QuerySet[Petition], prefix: str) -> dict:
    """The scope's filter for a table that joins to the petition (a join, not an IN over 100,000 ids)."""
    return {f"{prefix}__{key}": value for key, value in qs.lookups.items()}


COUNTS = ("received", *CONDITIONS)
# The two counts that look at earlier petitions (a correlated look-up per petition): tables that
# do not show them leave them out.
LINKED = ("repeat", "multi_channel")


def _counts(*, linked: bool = False) -> dict:
    return {"received": Count("pk"), **{name: Count("pk", filter=cond) for name, cond in CONDITIONS.items()
                                        if linked or name not in LINKED}}


def figures(qs: QuerySet[Petition]) -> dict:
    """The counts and rates, in one query whatever the period's size."""
    return with_rates(qs.aggregate(**_counts(linked=True)))


def summary(qs: QuerySet[Petition]) -> dict:
    """The contract's figures (API.md): counts, rates, and the four breakdowns."""
    result = figures(qs)
    for dim in ("channel", "source", "category", "status"):
        result[f"by_{dim}"] = {
            (row[dim] or "未分类"): row["n"]
            for row in qs.order_by().values(dim).annotate(n=Count("pk")).order_by("-n", dim)
        }
    return result


def breakdown(qs: QuerySet[Petition], by: str, *, linked: bool = True) -> list[dict]:
    """The KPIs per station, agent, channel, source, category, month or status. `linked=False`
    leaves out the repeat counts (their rates come back None), for pages that do not show them."""
    key = f"{by}_id" if by in NAMES else by
    base = qs.order_by()
    if by == "month":
        base = base.annotate(month=MonthOf("received_on"))
    rows = base.values(key).annotate(**_counts(linked=linked)).order_by(key)
    return _labelled(by, [(row[key], row) for row in rows], linked)


def twelve_months(user: User, end: datetime.date, station: int | None = None) -> list[dict]:
    """The 12-month trend ending with `end`'s month (the dashboard's and the monthly report's): one
    row per month, oldest first, keys as `breakdown(..., "month", linked=False)`; a month without
    petitions is there with zero counts and None rates. Raises Forbidden/NotFound like `scope`."""
    first = (end.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    rows = breakdown(scope(user, Period(first, end), station), "month", linked=False)
    found = {str(row["key"])[:7]: row for row in rows}
    empty = _labelled("month", [(None, {})], linked=False)[0]
    months, day = [], first
    while day <= end:
        key = f"{day:%Y-%m}"
        months.append({**empty, **found.get(key, {}), "key": key, "label": key})
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def _labelled(by: str, groups: list[tuple], linked: bool) -> list[dict]:
    names = dict(NAMES[by].objects.values_list("id", "name")) if by in NAMES else {}
    return [
        {"key": key, "label": names.get(key) if by in NAMES else key,
         **with_rates({k: counts.get(k, 0) for k in COUNTS}),
         **({} if linked else {"repeat_rate": None, "multi_channel_rate": None})}
        for key, counts in groups
    ]


def breakdowns(qs: QuerySet[Petition], dims: tuple[str, ...] = ("station", "agent", "category")) -> dict[str, list[dict]]:
    """Several breakdowns (without the repeat counts) from one grouped scan over all their keys."""
    keys = [f"{d}_id" if d in NAMES else d for d in dims]
    rows = list(qs.order_by().values(*keys).annotate(**_counts()))
    out = {}
    for dim, key in zip(dims, keys, strict=True):
        groups: dict = {}
        for row in rows:
            target = groups.setdefault(row[key], dict.fromkeys(COUNTS, 0))
            for name in COUNTS:
                target[name] += row.get(name, 0)
        ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, str(kv[0])))
        out[dim] = _labelled(dim, ordered, linked=False)
    return out


def as_of(period: Period, today: datetime.date) -> datetime.date:
    """The day the period's figures are judged on (超期): the period's last day, or today while the
    period runs. A January report generated in March shows January's."""
    return min(period.end, today)


def departments(qs: QuerySet[Petition], period: Period, *, today: datetime.date) -> list[dict]:
    """Per department: 处置单, answered, answered on time and urgings of the petitions received in the
    period (the cohort, as every other figure), and 超期: the petitions (件) with a 处置单 of the
    department whose deadline passed in the period unanswered (selectors.dispositions_overdue_in, judged
    as of `as_of(period, today)`), over every petition of the scope's stations whatever its month of
    receipt — what the list's filter `department` + `overdue_from`/`overdue_to` lists; ranked. On time
    and overdue read DISPOSITION_LIMIT.

    Three grouped queries whatever the number of petitions, none joining a row per 处置单 that it
    does not need: the cohort's 处置单 through the petitions' received-date index (the regulation's
    limit read only for a 处置单 without a date of its own), urgings counted per 处置单 by their
    index (a join would multiply the rows and need COUNT DISTINCT), the overdue ones through an
    index on `due_on` (`disposition_limit_idx`), and the departments' names once."""
    day = as_of(period, today)
    national = Petition.objects.filter(pk=OuterRef("petition_id")).values("national_due_on")[:1]
    urged = (Urging.objects.filter(disposition=OuterRef("pk")).order_by().values("disposition")
             .annotate(n=Count("pk")).values("n"))
    rows = (
        Disposition.objects.filter(**_through(qs, "petition")).order_by()
        .alias(limit=Coalesce(F("due_on"), Subquery(national)),
               urged=Coalesce(Subquery(urged, output_field=IntegerField()), 0))
        .values("department_id")
        .annotate(
            dispositions=Count("pk"),
            answered=Count("pk", filter=Q(status="answered")),
            on_time=Count("pk", filter=Q(status="answered") & (Q(limit__isnull=True) | Q(result_on__lte=F("limit")))),
            urgings=Sum("urged"),
        )
    )
    # The scope's stations (not its received dates), on the 处置单's own copy of its petition's station.
    stations = {k: v for k, v in qs.lookups.items() if not k.startswith("received_on")}
    late = dict(
        dispositions_overdue_in(period.start, day, Disposition.objects.filter(**stations).order_by())
        .values("department_id").annotate(n=Count("petition_id", distinct=True)).values_list("department_id", "n"))
    counts = {r["department_id"]: r for r in rows}
    names = dict(Department.objects.filter(pk__in=set(counts) | set(late)).values_list("pk", "name"))
    out = []
    for pk, name in names.items():
        r = counts.get(pk) or {"dispositions": 0, "answered": 0, "on_time": 0, "urgings": 0}
        out.append({
            "id": pk, "name": name, "dispositions": r["dispositions"], "answered": r["answered"],
            "on_time": r["on_time"], "overdue": late.get(pk, 0), "urgings": r["urgings"] or 0,
            "on_time_rate": None if not r["answered"] else round(r["on_time"] / r["answered"], 4),
        })
    # Best first: higher on-time rate, then fewer urgings (departments with nothing answered last).
    out.sort(key=lambda d: (d["on_time_rate"] is None, -(d["on_time_rate"] or 0), d["urgings"], d["name"]))
    for rank, row in enumerate(out, start=1):
        row["rank"] = rank
    return out


def follow_ups(qs: QuerySet[Petition]) -> dict:
    counts = qs.aggregate(
        terminated=Count("pk", filter=Q(terminated_on__isnull=False)),
        visited=Count("pk", filter=Q(followed_up_on__isnull=False)),
        within=Count("pk", filter=Q(followed_up_on__isnull=False, followed_up_on__lte=F("follow_up_due_on"))),
        rebound=Count("pk", filter=Q(rebound=True)),
    )
    counts["within_rate"] = None if not counts["visited"] else round(counts["within"] / counts["visited"], 4)
    return counts


def repeats(qs: QuerySet[Petition], user: User, limit: int = 200) -> list[dict]:
    """The repeat petitions of the scope, newest first, each with the earlier petition it repeats:
    named (id, number, dates, status) only when `user` may see it, else `earlier` is null and
    `earlier_elsewhere` true (another station's; existence does not leak). `multi_channel` is computed
    either way (the statistic counts it)."""
    links = list(PetitionLink.objects.filter(**_through(qs, "petition"))
                 .select_related("petition", "related").order_by("-petition_id", "-id")[:limit])
    shown = visible_ids(user, [link.related_id for link in links])
    return [{
        "id": link.petition_id, "number": link.petition.number, "received_on": link.petition.received_on,
        "channel": link.petition.channel, "source": link.petition.source,
        "earlier": {"id": link.related_id, "number": link.related.number, "received_on": link.related.received_on,
                    "channel": link.related.channel, "source": link.related.source, "status": link.related.status,
                    "review_level": link.related.review_level} if link.related_id in shown else None,
        "earlier_elsewhere": link.related_id not in shown,
        "multi_channel": (link.petition.channel, link.petition.source) != (link.related.channel, link.related.source),
        "score": link.score,
    } for link in links]



def double_checks(qs: QuerySet[Petition], period: Period) -> dict:
    """一案双查 opened in the period (by the day the review upheld the request, not the day the
    petition was received), within the scope's stations: how many, and how many of them are closed
    or still open now. One query."""
    from daiban.petitions.models import DoubleInvestigation

    lookups = {f"petition__{k}": v for k, v in qs.lookups.items() if not k.startswith("received_on")}
    return DoubleInvestigation.objects.filter(opened_on__gte=period.start, opened_on__lte=period.end, **lookups).aggregate(
        opened=Count("pk"), closed=Count("pk", filter=Q(closed_on__isnull=False)),
        open=Count("pk", filter=Q(closed_on__isnull=True)))
