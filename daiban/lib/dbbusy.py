"""A database that ends a transaction because another one holds what it needs (a deadlock the
server broke, a serialization failure, SQLite's lock timeout) is not a server fault: the person is
told that someone else was acting at the same moment and to try again (409), never a 500 page.

The code takes its locks in one order so that this does not happen (petitions.corrections, the
dispatcher); this is the net for an order nobody thought about. The transaction was rolled back
whole, so nothing was half-done."""

from __future__ import annotations

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# deadlock_detected, serialization_failure, lock_not_available (PostgreSQL SQLSTATE).
_TRANSIENT_STATES = frozenset({"40P01", "40001", "55P03"})
MESSAGE = "该事项正被他人同时办理，本次操作未保存，请稍后重试"


def transient(exc: BaseException) -> bool:
    """Is `exc` the database refusing because of another transaction at the same moment?"""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if state in _TRANSIENT_STATES:
        return True
    return "database is locked" in str(exc)  # SQLite, past its timeout


class BusyMiddleware:
    """Staff and portal pages: a transient refusal answers the 409 page saying so."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not transient(exc):
            return None
        html = render_to_string("400.html", {"message": MESSAGE, "title": "请稍后重试"}, request=request)
        return HttpResponse(html, status=409)
