"""Helpers shared by the staff pages."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
    QueryDict,
)
from django.shortcuts import render
from django.urls import Resolver404, resolve

from daiban.accounts.middleware import return_to
from daiban.lib.dates import today
from daiban.lib.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from daiban.lib.validation import ID_MAX, ascii_digits, parse_day, typed_day
from daiban.petitions.abilities import may

# What a staff view shows as a message on the page; NotFound instead becomes the 404 page, once,
# in staff_required.
# A role refusal (Forbidden) is not one of them: it answers the 403 page (staff_required), as the
# user has nothing to correct on the form.
REFUSALS = (Invalid, Conflict, RateLimited)

View = Callable[..., HttpResponse]

# The methods a staff page answers (staff_required's `methods`): a page is read with GET (and HEAD);
# a form that changes something is POST only (POST); a page with its own form both (GET_POST).
READ = ("GET", "HEAD")
POST = ("POST",)
GET_POST = ("GET", "HEAD", "POST")


def staff_required(ability: str | None = None, *, methods: tuple[str, ...] = READ) -> Callable[[View], View]:
    """Signed in, with a role; with `ability` (abilities.py), that ability. Otherwise 404 (existence
    does not leak). The services check again: this only keeps pages from being offered.

    Then the method: one outside `methods` answers 405 with `Allow` (RFC 9110; Django's
    require_http_methods), for who may use the page: a GET of a POST-only form is not "no such page".
    The view carries `allowed_methods` (tests/test_http_semantics.py reads it from the URLconf)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return to_sign_in(request)
            if not user.role_set or (ability and not may(user, ability)):
                return not_found(request)
            if request.method not in methods:
                return not_allowed(methods)
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                return not_found(request, exc.message)
            except Forbidden as exc:
                return refused(request, exc.message)
            except Http404 as exc:
                return not_found(request, _message(exc))
            except PermissionDenied as exc:
                return refused(request, _message(exc))

        wrapped.allowed_methods = methods  # type: ignore[attr-defined]
        return wrapped

    return decorator


def not_allowed(methods: tuple[str, ...]) -> HttpResponse:
    """405 Method Not Allowed with the `Allow` header (the body: one Chinese line)."""
    return HttpResponseNotAllowed(methods, "该页面不支持此请求方式。", content_type="text/plain; charset=utf-8")


def _message(exc: Exception) -> str:
    """The exception's message when it is one for people (Chinese), else the page's own."""
    text = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else ""
    return text if any("\u4e00" <= ch <= "\u9fff" for ch in text) else ""


def not_found(request: HttpRequest, message: str = "") -> HttpResponse:
    """The staff pages' 404, in Chinese, with the navigation: also in development (DEBUG on), where
    Django would show its English debug page. A page a role may not use answers the same way, so
    that existence does not leak. To an htmx request (a part of a page: the notes, an opinion row)
    a fragment saying the same, which the page swaps in (base.html's htmx-config swaps 400, 403 and
    404): the full page was not swapped, and the button did nothing visible."""
    text = message or "页面不存在，或您没有查看它的权限。"
    if request.headers.get("HX-Request"):  # a part of a page: a fragment to swap in, as refused's 403
        return render(request, "staff/_404.html", {"message": text}, status=404)
    return render(request, "staff/404.html", {"message": text}, status=404)


def refused(request: HttpRequest, message: str = "") -> HttpResponse:
    """The staff pages' 403, in Chinese: the page with the navigation, or, to an htmx request (a
    part of a page: the notes, an opinion row), a fragment saying the same for the page to show.
    Answers an object the user sees but whose action their role may not take (README "Who sees
    what"); an object they may not see is the 404 (not_found)."""
    text = message or "您没有执行此操作的权限。"
    if request.headers.get("HX-Request"):
        return render(request, "staff/_403.html", {"message": text}, status=403)
    return render(request, "staff/403.html", {"message": text}, status=403)


def unknown_url(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any /staff/ address that names no page (the last URL pattern): the Chinese 404, or, like
    Django's APPEND_SLASH, a redirect to the same address with a slash when that one exists."""
    path = request.path_info
    if settings.APPEND_SLASH and not path.endswith("/"):
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not unknown_url:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
    if not request.user.is_authenticated:
        return to_sign_in(request)
    return not_found(request)


def to_sign_in(request: HttpRequest) -> HttpResponse:
    """Send a request without a session to sign-in. A part of a page (htmx) is answered 204 with
    `HX-Redirect`, so the whole page goes there (a 302 was followed by htmx and the sign-in page
    swapped into the fragment's box), returning to the page the user was on (`HX-Current-URL`, this
    site's only), not to the fragment's URL (often POST only: 405 after signing in). The gate
    middleware answers a session that expired in use the same way (accounts.middleware._redirect)."""
    if not request.headers.get("HX-Request"):
        return redirect_to_login(login_next(request))
    response = HttpResponse(status=204)
    response["HX-Redirect"] = redirect_to_login(return_to(request))["Location"]
    return response


def login_next(request: HttpRequest) -> str:
    """Where sign-in returns to: the page asked for, without its query string when that is too long
    for a redirect (Django refuses a Location over 2,048 characters, and a 16 KB query string would
    log a traceback on every anonymous request)."""
    full = request.get_full_path()
    if len(full) <= 1000:
        return full
    return request.path if len(request.path) <= 1000 else "/staff/"


def id_param(raw: str | None) -> int | None:
    """A primary key from a query string or form, or None: not digits, or too large for the
    database's integer (a 20-digit value must not reach SQLite or PostgreSQL)."""
    raw = (raw or "").strip()
    if not ascii_digits(raw) or len(raw) > 10:
        return None
    value = int(raw)
    return value if 1 <= value <= ID_MAX else None


class BadParam(ValueError):
    """A value in a query string or form that is not one the field takes (abc for a station, an
    unknown code for a list of choices); its message names the field by its label and what was
    received, never a code: the page says it rather than answer 404 or quietly widen the request."""


class BadDate(BadParam):
    """A date in a query string that is not one; its message names the field."""


def id_value(raw: str | None, label: str) -> int | None:
    """A primary key as sent: None when absent or empty; BadParam naming `label` for anything else
    that is not one (id_param: abc, 0, 20 digits)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    value = id_param(raw)
    if value is None:
        raise BadParam(f"{label}取值无效（收到“{raw[:20]}”）")
    return value


def id_query(data: QueryDict, name: str, label: str) -> int | None:
    """id_value of field `name` of a query string or form (`request.GET`, `request.POST`)."""
    return id_value(data.get(name), label)


def station_query(data: QueryDict, name: str = "station", label: str = "代办机构") -> int | None:
    """A station's id from a query string (id_query), None when absent: BadParam naming `label` for
    an id no station has, as for abc: a filter that matches nothing is a value to be told, not an
    empty list, a ledger of no rows or the 404 page."""
    from daiban.org.models import Station

    pk = id_query(data, name, label)
    if pk is not None and not Station.objects.filter(pk=pk).exists():
        raise BadParam(f"{label}取值无效（收到“{pk}”）")
    return pk


def page_param(request: HttpRequest) -> str | None:
    """The list page asked for (`?page=`), as Django's Paginator reads it; a value that is no page
    number (abc, 0, -1) is said, naming 页码, and the first page shown instead of quietly."""
    from django.contrib import messages

    raw = (request.GET.get("page") or "").strip()
    if not raw or raw == "last":
        return raw or None
    if id_param(raw) is None:
        messages.error(request, f"页码取值无效（收到“{raw[:20]}”），已显示第1页。")
        return None
    return raw


def choice_query(data: QueryDict, name: str, label: str, allowed: Iterable[str]) -> str | None:
    """One of `allowed` from a query string or form, None when absent or empty; BadParam naming
    `label` for a value outside them (a forged or stale code)."""
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    if raw not in set(allowed):
        raise BadParam(f"{label}取值无效（收到“{raw[:20]}”）")
    return raw


def date_param(request: HttpRequest, name: str, label: str) -> datetime.date | None:
    """A date from the query string (YYYY-MM-DD, 2000–2099; also as typed: lib.validation.typed_day), None when absent. BadDate, naming the
    field and what was received, for anything else (2026-02-30, abc): a page must say so rather than
    show, export or search another period than the one asked for."""
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_day(typed_day(raw, today().year))
    except ValueError as exc:
        raise BadDate(f"{label}{exc}（收到“{raw[:20]}”）") from None


def year_param(raw: str | None, default: int) -> int:
    """A calendar year from a query string, within the years the system keeps (2000–2099): BadParam
    for a value that is no year (abc), 404 for a year the system does not keep (1999)."""
    raw = (raw or "").strip()
    if not raw:
        return default
    if not ascii_digits(raw):
        raise BadParam(f"年份取值无效（收到“{raw[:20]}”）")
    if not 2000 <= int(raw[:5]) <= 2099:
        raise Http404("年份应在2000至2099之间")
    return int(raw)
