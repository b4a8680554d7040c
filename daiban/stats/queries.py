"""Aggregation in the database: one grouped query per table, whatever the number of petitions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from daiban.lib.errors import Forbidden, NotFound
from daiban.org import roles
from daiban.org.models import Station, User
from daiban.petitions.models import Disposition, Petition, PetitionLink
from daiban.petitions.permissions import sees_everything, station_scope
from daiban.stats.kpi import CONDITIONS, with_rates

STATS_ROLES = (roles.CENTER, roles.ADMIN, roles.AGENT, *roles.STATION_LEADERS)
DIMENSIONS = {
    "station": ("station_id", "station__name"),
    "agent": ("agent_id", "agent__name"),
    "channel": ("channel", None),
    "source": ("source", None),
    "category": ("category", None),
    "month": ("month", None),
    "status": ("status", None),
}


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def previous(self) -> Period:
        days = (self.end - self.start).days + 1
        return Period(self.start - datetime.timedelta(days=days), self.start - datetime.timedelta(days=1))


def scope(user: User, period: Period, station: int | None = None) -> QuerySet[Petition]:
    """The petitions received in the period that this user's statistics cover."""
    if not user.has_role(*STATS_ROLES):
        raise Forbidden("您没有查看统计的权限")
    qs = Petition.objects.filter(received_on__gte=period.start, received_on__lte=period.end)
    if not sees_everything(user):
        qs = qs.filter(station_id__in=station_scope(user))
    if station:
        if not sees_everything(user) and station not in station_scope(user):
            raise NotFound("代办机构不存在")
        qs = qs.filter(station_id__in=station_tree(station))
    return qs


def station_tree(station_id: int) -> list[int]:
    parents = dict(Station.objects.values_list("id", "parent_id"))
    found, frontier = set(), {station_id}
    while frontier:
        found |= frontier
        frontier = {sid for sid, parent in parents.items() if parent in frontier} - found
    return sorted(found)


def _counts() -> dict:
    return {"received": Count("pk"), **{name: Count("pk", filter=cond) for name, cond in CONDITIONS.items()}}


def summary(qs: QuerySet[Petition]) -> dict:
    """The contract's figures (API.md): counts, rates, and the four breakdowns."""
    counts = qs.aggregate(**_counts())
    result = with_rates({k: counts[k] for k in ("received", "screened", "agency", "concluded", "concluded_on_time",
                                                  "rated", "satisfied", "repeat", "multi_channel", "online")})
    for dim in ("channel", "source", "category", "status"):
        result[f"by_{dim}"] = {
            (row[dim] or "未分类"): row["n"]
            for row in qs.order_by().values(dim).annotate(n=Count("pk")).order_by("-n", dim)
        }
    return result


def breakdown(qs: QuerySet[Petition], by: str) -> list[dict]:
    """The KPIs per station, agent, channel, source, category, month or status."""
    key, label = DIMENSIONS[by]
    base = qs.order_by()
    if by == "month":
        base = base.annotate(month=TruncMonth("received_on"))
    fields = [key] + ([label] if label else [])
    rows = base.values(*fields).annotate(**_counts()).order_by(key)
    out = []
    for row in rows:
        value = row[key]
        if by == "month" and value is not None:
            value = f"{value:%Y-%m}"
        counts = {k: row[k] for k in ("received", *CONDITIONS)}
        out.append({"key": value, "label": row[label] if label else value, **with_rates(counts)})
    return out


def departments(qs: QuerySet[Petition], *, today: datetime.date) -> list[dict]:
    """Per department: 处置单, answered, answered on time, open and overdue, urgings; ranked."""
    rows = (
        Disposition.objects.filter(petition__in=qs.values("pk")).order_by()
        .values("department_id", "department__name")
        .annotate(
            dispositions=Count("pk", distinct=True),
            answered=Count("pk", filter=Q(status="answered"), distinct=True),
            on_time=Count("pk", filter=Q(status="answered") & (Q(due_on__isnull=True) | Q(result_on__lte=F("due_on"))),
                          distinct=True),
            overdue=Count("pk", filter=Q(status__in=["routed", "received"], due_on__lt=today), distinct=True),
            urgings=Count("urgings", distinct=True),
        )
    )
    out = [{
        "id": r["department_id"], "name": r["department__name"], "dispositions": r["dispositions"],
        "answered": r["answered"], "on_time": r["on_time"], "overdue": r["overdue"], "urgings": r["urgings"],
        "on_time_rate": None if not r["answered"] else round(r["on_time"] / r["answered"], 4),
    } for r in rows]
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


def repeats(qs: QuerySet[Petition], limit: int = 200) -> list[dict]:
    links = (PetitionLink.objects.filter(petition__in=qs.values("pk"))
             .select_related("petition", "related").order_by("-petition__received_on", "-id")[:limit])
    return [{
        "id": link.petition_id, "number": link.petition.number, "received_on": link.petition.received_on,
        "channel": link.petition.channel, "source": link.petition.source,
        "earlier": {"id": link.related_id, "number": link.related.number, "received_on": link.related.received_on,
                    "channel": link.related.channel, "source": link.related.source, "status": link.related.status},
        "multi_channel": (link.petition.channel, link.petition.source) != (link.related.channel, link.related.source),
        "score": link.score,
    } for link in links]

