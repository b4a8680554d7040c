"""The audit page for the administrator and the center: filters, paging, XLSX export."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from daiban.audit import selectors
from daiban.audit.export import write_audit
from daiban.audit.models import Action
from daiban.audit.services import record
from daiban.lib.dates import RANGE_MESSAGE
from daiban.petitions import counting
from daiban.staff.views.common import BadDate, BadParam, choice_query, date_param, page_param, staff_required

PAGE_SIZE = 50


def _filters(request) -> tuple[selectors.AuditFilters, list[str]]:
    """The audit filters of the query string, and what was refused of them, each naming its field
    (a malformed date, an impossible range, an unknown event): searched without it."""
    get, refused = request.GET, []
    dates: dict[str, datetime.date | None] = {}
    for name, label in (("from", "开始日期"), ("to", "结束日期")):
        try:
            dates[name] = date_param(request, name, label)
        except BadDate as exc:
            refused.append(f"{exc}，已忽略该日期。")
            dates[name] = None
    start, end = dates["from"], dates["to"]
    if start and end and start > end:  # an impossible range: say so, and search without it
        refused.append(f"{RANGE_MESSAGE}，已忽略该日期范围。")
        start = end = None
    try:
        action = choice_query(get, "action", "事件", Action.values) or ""
    except BadParam as exc:  # a forged or stale code: said by the field's name, never shown as a code
        refused.append(f"{exc}，已忽略该条件。")
        action = ""
    filters = selectors.AuditFilters(
        who=get.get("who", "").strip()[:150], action=action,
        target=get.get("target", "").strip()[:200], start=start, end=end,
    )
    return filters, refused


@staff_required("view_audit")
def audit_page(request):
    filters, refused = _filters(request)
    for text in refused:
        messages.error(request, text)
    # The trail grows with every view of personal data: counted no further than the pages near this one.
    wanted = page_param(request)
    rows = counting.CappedRows(selectors.entries(filters), wanted, PAGE_SIZE)
    paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(wanted)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/audit.html", {
        "page": page, "count_exact": rows.exact, "filters": filters, "actions": Action.choices,
        "query": query.urlencode(),
    })


@staff_required("view_audit")
def audit_xlsx(request):
    filters, refused = _filters(request)
    if refused:  # not another export than the one asked for: the page says what was refused
        messages.error(request, "筛选条件有误，未导出。")
        return redirect(reverse("staff:audit") + "?" + request.GET.urlencode())
    rows = selectors.entries(filters)
    record(Action.EXPORT_AUDIT, detail={"count": rows.count(), "who": filters.who, "action": filters.action,
                                        "from": str(filters.start or ""), "to": str(filters.end or "")})
    response = FileResponse(write_audit(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"安全审计记录-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
