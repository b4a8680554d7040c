"""Document downloads and attachment uploads from the staff pages (same services as the API)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect

from daiban.documents import services
from daiban.documents.archive import archive_state, request_rebuild
from daiban.documents.http import TYPES, content_disposition, download
from daiban.lib.errors import Invalid
from daiban.staff.views.common import (
    POST,
    REFUSALS,
    BadParam,
    choice_query,
    date_param,
    staff_required,
    station_query,
)


@staff_required()
def agency_form(request, pk: int, fmt: str):
    data, name = services.agency_form_file(request.user, pk, fmt, via="page-")
    return download(data, name, fmt)


@staff_required()
def disposition_form(request, pk: int, fmt: str):
    data, name = services.disposition_form_file(request.user, pk, fmt, via="page-")
    return download(data, name, fmt)


@staff_required()
def notice(request, pk: int, kind: str, fmt: str):
    data, name = services.notice_file(request.user, pk, kind, fmt)
    return download(data, name, fmt)


@staff_required()
def archive_zip(request, pk: int):
    petition, data = services.archive_for(request.user, pk)
    if data is None:
        state = archive_state(petition)
        if state is not None and state.status == "failed":
            request_rebuild(petition, request.user)
        messages.info(request, "案卷正在生成，请稍后再下载。")
        return redirect("staff:case", pk)
    return download(data, f"{petition.number}-案卷.zip", "zip")


@staff_required(methods=POST)
def attachment_upload(request, pk: int):
    try:
        attachment = services.attachment_add(petition_id=pk, user=request.user, upload=request.FILES.get("file"),
                                             kind=request.POST.get("kind") or "document",
                                             conduct=request.POST.get("conduct") or None)
    except REFUSALS as exc:
        messages.error(request, "；".join(exc.fields.values()) if isinstance(exc, Invalid) else exc.message)
    else:
        if getattr(attachment, "repeated", False):
            messages.info(request, f"该文件已上传过（{attachment.name}），未重复保存。")
        else:
            messages.success(request, f"已上传附件：{attachment.name}")
    return redirect("staff:case", pk)


@staff_required()
def attachment_download(request, pk: int):
    attachment = services.attachment_visible(request.user, pk)
    if attachment is None:
        raise Http404("附件不存在")
    return download(services.attachment_bytes(attachment), attachment.name, "", attachment.content_type)


@staff_required()
def ledger_xlsx(request):
    try:  # a malformed date or station is refused: the whole ledger is not what was asked for
        start, end = date_param(request, "from", "开始日期"), date_param(request, "to", "结束日期")
        station = station_query(request.GET)
        handle, name = services.ledger_file(request.user, start=start, end=end, station=station)
    except BadParam as exc:
        messages.error(request, str(exc))
        return redirect("staff:petitions")
    except Invalid as exc:
        messages.error(request, "；".join(exc.fields.values()))
        return redirect("staff:petitions")
    response = FileResponse(handle, content_type=TYPES["xlsx"])
    response["Content-Disposition"] = content_disposition(name)
    return response


def _paper(request) -> str | None:
    """The paper size asked for (a4 when none, a3); None, with the refusal said, for another value."""
    try:
        return choice_query(request.GET, "size", "纸张大小", services.PAPER) or "a4"
    except BadParam as exc:
        messages.error(request, f"{exc}，请选择A4或A3。")
        return None


@staff_required()
def flowchart_pdf(request):
    size = _paper(request)
    if size is None:
        return redirect("staff:flowchart")
    return download(services.flowchart_pdf(size), f"信访代办服务室工作流程图-{size.upper()}.pdf", "pdf")


@staff_required()
def board_pdf(request):
    size = _paper(request)
    if size is None:
        return redirect("staff:board")
    return download(services.agent_board_pdf(size), f"信访代办员公示-{size.upper()}.pdf", "pdf")


@staff_required()
def referral_letter(request, pk: int, fmt: str):
    data, name = services.referral_letter_file(request.user, pk, fmt, via="page-")
    return download(data, name, fmt)
