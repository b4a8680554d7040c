from __future__ import annotations

from daiban.audit.context import current_request


class AuditContextMiddleware:
    """Makes the request available to audit records written by models and signal receivers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
