"""The request being served, for audit rows written far from the view (model saves, signals)."""

from __future__ import annotations

import contextvars

from django.http import HttpRequest

current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "daiban_audit_request", default=None
)
