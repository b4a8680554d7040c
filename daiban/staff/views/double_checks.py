"""一案双查 pages: the list (open / closed) and one item with its steps (assign, findings, close).
The same services as the API; an item the user may not see is the 404 page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from daiban.lib.errors import Invalid, NotFound
from daiban.org.requests import StaffRequest
from daiban.petitions import double_checks as dc
from daiban.petitions.abilities import may
from daiban.staff.views.common import POST, REFUSALS, staff_required

STATUS_LABELS = {"": "全部", **dc.STATUS_LABELS}


@staff_required()
def double_check_list(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("status", "open").strip()
    if status not in STATUS_LABELS:  # said, not silently shown as another list
        messages.error(request, f"状态取值无效（收到“{status[:20]}”），已显示{STATUS_LABELS['open']}的一案双查。")
        status = "open"
    items = list(dc.double_check_list(request.user, status or None)[:500])
    return render(request, "staff/double_checks.html", {"items": items, "status": status, "statuses": STATUS_LABELS})


def _item(request: StaffRequest, pk: int) -> Any:
    item = dc.double_check_list(request.user).filter(pk=pk).first()
    if item is None:
        raise NotFound("一案双查事项不存在")
    return item


@staff_required()
def double_check_page(request: StaffRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    user = request.user
    manage = may(user, "manage_double_checks") and item.closed_on is None
    return render(request, "staff/double_check.html", {
        "item": item, "may_assign": manage, "may_close": manage and bool(item.matter_findings),
        "may_record": item.closed_on is None and item.assignee_id == user.pk,
        "assignees": dc.assignee_choices(item.petition) if manage else [],
    })


STEPS = {
    "assign": lambda request, pk: dc.double_check_assign(user=request.user, item_id=pk,
                                                         assignee_id=request.POST.get("assignee_id")),
    "findings": lambda request, pk: dc.double_check_findings(user=request.user, item_id=pk, data=request.POST.dict()),
    "close": lambda request, pk: dc.double_check_close(user=request.user, item_id=pk, note=request.POST.get("note", "")),
}
DONE = {"assign": "已指派责任人。", "findings": "已填写查明情况。", "close": "一案双查已结束。"}


@staff_required(methods=POST)
def double_check_step(request: StaffRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:  # the URL's converter matches only STEPS (staff/urls.py)
        raise Http404("页面不存在")
    try:
        STEPS[step](request, pk)
    except REFUSALS as exc:
        messages.error(request, "；".join(exc.fields.values()) if isinstance(exc, Invalid) else exc.message)
    else:
        messages.success(request, DONE[step])
    return redirect("staff:double_check", pk)
