"""The petition list's own tools: rows picked for 批量催办 or 导出所选, and each user's 常用筛选.

Bulk urging goes through the same action as one urging (`urge` on each open 处置单 of each picked
petition, each in its own transaction with its own checks), so a petition the user may not urge is
skipped and named, never half-done. Saved filters keep only the list's own fields (the filter
form's), so a saved query string cannot carry anything else, and never a search by ID number or
phone (the number would be kept in clear text).
"""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse

from daiban.documents import services as documents
from daiban.documents.http import TYPES, content_disposition
from daiban.lib.errors import Conflict, Forbidden, Invalid, NotFound
from daiban.lib.text import UNDECODABLE_MESSAGE, clean_line, undecodable
from daiban.lib.validation import text_field
from daiban.org.models import User
from daiban.org.requests import StaffRequest
from daiban.petitions import search, services
from daiban.petitions.actions.base import TEXT_MAX
from daiban.petitions.choices import DispositionState
from daiban.petitions.models import Disposition
from daiban.petitions.permissions import visible_petitions
from daiban.staff.forms import PetitionFilterForm
from daiban.staff.models import SavedFilter
from daiban.staff.views.common import POST, id_param, staff_required

BULK_MAX = 100  # petitions urged at once: one list page or a few
FILTERS_MAX = 20  # saved filters per user
NAME_MAX = SavedFilter._meta.get_field("name").max_length or 30  # a saved filter's name
RAW_MAX = 1000  # the list's query string as posted, before only the list's fields are kept
QUERY_MAX = SavedFilter._meta.get_field("query").max_length or 500  # a saved filter's query string


def _picked(request: StaffRequest, limit: int) -> list[int]:
    ids = [i for i in (id_param(raw) for raw in request.POST.getlist("ids")) if i is not None]
    return list(dict.fromkeys(ids))[:limit]


def _back(request: StaffRequest) -> HttpResponse:
    query = request.POST.get("back", "")
    return redirect(reverse("staff:petitions") + ("?" + query if query and len(query) < 1000 else ""))


@staff_required("work_cases", methods=POST)
def bulk(request: StaffRequest) -> HttpResponse:
    """POST ids=… op=urge|export (note= for urging)."""
    op = request.POST.get("op")
    if op == "export":
        try:
            handle, name = documents.selected_ledger_file(request.user, _picked(request, documents.SELECTED_MAX))
        except Invalid as exc:
            messages.error(request, "；".join(exc.fields.values()))
            return _back(request)
        response = FileResponse(handle, content_type=TYPES["xlsx"])
        response["Content-Disposition"] = content_disposition(name)
        return cast(HttpResponse, response)  # streamed; the decorators only pass it on
    if op != "urge":
        messages.error(request, "请选择要执行的批量操作")
        return _back(request)
    ids = _picked(request, BULK_MAX)
    if not ids:
        messages.error(request, "请先勾选要催办的信访事项")
        return _back(request)
    try:  # checked once for all, as the urge action would check it for each
        note = text_field(request.POST, "note", "催办内容", required=False, max_length=TEXT_MAX) or "请在时限内办理并反馈结果"
    except Invalid as exc:
        messages.error(request, "；".join(exc.fields.values()))
        return _back(request)
    urged, skipped = _urge_all(request, ids, note)
    if urged:
        messages.success(request, f"已催办 {urged} 张处置单")
    if skipped:
        messages.warning(request, "未催办：" + "；".join(skipped[:10]) + ("…" if len(skipped) > 10 else ""))
    if not urged and not skipped:
        messages.info(request, "所选事项没有在办的处置单，无需催办")
    return _back(request)


def _urge_all(request: StaffRequest, ids: list[int], note: str) -> tuple[int, list[str]]:
    visible = dict(visible_petitions(request.user).filter(pk__in=ids).values_list("pk", "number"))
    open_ = (Disposition.objects.filter(petition_id__in=list(visible),
                                        status__in=[DispositionState.ROUTED, DispositionState.RECEIVED])
             .order_by("petition_id", "id").values_list("petition_id", "pk"))
    urged, skipped = 0, []
    for petition_id, disposition_id in open_:
        try:
            services.petition_act(petition_id=petition_id, action="urge", user=request.user,
                                  data={"disposition_id": disposition_id, "note": note})
            urged += 1
        except (Conflict, Forbidden, Invalid, NotFound) as exc:
            skipped.append(f"{visible[petition_id]}（{exc.message}）")
    # A petition refused for each of its 处置单 for the same reason (催办 not offered to this user) is
    # named once.
    return urged, list(dict.fromkeys(skipped))


@staff_required(methods=POST)
def filter_save(request: StaffRequest) -> HttpResponse:
    """Save the list's current filter under a name (the same name again replaces it). At most
    FILTERS_MAX per user, counted under a lock on the user's row (parallel saves queue, so the cap
    holds); a query longer than the field is refused, never cut (a cut could split a %-escape)."""
    raw_name = request.POST.get("name", "")
    name = clean_line(raw_name)
    raw = request.POST.get("query", "")
    form = PetitionFilterForm(_query_dict(raw))
    query = urlencode([(k, v) for k, v in form.data.items() if k in form.fields and v and k != "page"])
    if not name:
        messages.error(request, "常用筛选：请填写名称")
    elif not form.is_valid():  # a filter the list would refuse is not kept for later
        messages.error(request, f"常用筛选：筛选条件有误，未保存（{form.error_text()}）")
    elif search.is_identity(form.cleaned_data.get("q") or ""):
        # Kept, the number would sit in clear text in the filter's row, where every ID number and
        # phone is stored encrypted or as a keyed hash; and each use of it is a lookup of that person.
        messages.error(request, "常用筛选：按身份证号或电话的搜索不能保存（个人信息不以明文留存），请改用编号、姓名或其他条件")
    elif undecodable(raw_name):
        messages.error(request, "常用筛选：名称" + UNDECODABLE_MESSAGE)
    elif len(name) > NAME_MAX:  # refused, never cut
        messages.error(request, f"常用筛选：名称不能超过{NAME_MAX}字")
    elif not query:
        messages.error(request, "常用筛选：当前没有筛选条件可保存")
    elif len(raw) > RAW_MAX or len(query) > QUERY_MAX:
        messages.error(request, "常用筛选：筛选条件太长，无法保存，请减少筛选条件或缩短搜索词")
    elif not _save_filter(request.user, name, query):
        messages.error(request, f"常用筛选最多保存{FILTERS_MAX}个，请先删除不用的")
    else:
        messages.success(request, f"已保存常用筛选“{name}”")
    return redirect(reverse("staff:petitions") + (f"?{query}" if query else ""))


def _save_filter(user: User, name: str, query: str) -> bool:
    """Save or replace the user's filter `name`; False (nothing saved) when it would be one more
    than FILTERS_MAX. The user's row is locked first (SQLite: the IMMEDIATE transaction's lock)."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
        if SavedFilter.objects.filter(user=user).exclude(name=name).count() >= FILTERS_MAX:
            return False
        SavedFilter.objects.update_or_create(user=user, name=name, defaults={"query": query})
    return True


@staff_required(methods=POST)
def filter_delete(request: StaffRequest, pk: int) -> HttpResponse:
    SavedFilter.objects.filter(user=request.user, pk=pk).delete()  # someone else's: nothing happens
    return redirect("staff:petitions")


def _query_dict(raw: str) -> dict[str, str]:
    """The last value of each field of a query string (what the list's form reads); only its first
    RAW_MAX characters are read (filter_save refuses a longer one)."""
    return {k: str(v) for k, v in QueryDict(raw[:RAW_MAX]).items()}
