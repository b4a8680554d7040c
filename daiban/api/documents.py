"""API v1: documents (the two forms, the case archive, the ledger) and attachments."""

import json
from typing import Annotated

from django.http import FileResponse, HttpResponse
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from daiban.api import schemas as s
from daiban.api.common import ERRORS
from daiban.documents import services
from daiban.documents.archive import RETRY_AFTER_SECONDS, archive_state, request_rebuild
from daiban.documents.http import TYPES, content_disposition, download
from daiban.documents.models import Attachment
from daiban.lib.errors import NotFound
from daiban.lib.text import CleanLine
from daiban.org.requests import StaffRequest
from daiban.petitions.permissions import get_visible_petition

router = Router()
KINDS = frozenset(Attachment.Kind.values)
@router.get("/petitions/{petition_id}/forms/agency.{fmt}", tags=["文书"], summary="信访事项代办单（docx/pdf）",
         response={200: None, **ERRORS})
def agency_form(request: StaffRequest, petition_id: s.Id, fmt: s.Line):
    data, name = services.agency_form_file(request.user, petition_id, fmt, via="")
    return download(data, name, fmt)


@router.get("/dispositions/{disposition_id}/form.{fmt}", tags=["文书"], summary="信访事项处置单（docx/pdf）",
         response={200: None, **ERRORS})
def disposition_form(request: StaffRequest, disposition_id: s.Id, fmt: s.Line):
    data, name = services.disposition_form_file(request.user, disposition_id, fmt, via="")
    return download(data, name, fmt)


class NoticeOut(Schema):
    kind: str
    title: str
    available: bool


@router.get("/petitions/{petition_id}/notices", tags=["文书"], summary="告知书列表（哪些已可生成）",
            response={200: list[NoticeOut], **ERRORS})
def notice_list(request: StaffRequest, petition_id: s.Id):
    return services.notice_list(request.user, petition_id)


@router.get("/petitions/{petition_id}/notices/{kind}.{fmt}", tags=["文书"],
            summary="告知书（docx/pdf）：受理、不予代办、法定途径、延期、处理意见、复查、复核、回访",
            response={200: None, **ERRORS})
def notice_file(request: StaffRequest, petition_id: s.Id, kind: s.Line, fmt: s.Line):
    data, name = services.notice_file(request.user, petition_id, kind, fmt)
    return download(data, name, fmt)


@router.get("/petitions/{petition_id}/archive.zip", tags=["文书"], summary="案卷（一案一档）",
            description="归档后由后台生成：生成中答复202（Retry-After），生成后为封存的同一文件（X-Archive-SHA256）",
            response={200: None, 202: None, **ERRORS})
def archive_zip(request: StaffRequest, petition_id: s.Id):
    petition, data = services.archive_for(request.user, petition_id)
    if data is None:  # the worker is building it (or gave up: ask again)
        state = archive_state(petition)
        if state is not None and state.status == "failed":
            request_rebuild(petition, request.user)
        response = HttpResponse(json.dumps({"archive": {"status": "building", "sha256": None}}), status=202,
                                content_type="application/json; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    response = download(data, f"{petition.number}-案卷.zip", "zip")
    frozen = getattr(petition, "archive_file", None) if petition.status == "archived" else None
    if frozen is not None:
        response["X-Archive-SHA256"] = frozen.sha256
    return response


@router.get("/ledger.xlsx", tags=["文书"], summary="台账（按收到日期）", response={200: None, **ERRORS})
def ledger_xlsx(request: StaffRequest, from_: s.PlausibleDate | None = Query(None, alias="from"),  # noqa: B008
                to: s.PlausibleDate | None = None, station: s.Id | None = None):
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
    uploaded_at: s.LocalDateTime
    conduct: int | None = None


def attachment_out(a: Attachment) -> dict:
    return {"id": a.pk, "name": a.name, "kind": a.kind, "content_type": a.content_type, "size": a.size,
            "sha256": a.sha256, "uploaded_at": a.uploaded_at, "conduct": a.conduct_id}


@router.post("/petitions/{petition_id}/attachments", tags=["附件"], summary="上传附件（JPG、PNG、PDF；HEIC、WebP照片转为JPG或PNG保存）",
          response={200: AttachmentOut, 201: AttachmentOut, **ERRORS})
def attachment_upload(request: StaffRequest, petition_id: s.Id, file: File[UploadedFile] = None,  # type: ignore[assignment]  # ninja: optional upload
                      kind: Annotated[CleanLine, s.one_of(KINDS)] = Form(Attachment.Kind.DOCUMENT.value,  # noqa: B008
                                                                           max_length=20, description="letter、photo、document、other、evidence"),
                      conduct: Form[s.Id | None] = None):
    """`kind` (default `document`; one of letter, photo, document, other, evidence: another is 400
    naming 类别); `kind=evidence` with `conduct` (a conduct record's id, see record_conduct):
    evidence of that occurrence."""
    from ninja import Status

    attachment = services.attachment_add(petition_id=petition_id, user=request.user, upload=file, kind=kind,
                                         conduct=conduct)
    # The same file sent again by the same user (a retry): the attachment already kept, 200.
    return Status(200 if getattr(attachment, "repeated", False) else 201, attachment_out(attachment))


@router.get("/petitions/{petition_id}/attachments", tags=["附件"], summary="附件列表",
            response={200: list[AttachmentOut], **ERRORS})
def attachment_list(request: StaffRequest, petition_id: s.Id):
    petition = get_visible_petition(request.user, petition_id)
    return [attachment_out(a) for a in services.attachments_for(request.user, petition)]


@router.get("/attachments/{attachment_id}", tags=["附件"], summary="下载附件", response={200: None, **ERRORS})
def attachment_download(request: StaffRequest, attachment_id: s.Id):
    attachment = services.attachment_visible(request.user, attachment_id)
    if attachment is None:
        raise NotFound("附件不存在")
    return download(services.attachment_bytes(attachment), attachment.name, "", attachment.content_type)



@router.get("/judicial_referrals/{referral_id}/letter.{fmt}", tags=["文书"], summary="移送函（docx/pdf）",
            response={200: None, **ERRORS})
def referral_letter(request: StaffRequest, referral_id: s.Id, fmt: s.Line):
    data, name = services.referral_letter_file(request.user, referral_id, fmt, via="")
    return download(data, name, fmt)
