"""The audit page for the administrator and the center: filters, paging, XLSX export."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from daiban.audit import selectors
from daiban.audit.export import write_audit
from daiban.audit.models import Action
from daiban.audit.services import record
from daiban.lib.dates import RANGE_MESSAGE
from daiban.petitions import counting
from daiban.staff.views.common import BadDate, date_param, staff_required

PAGE_SIZE = 50


def _date(request, name: str, label: str) -> datetime.date | None:
    try:
        return date_param(request, name, label)
    except BadDate as exc:  # said, and searched without it
        messages.error(request, f"{exc}，已忽略该日期。")
        return None


def _filters(request) -> selectors.AuditFilters:
    get = request.GET
    start, end = _date(request, "from", "开始日期"), _date(request, "to", "结束日期")
    if start and end and start > end:  # an impossible range: say so, and search without it
        messages.error(request, f"{RANGE_MESSAGE}，已忽略该日期范围。")
        start = end = None
    return selectors.AuditFilters(
        who=get.get("who", "").strip()[:150], action=get.get("action", "").strip(),
        target=get.get("target", "").strip()[:200], start=start, end=end,
    )


@staff_required("view_audit")
def audit_page(request):
    filters = _filters(request)
    # The trail grows with every view of personal data: counted no further than the pages near this one.
    rows = counting.CappedRows(selectors.entries(filters), request.GET.get("page"), PAGE_SIZE)
    paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/audit.html", {
        "page": page, "count_exact": rows.exact, "filters": filters, "actions": Action.choices,
        "query": query.urlencode(),
    })


@staff_required("view_audit")
def audit_xlsx(request):
    filters = _filters(request)
    rows = selectors.entries(filters)
    record(Action.EXPORT_AUDIT, detail={"count": rows.count(), "who": filters.who, "action": filters.action,
                                        "from": str(filters.start or ""), "to": str(filters.end or "")})
    response = FileResponse(write_audit(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"安全审计记录-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
