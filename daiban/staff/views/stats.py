"""统计 dashboard: the plan's figures with their change, trends, breakdowns and the department ranking."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from daiban.lib.dates import RANGE_MESSAGE
from daiban.lib.errors import Forbidden, Invalid
from daiban.org.models import Station
from daiban.petitions import matters
from daiban.petitions.models import Channel, Source
from daiban.petitions.permissions import sees_everything, station_scope, stations_below, visible_petitions
from daiban.petitions.selectors import today
from daiban.staff.views.common import BadDate, BadParam, date_param, id_query, staff_required
from daiban.stats import queries
from daiban.stats.kpi import HIGHER_IS_BETTER, LABELS, RATE_LABELS, RATES
from daiban.stats.queries import Period


def _date(request, name: str, label: str, default: datetime.date) -> datetime.date:
    """A date from the query string, or the default when absent; a malformed one is told by name
    (common.date_param) and the default used."""
    try:
        return date_param(request, name, label) or default
    except BadDate as exc:
        messages.error(request, f"{exc}，已按{default:%Y-%m-%d}统计。")
        return default


def _figures(summary: dict, previous: dict | None) -> list[dict]:
    """The KPI cards; `previous` None (no whole calendar period to compare with): no change shown."""
    out = []
    for name, label in RATE_LABELS.items():
        now, before = summary[name], (previous or {}).get(name)
        delta = None if now is None or before is None else round((now - before) * 100, 1)
        good = None if not delta else (delta > 0) == (name in HIGHER_IS_BETTER)
        numerator, denominator = RATES[name]
        out.append({"name": name, "label": label, "value": now, "delta": delta, "good": good,
                    "size": None if delta is None else abs(delta),
                    "numerator": numerator, "numerator_label": LABELS[numerator], "n": summary[numerator],
                    "denominator": denominator,
                    "denominator_label": LABELS[denominator], "d": summary[denominator]})
    return out


def _station(request) -> int | None:
    """The station whose statistics are asked for (?station=), None for all the user's: BadParam
    naming 代办机构 for a value that is no id, no station's, or a station outside the user's scope
    (one answer for the last two, so existence does not leak)."""
    station = id_query(request.GET, "station", "代办机构")
    if station is not None and not _may_count(request.user, station):
        raise BadParam(f"代办机构取值无效（收到“{station}”）")
    return station


def _may_count(user, station: int) -> bool:
    """Whether `station` exists and lies within the user's statistics (queries.scope)."""
    return Station.objects.filter(pk=station).exists() and (sees_everything(user) or station in station_scope(user))


def _stations(user):
    stations = Station.objects.filter(level__in=["center", "station"])
    return stations if sees_everything(user) else stations.filter(pk__in=station_scope(user))


@staff_required("view_stats")
def dashboard(request):
    end = _date(request, "to", "结束日期", today())
    start = _date(request, "from", "开始日期", end.replace(month=1, day=1))
    try:
        station_id = _station(request)
    except BadParam as exc:  # said, not silently widened to every station, nor the 404 page
        messages.error(request, f"{exc}，已按全部可见机构统计。")
        station_id = None
    if start > end:
        messages.error(request, f"{RANGE_MESSAGE}，已从结束日期当天起统计。")
    period = Period(min(start, end), end)
    try:
        current = queries.scope(request.user, period, station_id)
        compared = queries.comparison(period, today())
        previous = queries.scope(request.user, compared.previous, station_id) if compared.previous else None
        trend = queries.twelve_months(request.user, end, station_id)
    except Forbidden as exc:  # statistics a role may not see are not there for it
        raise Http404(exc.message) from exc
    summary = queries.summary(current)
    tables = queries.breakdowns(current)  # one scan for the station, agent and category tables
    base = {"received_from": period.start.isoformat(), "received_to": period.end.isoformat()}
    if station_id:  # the station with those below it, as queries.scope counts it
        base["under"] = station_id
    elif not sees_everything(request.user) and request.user.station_id:
        # Without a station chosen the figures are the user's own station's and those below it
        # (queries.scope), not every petition the user may open (an agent chosen elsewhere).
        base["under"] = request.user.station_id
    link = lambda **extra: "/staff/petitions/?" + urlencode({**base, **extra})  # noqa: E731
    # 超期 is counted by the period in which the deadline passed, whatever the month of receipt
    # (queries.departments): its list is filtered by that period, not by the received dates.
    stations = {k: v for k, v in base.items() if not k.startswith("received_")}
    late_link = lambda department: "/staff/petitions/?" + urlencode({  # noqa: E731
        **stations, "department": department, "overdue_from": period.start.isoformat(), "overdue_to": period.end.isoformat()})
    channels, sources = dict(Channel.choices), dict(Source.choices)
    context = {
        "period": period, "comparison": compared, "station_id": station_id,
        "whole_links": _whole_links(compared, station_id),
        # Only the stations whose figures this user may see (another is refused by name: _station).
        "stations": _stations(request.user),
        "summary": summary, "figures": _figures(summary, queries.figures(previous) if previous is not None else None),
        "received_link": link(), "link_base": link(),
        "by_channel": [(channels.get(k, k), v, link(channel=k)) for k, v in summary["by_channel"].items()],
        "by_source": [(sources.get(k, k), v, link(source=k)) for k, v in summary["by_source"].items()],
        "by_category": [(r, link(category=r["key"] or "未分类")) for r in tables["category"]],
        "by_station": [(r, link(station=r["key"])) for r in tables["station"]],
        "by_agent": [(r, link(agent=r["key"]) if r["key"] else link(unassigned=1)) for r in tables["agent"]],
        "departments": [(d, link(department=d["id"]), late_link(d["id"])) for d in queries.departments(
            current, period, today=today())],
        "follow_ups": queries.follow_ups(current),
        "double_checks": queries.double_checks(current, period),
        "repeats": queries.repeats(current, request.user, limit=20),
        "hotspots": _hotspots(request.user, station_id),
        "trend": trend,
        "month": f"{end:%Y-%m}",
    }
    context["chart_data"] = {
        "trend": {"months": [t["key"] for t in trend], "received": [t["received"] for t in trend],
                  "agency_rate": [t["agency_rate"] for t in trend], "satisfaction_rate": [t["satisfaction_rate"] for t in trend]},
        "channel": [{"name": n, "value": v} for n, v, _ in context["by_channel"]],
        "category": {"names": [r["label"] or "未分类" for r, _ in context["by_category"]],
                     "values": [r["received"] for r, _ in context["by_category"]]},
        "departments": {"names": [d["name"] for d, _, _ in context["departments"]],
                        "on_time": [d["on_time_rate"] for d, _, _ in context["departments"]],
                        "urgings": [d["urgings"] for d, _, _ in context["departments"]]},
    }
    return render(request, "staff/stats.html", context)


def _whole_links(compared: queries.Comparison, station_id: int | None) -> list[tuple[str, str]]:
    """(label, url) of the latest whole periods, for a period that is not compared."""
    links = []
    for unit, whole in compared.wholes:
        params = {"from": whole.start.isoformat(), "to": whole.end.isoformat()}
        if station_id:
            params["station"] = str(station_id)
        links.append((f"查看{queries.period_name(whole, unit)}（完整的{queries.UNITS[unit]}，有环比）", "?" + urlencode(params)))
    return links


def _hotspots(user, station_id: int | None) -> list[matters.Hotspot]:
    """矛盾纠纷热点: clusters of similar open petitions of several petitioners, last 90 days."""
    visible = visible_petitions(user)
    if station_id:  # the station and those below it, as the figures beside it count
        visible = visible.filter(station_id__in=sorted(stations_below(station_id)))
    elif not sees_everything(user):  # the user's own stations, as the figures count (queries.scope)
        visible = visible.filter(station_id__in=sorted(station_scope(user)))
    return matters.hotspots(visible, today=today())


@staff_required("view_stats")
def report_download(request, fmt: str):
    from daiban.documents.http import download
    from daiban.stats import report

    if fmt not in ("docx", "pdf", "xlsx"):
        raise Http404("格式不存在")
    try:  # a malformed month or station is said on the dashboard, not answered as a missing page
        station = _station(request)
        period = report.parse_month(request.GET.get("month", ""))
    except BadParam as exc:
        messages.error(request, f"{exc}，未生成月度报告。")
        return redirect("staff:stats")
    except Invalid as exc:
        messages.error(request, f"{'；'.join(exc.fields.values())}，未生成月度报告。")
        return redirect("staff:stats")
    try:
        data, name = report.render(request.user, period, station, fmt)
    except (Invalid, Forbidden) as exc:  # a station this user may not see: not there for them
        raise Http404(exc.message) from exc
    return download(data, name, fmt)
