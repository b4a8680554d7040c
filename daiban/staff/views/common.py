"""Helpers shared by the staff pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from daiban.lib.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
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
