"""API v1: the NinjaAPI object, bearer authentication, the error format of API.md, and the routers
of the modules (each module has its own; none imports this one).

Every string a client sends (JSON bodies, query strings, form fields) is cleaned by CleanParser
with daiban.lib.text before any schema sees it, so a new endpoint cannot forget it; every error,
the framework's own included, answers in the error format with a Chinese message."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from daiban.api import actions, audit, documents, double_checks, public, stats, views
from daiban.api.common import error_response
from daiban.api.middleware import body_limit, too_large
from daiban.api.models import ApiToken
from daiban.api.schemas import FIELD_LABELS, QUERY_LABELS, URL_LABELS
from daiban.lib import dbbusy
from daiban.lib.errors import RateLimited, ServiceError
from daiban.lib.text import clean_any
from daiban.lib.validation import ascii_digits, field_messages, message
from daiban.org.models import User

# Values passed on exactly as sent: a password is checked as typed.
_UNCLEANED = frozenset({"password", "otp"})


class CleanParser(Parser):
    """JSON bodies and query or form data, with every string cleaned (daiban.lib.text)."""

    def parse_body(self, request: HttpRequest) -> Any:
        return clean_any(json.loads(request.body), skip=_UNCLEANED)

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        return clean_any(super().parse_querydict(data, list_fields, request), skip=_UNCLEANED)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user, row = ApiToken.user_for(token)
        if user is None:
            return None
        request.user = user
        request.api_token = row  # type: ignore[attr-defined]
        return user


class CachedSchemaAPI(NinjaAPI):
    """The OpenAPI schema is built once per path prefix: the operations are fixed when the URLs load,
    and building it took 1.3–7 s per request of /api/v1/openapi.json and /api/v1/docs."""

    _schemas: dict[str, Any]

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_schemas", {})
        if path_prefix not in cache:
            cache[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return cache[path_prefix]


api = CachedSchemaAPI(
    title="信访代办 API",
    version="1",
    description=(f"{settings.DAIBAN_REGION_NAME}信访代办制系统接口。认证：先 POST /auth/token 取得令牌，"
                 "再以 Authorization: Bearer <令牌> 调用。错误一律为 {\"error\": {\"code\", \"message\", \"fields\"}}："
                 "看不到的对象 404，看得到但无权操作 403，状态不允许 409，输入有误 400（fields 指出字段）。"
                 "规则详见项目 README（The rules, briefly）。"),
    auth=BearerToken(),
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api-v1",
    parser=CleanParser(),
)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    response = error_response(exc.status, exc.code, exc.message, exc.fields, **exc.extra)
    return exc.stamp(response) if isinstance(exc, RateLimited) else response


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, "unauthorized", "未登录或登录已过期，请重新获取令牌")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", "对象不存在")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc.message)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        return error_response(400, "invalid", "请求内容不是有效的JSON（UTF-8）", {"body": "请求内容不是有效的JSON"})
    return error_response(exc.status_code, "error", message)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return too_large(body_limit(request))


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return error_response(400, "invalid", "上传内容格式不正确（multipart/form-data）", {"file": "上传内容格式不正确"})


@api.exception_handler(OperationalError)
def _database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    if not dbbusy.transient(exc):
        raise exc
    return error_response(409, "busy", dbbusy.MESSAGE)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if any(error.get("type") == "json_invalid" or not error.get("loc") for error in exc.errors):
        return error_response(400, "invalid", "请求内容不是有效的JSON", {"body": "请求内容不是有效的JSON"})
    match = request.resolver_match
    action_input = actions.INPUTS.get(match.url_name or "") if match else None
    # An action's own labels first; its path (petition_id, …) and body (payload) are named as elsewhere.
    url_labels = URL_LABELS.get(match.url_name or "", {}) if match else {}
    labels, choose = ({**FIELD_LABELS, **action_input.labels()}, action_input.choice_fields()) if action_input \
        else ({**FIELD_LABELS, **url_labels}, set())
    # loc is ("body", "<param>", field, …) for bodies and ("query", field) for query strings.
    fields: dict[str, str] = {}
    for error in [_with_input(request, e) for e in exc.errors]:
        if error["loc"][0] == "body" and len(error["loc"]) == 2:  # the body itself (null, a list, a number)
            fields.setdefault("body", message(error, "请求内容"))
            continue
        skip = 2 if error["loc"][0] == "body" and len(error["loc"]) > 2 else 1
        own = QUERY_LABELS if error["loc"][0] == "query" else {}
        fields.update({k: v for k, v in field_messages([error], {**labels, **own}, skip=skip, choose=choose).items()
                       if k not in fields})
    return error_response(400, "invalid", "；".join(fields.values()) or "请求内容不正确", fields)


def _with_input(request: HttpRequest, error: dict[str, Any]) -> dict[str, Any]:
    """`error` with the value received at its `loc` (django-ninja leaves pydantic's `input` out), so a
    value outside a list is said back ("收到“…”"); only for a value outside a list, only as text."""
    if "input" in error or error.get("type") not in ("enum", "literal_error"):
        return error
    loc = [str(p) for p in error.get("loc", ())]
    value: Any = None
    if loc[:1] == ["query"] and len(loc) == 2:
        value = request.GET.get(loc[1])
    elif loc[:1] == ["body"] and len(loc) > 2:
        try:
            value = json.loads(request.body or b"null")
        except ValueError:
            return error
        for part in loc[2:]:
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and ascii_digits(part) and int(part) < len(value):
                value = value[int(part)]
            else:
                return error
    return {**error, "input": value} if isinstance(value, str) else error


api.add_router("", views.router)
api.add_router("", actions.router)
api.add_router("", documents.router)
api.add_router("", stats.router)
api.add_router("", double_checks.router)
api.add_router("/public", public.router)
api.add_router("/audit", audit.router)
