"""Helpers shared by the staff pages."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from daiban.lib.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from daiban.org import roles

# What a staff view shows as a message on the page; NotFound instead becomes the 404 page, once,
# in staff_required.
REFUSALS = (Invalid, Conflict, Forbidden, RateLimited)


def staff_required(*role_codes: str):
    """Signed in, with a role; with role_codes, one of those. Otherwise 404 (existence does not leak)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.role_set or (role_codes and not user.has_role(*role_codes)):
                raise Http404("页面不存在")
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from exc

        return wrapped

    return decorator


INTAKE_ROLES = (roles.AGENT, roles.CENTER, roles.ADMIN, *roles.STATION_LEADERS)
LEADER_ROLES = (roles.LEADER_IN_CHARGE, roles.PRINCIPAL)
