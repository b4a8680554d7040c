"""API v1: statistics (API.md, Statistics) and the monthly report."""

import datetime
from typing import Literal

from ninja import Query, Router, Schema
from pydantic import Field

from daiban.api import schemas as s
from daiban.api.common import ERRORS as COMMON_ERRORS
from daiban.documents.http import download
from daiban.lib.errors import Invalid
from daiban.lib.validation import register_labels
from daiban.org.requests import StaffRequest
from daiban.petitions.selectors import today
from daiban.stats import queries, report
from daiban.stats.queries import Period

ERRORS = {code: body for code, body in COMMON_ERRORS.items() if code not in (409, 429)}
router = Router()


class StatsOut(Schema):
    received: int
    screened: int
    agency: int
    concluded: int
    concluded_on_time: int
    rated: int
    satisfied: int
    repeat: int
    multi_channel: int
    online: int
    agency_rate: float | None
    closure_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    repeat_rate: float | None
    multi_channel_rate: float | None
    online_rate: float | None
    by_channel: dict[str, int]
    by_source: dict[str, int]
    by_category: dict[str, int]
    by_status: dict[str, int]
    double_checks: dict[str, int] = Field(description="一案双查：期间启动的件数（opened），其中已结束（closed）、未结束（open）")


def period(start: datetime.date | None, end: datetime.date | None) -> Period:
    end = end or today()
    start = start or end.replace(month=1, day=1)
    if end < start:
        raise Invalid.of({"to": "结束日期不能早于开始日期"})
    return Period(start, end)


@router.get("/stats", response={200: StatsOut, **ERRORS}, tags=["统计"], summary="代办率、办结率、满意率等指标")
def stats(request: StaffRequest, from_: s.PlausibleDate | None = Query(None, alias="from"),  # noqa: B008
          to: s.PlausibleDate | None = None, station: s.Id | None = None):
    span = period(from_, to)
    qs = queries.scope(request.user, span, station)
    return {**queries.summary(qs), "double_checks": queries.double_checks(qs, span)}


# What each grouping of the breakdown is, for the 400 naming another (lib.validation.choice_message).
BY_LABELS = register_labels({"station": "按代办机构", "agent": "按代办员", "channel": "按渠道", "source": "按来源",
                             "category": "按内容分类", "month": "按月份", "status": "按状态"})


@router.get("/stats/breakdown", tags=["统计"], summary="按机构、代办员、渠道、来源、分类、月份、状态分组的指标",
         response={200: list[dict], **ERRORS})
def stats_breakdown(request: StaffRequest, by: Literal["station", "agent", "channel", "source", "category", "month", "status"],
                    from_: s.PlausibleDate | None = Query(None, alias="from"),  # noqa: B008
                    to: s.PlausibleDate | None = None, station: s.Id | None = None):
    return queries.breakdown(queries.scope(request.user, period(from_, to), station), by)


@router.get("/stats/departments", tags=["统计"], summary="事权单位按期办结率与催办次数排名",
         response={200: list[dict], **ERRORS})
def stats_departments(request: StaffRequest, from_: s.PlausibleDate | None = Query(None, alias="from"),  # noqa: B008
                      to: s.PlausibleDate | None = None, station: s.Id | None = None):
    span = period(from_, to)
    return queries.departments(queries.scope(request.user, span, station), span, today=today())


@router.get("/stats/follow_ups", tags=["统计"], summary="15日内回访的比例", response={200: dict, **ERRORS})
def stats_follow_ups(request: StaffRequest, from_: s.PlausibleDate | None = Query(None, alias="from"),  # noqa: B008
                     to: s.PlausibleDate | None = None, station: s.Id | None = None):
    return queries.follow_ups(queries.scope(request.user, period(from_, to), station))


@router.get("/stats/repeats", tags=["统计"], summary="重复信访及其以前的信访事项", response={200: list[dict], **ERRORS})
def stats_repeats(request: StaffRequest, from_: s.PlausibleDate | None = Query(None, alias="from"),  # noqa: B008
                  to: s.PlausibleDate | None = None, station: s.Id | None = None):
    return queries.repeats(queries.scope(request.user, period(from_, to), station), request.user)


@router.get("/stats/report.{fmt}", tags=["统计"], summary="月度报告（docx/pdf/xlsx）", response={200: None, **ERRORS})
def stats_report(request: StaffRequest, fmt: s.Line, month: s.Line, station: s.Id | None = None):
    if fmt not in ("docx", "pdf", "xlsx"):
        raise Invalid.of({"fmt": "格式应为docx、pdf或xlsx"})
    data, name = report.render(request.user, report.parse_month(month), station, fmt)
    return download(data, name, fmt)
