"""API v1: 一案双查 items (API.md 1.1): the list, one item, and its lifecycle (assign, findings, close).
Services check who may act; an item the user may not see answers 404."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Router, Schema
from pydantic import Field

from daiban.api import schemas as s
from daiban.api.common import ERRORS
from daiban.lib.errors import NotFound
from daiban.lib.text import CleanText
from daiban.org.requests import StaffRequest
from daiban.petitions import double_checks as dc

router = Router()

Findings = Annotated[CleanText, Field(max_length=5000)]


class AssignIn(Schema):
    assignee_id: s.Id


class FindingsIn(Schema):
    matter_findings: Findings
    handling_findings: Findings
    accountability: Findings = ""


class CloseIn(Schema):
    note: Findings = ""


@router.get("/double_checks", tags=["一案双查"], summary="一案双查列表", response={200: list[s.DoubleCheckOut], **ERRORS})
def double_check_list(request: StaffRequest,
                      status: Annotated[s.Line | None, s.one_of(dc.STATUS_LABELS)] = None) -> list[dict[str, Any]]:
    """`status`: open or closed (another is 400 naming 状态), all when absent."""
    return [dc.double_check_out(item) for item in dc.double_check_list(request.user, status)]


def _one(request: StaffRequest, item_id: int) -> dict[str, Any]:
    item = dc.double_check_list(request.user).filter(pk=item_id).first()
    if item is None:
        raise NotFound("一案双查事项不存在")
    return dc.double_check_out(item)


@router.get("/double_checks/{item_id}", tags=["一案双查"], summary="一案双查详情",
            response={200: s.DoubleCheckOut, **ERRORS})
def double_check_detail(request: StaffRequest, item_id: s.Id) -> dict[str, Any]:
    return _one(request, item_id)


@router.post("/double_checks/{item_id}/assign", tags=["一案双查"], summary="指派责任人（代办服务中心）",
             response={200: s.DoubleCheckOut, **ERRORS})
def double_check_assign(request: StaffRequest, item_id: s.Id, payload: AssignIn) -> dict[str, Any]:
    dc.double_check_assign(user=request.user, item_id=item_id, assignee_id=payload.assignee_id)
    return _one(request, item_id)


@router.post("/double_checks/{item_id}/findings", tags=["一案双查"], summary="填写查事、查人情况（责任人）",
             response={200: s.DoubleCheckOut, **ERRORS})
def double_check_findings(request: StaffRequest, item_id: s.Id, payload: FindingsIn) -> dict[str, Any]:
    dc.double_check_findings(user=request.user, item_id=item_id, data=payload.model_dump())
    return _one(request, item_id)


@router.post("/double_checks/{item_id}/close", tags=["一案双查"], summary="结束一案双查（代办服务中心）",
             response={200: s.DoubleCheckOut, **ERRORS})
def double_check_close(request: StaffRequest, item_id: s.Id, payload: CloseIn) -> dict[str, Any]:
    dc.double_check_close(user=request.user, item_id=item_id, note=payload.note)
    return _one(request, item_id)
