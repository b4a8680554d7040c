"""Helpers shared by the staff pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from daiban.lib.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from daiban.lib.validation import ID_MAX
from daiban.petitions.abilities import may

# What a staff view shows as a message on the page; NotFound instead becomes the 404 page, once,
# in staff_required.
REFUSALS = (Invalid, Conflict, Forbidden, RateLimited)

View = Callable[..., HttpResponse]


def staff_required(ability: str | None = None) -> Callable[[View], View]:
    """Signed in, with a role; with `ability` (abilities.py), that ability. Otherwise 404 (existence
    does not leak). The services check again: this only keeps pages from being offered."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.role_set or (ability and not may(user, ability)):
                raise Http404("页面不存在")
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from exc

        return wrapped

    return decorator


def id_param(raw: str | None) -> int | None:
    """A primary key from a query string or form, or None: not digits, or too large for the
    database's integer (a 20-digit value must not reach SQLite or PostgreSQL)."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 1 <= value <= ID_MAX else None


def year_param(raw: str | None, default: int) -> int:
    """A calendar year from a query string, within the years the system keeps (2000–2099); 404 otherwise."""
    raw = (raw or "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not 2000 <= int(raw[:5]) <= 2099:
        raise Http404("年份应在2000至2099之间")
    return int(raw)
