"""Guards in front of the API that answer in its error format (API.md, Conventions) before a view
runs: a body over the size limit is 413 without being read, and a path with control characters is
400 (no id, number or file name contains one)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from daiban.api.common import error_response
from daiban.lib.text import has_unsafe

API_PREFIX = "/api/"
MULTIPART_MARGIN = 256 * 1024  # multipart headers and form fields around one attachment


def api_error(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> HttpResponse:
    return error_response(status, code, message, fields)


def body_limit(request: HttpRequest) -> int:
    """Bytes a request to the API may send: one attachment (multipart) or a JSON body."""
    if request.content_type == "multipart/form-data":
        return settings.DAIBAN_ATTACHMENT_MAX_BYTES + MULTIPART_MARGIN
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


def too_large(limit: int) -> HttpResponse:
    size = f"{limit / (1024 * 1024):.1f}".rstrip("0").rstrip(".")
    return api_error(413, "too_large", f"请求内容过大，不能超过{size}MB")


class ApiGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return api_error(400, "invalid", "请求头Content-Length不正确")
            limit = body_limit(request)
            if length > limit:
                return too_large(limit)
            if has_unsafe(request.path) or "\n" in request.path or "\t" in request.path:
                return api_error(400, "invalid", "请求地址含有控制字符", {"path": "请求地址含有控制字符"})
            if request.method == "HEAD":
                return _head(self.get_response, request)
            return _in_api_format(self.get_response(request))
        return self.get_response(request)


def _head(get_response: Callable[[HttpRequest], HttpResponse], request: HttpRequest) -> HttpResponse:
    """HEAD answered as GET without the body (RFC 9110 9.3.2: every GET resource takes HEAD, as the
    staff pages and the portal do; django-ninja declares GET alone and answered 405). The headers,
    the status and Content-Length are the GET's."""
    request.method = "GET"
    try:
        response = _in_api_format(get_response(request))
    finally:
        request.method = "HEAD"
    if not getattr(response, "streaming", False):
        length = len(response.content)
        response.content = b""
        response["Content-Length"] = str(length)
    return response


def _in_api_format(response: HttpResponse) -> HttpResponse:
    """A method the path does not take: django-ninja answers 405 in plain text; the API answers every
    error in its own format (API.md, Conventions), keeping the Allow header."""
    if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
        answer = api_error(405, "method_not_allowed", "该接口不支持此请求方法")
        if response.has_header("Allow"):
            allowed = [m.strip() for m in response["Allow"].split(",") if m.strip()]
            if "GET" in allowed and "HEAD" not in allowed:  # answered as GET (_head)
                allowed.insert(allowed.index("GET") + 1, "HEAD")
            answer["Allow"] = ", ".join(allowed)
        return answer
    return response
