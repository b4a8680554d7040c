"""Sign-in events → audit rows, and the timestamps the session limits count from."""

from __future__ import annotations

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from daiban.accounts.usernames import normalize_username
from daiban.audit.models import Action
from daiban.audit.services import record

SESSION_STARTED = "daiban_auth_started"
SESSION_SEEN = "daiban_last_seen"


def _via(request) -> str:
    path = getattr(request, "path", "") or ""
    return "admin" if path.startswith("/admin/") else "api" if path.startswith("/api/") else "staff"


@receiver(user_logged_in, dispatch_uid="daiban-login-success")
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED] = now
        request.session[SESSION_SEEN] = now
    record(Action.LOGIN_SUCCESS, actor=user, request=request, target=user, label=user.get_username(),
           detail={"via": _via(request)})


@receiver(user_logged_out, dispatch_uid="daiban-logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(Action.LOGOUT, actor=user, request=request, target=user, label=user.get_username(),
               detail={"reason": getattr(request, "daiban_logout_reason", "user")})


@receiver(user_login_failed, dispatch_uid="daiban-login-failure")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Runs after django-axes' own receiver (axes is earlier in INSTALLED_APPS), so the lockout flag is set.
    username = normalize_username((credentials or {}).get("username"))
    record(Action.LOGIN_FAILURE, actor_username=username, request=request, target_type="user", label=username,
           detail={"via": _via(request), "reason": getattr(request, "daiban_failure_reason", "password"),
                   "locked": bool(getattr(request, "axes_locked_out", False))})


@receiver(user_locked_out, dispatch_uid="daiban-lockout")
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    # Axes sends this on the failure that reaches the limit (failures counted) and again on every
    # refused try during the lockout (not counted): only the first is a lockout event.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    record(Action.LOCKOUT, actor_username=username or "", request=request, target_type="user", label=username or "",
           detail={"failures": failures, "via": _via(request)})
