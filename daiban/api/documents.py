"""API v1: documents (the two forms, the case archive, the ledger) and attachments."""

import datetime

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Schema
from ninja.files import UploadedFile

from daiban.api import schemas as s
from daiban.api.main import api
from daiban.documents import services
from daiban.documents.http import TYPES, content_disposition, download
from daiban.documents.models import Attachment
from daiban.lib.errors import NotFound
from daiban.petitions.permissions import visible_petitions

ERRORS = {400: s.ErrorOut, 401: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut}
@api.get("/petitions/{petition_id}/forms/agency.{fmt}", tags=["文书"], summary="信访事项代办单（docx/pdf）",
         response={200: None, **ERRORS})
def agency_form(request: HttpRequest, petition_id: int, fmt: str):
    data, name = services.agency_form_file(request.user, petition_id, fmt, via="")
    return download(data, name, fmt)


@api.get("/dispositions/{disposition_id}/form.{fmt}", tags=["文书"], summary="信访事项处置单（docx/pdf）",
         response={200: None, **ERRORS})
def disposition_form(request: HttpRequest, disposition_id: int, fmt: str):
    data, name = services.disposition_form_file(request.user, disposition_id, fmt, via="")
    return download(data, name, fmt)


class NoticeOut(Schema):
    kind: str
    title: str
    available: bool


@api.get("/petitions/{petition_id}/notices", tags=["文书"], summary="告知书列表（哪些已可生成）",
         response={200: list[NoticeOut], **ERRORS})
def notice_list(request: HttpRequest, petition_id: int):
    return services.notice_list(request.user, petition_id)


@api.get("/petitions/{petition_id}/notices/{kind}.{fmt}", tags=["文书"],
         summary="告知书（docx/pdf）：受理、不予代办、法定途径、延期、处理意见、复查、复核、回访",
         response={200: None, **ERRORS})
def notice_file(request: HttpRequest, petition_id: int, kind: str, fmt: str):
    data, name = services.notice_file(request.user, petition_id, kind, fmt)
    return download(data, name, fmt)


@api.get("/petitions/{petition_id}/archive.zip", tags=["文书"], summary="案卷（一案一档）",
         response={200: None, **ERRORS})
def archive_zip(request: HttpRequest, petition_id: int):
    petition, data = services.archive_for(request.user, petition_id)
    response = download(data, f"{petition.number}-案卷.zip", "zip")
    frozen = getattr(petition, "archive_file", None) if petition.status == "archived" else None
    if frozen is not None:
        response["X-Archive-SHA256"] = frozen.sha256
    return response


@api.get("/ledger.xlsx", tags=["文书"], summary="台账（按收到日期）", response={200: None, **ERRORS})
def ledger_xlsx(request: HttpRequest, from_: datetime.date | None = Query(None, alias="from"),  # noqa: B008
                to: datetime.date | None = None, station: int | None = None):
    handle, name = services.ledger_file(request.user, start=from_, end=to, station=station)
    response = FileResponse(handle, content_type=TYPES["xlsx"])
    response["Content-Disposition"] = content_disposition(name)
    return response


class AttachmentOut(Schema):
    id: int
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime.datetime


def attachment_out(a: Attachment) -> dict:
    return {"id": a.pk, "name": a.name, "kind": a.kind, "content_type": a.content_type, "size": a.size,
            "sha256": a.sha256, "uploaded_at": a.uploaded_at}


@api.post("/petitions/{petition_id}/attachments", tags=["附件"], summary="上传附件（JPG、PNG、PDF）",
          response={201: AttachmentOut, **ERRORS})
def attachment_upload(request: HttpRequest, petition_id: int, file: File[UploadedFile] = None,
                      kind: Form[str] = "document"):
    from ninja import Status

    attachment = services.attachment_add(petition_id=petition_id, user=request.user, upload=file, kind=kind)
    return Status(201, attachment_out(attachment))


@api.get("/petitions/{petition_id}/attachments", tags=["附件"], response={200: list[AttachmentOut], **ERRORS})
def attachment_list(request: HttpRequest, petition_id: int):
    petition = visible_petitions(request.user).filter(pk=petition_id).first()
    if petition is None:
        raise NotFound("信访事项不存在")
    return [attachment_out(a) for a in petition.attachments.all()]


@api.get("/attachments/{attachment_id}", tags=["附件"], summary="下载附件", response={200: None, **ERRORS})
def attachment_download(request: HttpRequest, attachment_id: int):
    attachment = services.attachment_visible(request.user, attachment_id)
    if attachment is None:
        raise NotFound("附件不存在")
    return download(services.attachment_bytes(attachment), attachment.name, "", attachment.content_type)

