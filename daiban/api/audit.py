"""`GET /api/v1/audit`: the audit trail for the administrator and the center. There is no write route:
rows are only appended by the system, and DELETE or PUT answer 405."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from daiban.api.common import ERRORS
from daiban.api.schemas import LocalDateTime, one_of
from daiban.audit import selectors
from daiban.audit.models import Action as AuditAction
from daiban.lib.errors import Invalid
from daiban.lib.text import CleanLine
from daiban.lib.validation import PlausibleDate
from daiban.org.requests import StaffRequest
from daiban.petitions import counting
from daiban.petitions.abilities import require

router = Router(tags=["安全审计"])


class AuditEntryOut(Schema):
    seq: int
    at: LocalDateTime
    actor: str
    action: str
    target_type: str
    target_id: str
    target: str
    ip: str
    detail: dict
    hash: str


class AuditPage(Schema):
    items: list[AuditEntryOut]
    count: int
    page: int
    page_size: int


class AuditQuery(Schema):
    who: Annotated[CleanLine, Field(max_length=150)] = ""
    action: Annotated[CleanLine, Field(max_length=40), one_of(frozenset(AuditAction.values))] = ""
    target: Annotated[CleanLine, Field(max_length=200)] = ""
    from_: PlausibleDate | None = Field(None, alias="from")
    to: PlausibleDate | None = None
    page: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    page_size: Annotated[int, Field(ge=1, le=500)] = 50


@router.get("", response={200: AuditPage, **ERRORS}, summary="安全审计记录（系统管理员、代办服务中心）")
def audit_list(request: StaffRequest, query: Query[AuditQuery], response: HttpResponse):
    require(request.user, "view_audit")
    if query.page < 1 or not 1 <= query.page_size <= 500:
        raise Invalid.of({"page": "页码应从1开始，每页1至500条"})
    rows = selectors.entries(selectors.AuditFilters(
        who=query.who, action=query.action, target=query.target, start=query.from_, end=query.to))
    start = (query.page - 1) * query.page_size
    items = [
        {"seq": e.seq, "at": timezone.localtime(e.at), "actor": e.actor_username, "action": e.action,
         "target_type": e.target_type, "target_id": e.target_id, "target": e.target_label, "ip": e.ip,
         "detail": e.detail, "hash": e.hash}
        for e in rows[start:start + query.page_size]
    ]
    # Counted no further than a few pages past this one; X-Count-Exact: "false" means "at least count".
    total = counting.capped(rows, counting.cap_for(start, query.page_size))
    response["X-Count-Exact"] = "true" if total.exact else "false"
    return {"items": items, "count": total.value, "page": query.page, "page_size": query.page_size}
