"""What every API module shares: the error body of API.md, the error responses to document, and the
petition as the API shows it."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder

from daiban.api import schemas as s
from daiban.documents.archive import archive_state
from daiban.lib.errors import NotFound
from daiban.org.requests import StaffRequest
from daiban.petitions import selectors

ERRORS: dict[int, Any] = {400: s.ErrorOut, 401: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut,
                          413: s.ErrorOut, 429: s.ErrorOut}


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None,
                   **extra: Any) -> HttpResponse:
    """`{"error": {"code", "message", "fields", …}}` with that status."""
    body = {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}
    return HttpResponse(json.dumps(body, cls=NinjaJSONEncoder), status=status,
                        content_type="application/json; charset=utf-8")


def petition_out(request: StaffRequest, petition_id: int) -> dict[str, Any]:
    """The petition of `GET /petitions/{id}` for the requesting user (404 if they may not see it)."""
    petition = selectors.petition_for_detail(request.user, petition_id)
    if petition is None:
        raise NotFound("信访事项不存在")
    data = selectors.petition_detail(petition, request.user)
    state = archive_state(petition)
    data["archive"] = {"status": state.status, "sha256": state.sha256} if state else None
    return data
