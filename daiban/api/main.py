"""API v1: the NinjaAPI object, bearer authentication and the error format of API.md.

Every string a client sends (JSON bodies, query strings, form fields) is cleaned by CleanParser
with daiban.lib.text before any schema sees it, so a new endpoint cannot forget it; every error,
the framework's own included, answers in the error format with a Chinese message."""

import json

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from daiban.api.middleware import body_limit, too_large
from daiban.api.models import ApiToken
from daiban.api.schemas import FIELD_LABELS, QUERY_LABELS
from daiban.lib.errors import ServiceError
from daiban.lib.text import clean_any

# Values passed on exactly as sent: a password is checked as typed.
_UNCLEANED = frozenset({"password", "otp"})


class CleanParser(Parser):
    """JSON bodies and query or form data, with every string cleaned (daiban.lib.text)."""

    def parse_body(self, request: HttpRequest):
        return clean_any(json.loads(request.body), skip=_UNCLEANED)

    def parse_querydict(self, data, list_fields, request):
        return clean_any(super().parse_querydict(data, list_fields, request), skip=_UNCLEANED)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user, row = ApiToken.user_for(token)
        if user is None:
            return None
        request.user = user
        request.api_token = row
        return user


api = NinjaAPI(
    title="信访代办 API",
    version="1",
    description="乌审旗信访代办制系统接口（见 shared/API.md）",
    auth=BearerToken(),
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api-v1",
    parser=CleanParser(),
)


def error_response(request: HttpRequest, status: int, code: str, message: str,
                   fields: dict | None = None, **extra) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}
    return api.create_response(request, body, status=status)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.fields, **exc.extra)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthorized", "未登录或登录已过期，请重新获取令牌")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "对象不存在")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc.message)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        return error_response(request, 400, "invalid", "请求内容不是有效的JSON（UTF-8）", {"body": "请求内容不是有效的JSON"})
    return error_response(request, exc.status_code, "error", message)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return too_large(body_limit(request))


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return error_response(request, 400, "invalid", "上传内容格式不正确（multipart/form-data）", {"file": "上传内容格式不正确"})


_MESSAGES = {
    "missing": "请填写{label}",
    "literal_error": "{label}的取值无效",
    "enum": "{label}的取值无效",
    "int_parsing": "{label}应为整数",
    "int_type": "{label}应为整数",
    "int_from_float": "{label}应为整数",
    "bool_parsing": "{label}应为是或否（true/false）",
    "bool_type": "{label}应为是或否（true/false）",
    "date_parsing": "{label}应为YYYY-MM-DD格式的日期",
    "date_from_datetime_parsing": "{label}应为YYYY-MM-DD格式的日期",
    "date_from_datetime_inexact": "{label}应为YYYY-MM-DD格式的日期",
    "date_type": "{label}应为YYYY-MM-DD格式的日期",
    "string_type": "{label}应为文字",
    "string_too_long": "{label}太长",
    "too_long": "{label}太长",
    "greater_than_equal": "{label}超出允许范围",
    "less_than_equal": "{label}超出允许范围",
    "greater_than": "{label}超出允许范围",
    "less_than": "{label}超出允许范围",
    "date_out_of_range": "{label}应在2000-01-01至2099-12-31之间",
    "int_parsing_size": "{label}超出允许范围",
    "float_parsing": "{label}应为数字",
    "string_pattern_mismatch": "{label}格式不正确",
    "json_invalid": "请求内容不是有效的JSON",
    "list_type": "{label}应为列表",
    "dict_type": "{label}应为对象",
    "model_attributes_type": "{label}应为对象",
}


def _field_name(loc: list) -> str:
    # loc is ("body", "<param>", field, …) for bodies and ("query", field) for query strings.
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        if error.get("type") == "json_invalid" or not loc:
            fields.setdefault("body", "请求内容不是有效的JSON")
            continue
        name = _field_name(loc)
        leaf = name.split(".")[-1]
        label = (QUERY_LABELS.get(leaf) if loc[0] == "query" else None) or FIELD_LABELS.get(leaf, leaf)
        template = _MESSAGES.get(error.get("type", ""), "{label}格式不正确")
        fields.setdefault(name, template.format(label=label))
    message = "；".join(fields.values()) or "请求内容不正确"
    return error_response(request, 400, "invalid", message, fields)


from daiban.api import documents, public, stats, views  # noqa: E402,F401  (register the routes on `api`)

api.add_router("/public", public.router)
