"""在办事项一览: a leader's view of the station's running cases by department and deadline.

For the station's 带班 / 分管 / 主要 leaders, the center and admin: every open 处置单 of the running
petitions they may see, grouped by department, earliest deadline first, with the department's
totals (exact, from one grouped query) and each row's 剩余/超期 working days. The rows are capped
(ROW_CAP, the earliest deadlines) so the page costs the same however many cases run.
"""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from daiban.lib.dates import today
from daiban.org.requests import StaffRequest
from daiban.petitions.choices import DispositionState
from daiban.petitions.models import Disposition
from daiban.petitions.permissions import visible_petitions
from daiban.petitions.selectors import DISPOSITION_LIMIT
from daiban.petitions.workflow import RUNNING
from daiban.staff.selectors import due_soon_until, mark_limits
from daiban.staff.views.common import staff_required

ROW_CAP = 300
OPEN = (DispositionState.ROUTED, DispositionState.RECEIVED)


@staff_required("station_overview")
def running(request: StaffRequest) -> HttpResponse:
    now = today()
    soon = due_soon_until(now)
    petitions = visible_petitions(request.user).filter(status__in=RUNNING).values("pk")
    open_ = Disposition.objects.filter(petition__in=petitions, status__in=OPEN)
    totals = list(open_.alias(limit=DISPOSITION_LIMIT).values("department_id", "department__name").annotate(
        open=Count("id"), overdue=Count("id", filter=Q(limit__lt=now)),  # 待定 past the regulation's limit too
        soon=Count("id", filter=Q(limit__gte=now, limit__lte=soon)),  # and 待定 near the regulation's limit
    ).order_by("-overdue", "-soon", "department__name"))
    # Up to ROW_CAP rows: what each row shows and nothing more (the department's name is its group's).
    rows = list(open_.select_related("petition", "petition__agent")
                .only("id", "due_on", "status", "department_id", "petition__id", "petition__number",
                      "petition__content", "petition__status", "petition__agent__name", "petition__national_due_on")
                .alias(limit_on=DISPOSITION_LIMIT).order_by(F("limit_on").asc(nulls_last=True), "id")[:ROW_CAP])
    mark_limits(rows, now)  # 剩余/超期 of every row (a 待定 one to its matter's limit), one calendar query
    by_department: dict[int, list[Disposition]] = {}
    for r in rows:
        # truncatechars:40 in Python: the template filter cost a fifth of the page at ROW_CAP rows.
        content = r.petition.content
        r.excerpt = content if len(content) <= 40 else content[:39] + "…"  # type: ignore[attr-defined]
        by_department.setdefault(r.department_id, []).append(r)
    groups = [{"total": t, "rows": by_department.get(t["department_id"], [])} for t in totals]
    context = {
        "groups": groups, "today": now, "soon": soon, "capped": len(rows) >= ROW_CAP, "cap": ROW_CAP,
        # The case pages' address without a reverse() per row (300 of them cost a third of the page).
        "case_base": reverse("staff:case", args=[1]).removesuffix("1/"),
        "sum_open": sum(t["open"] for t in totals), "sum_overdue": sum(t["overdue"] for t in totals),
        "sum_soon": sum(t["soon"] for t in totals),
    }
    return render(request, "staff/running.html", context)
