"""The gate in front of the staff pages and the admin: session limits, second factor, password age.

GB/T 22239-2019 8.1.4.1 b) (登录连接超时自动退出) and d) (two factors); the idle timeout and the
absolute lifetime are settings (30 minutes and 12 hours by default).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from daiban.accounts import otp
from daiban.accounts.signals import SESSION_SEEN, SESSION_STARTED
from daiban.audit.models import Action
from daiban.audit.services import record

GUARDED = ("/staff/", "/admin/")
# Pages a signed-in user must reach before the second factor: sign-in, sign-out, the factor itself.
BEFORE_OTP = ("/staff/login/", "/staff/logout/", "/staff/otp/", "/admin/logout/")
SEEN_EVERY = 15  # seconds: the last-seen time is written at most this often (one session write)


def _redirect(request, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        # htmx fragment requests: make the whole page go there instead of swapping a login form in.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def return_to(request) -> str:
    """Where sign-in (or the second factor, the password) returns to: for a part of a page (htmx),
    the page it was sent from (HX-Current-URL's path and query, this site's /staff/ pages only), not
    the fragment's URL (often POST only: 405 once there); else the address asked for. None of them
    longer than 1,000 characters (Django refuses a Location over 2,048)."""
    if request.headers.get("HX-Request"):
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        same_site = not current.netloc or current.netloc == request.get_host()
        page = current.path + (f"?{current.query}" if current.query else "")
        if same_site and current.scheme in ("", "http", "https") and current.path.startswith("/staff/") \
                and len(page) <= 1000:
            return page
    full = request.get_full_path()
    return full if len(full) <= 1000 else request.path if len(request.path) <= 1000 else "/staff/"


def _with_next(name: str, request) -> str:
    return f"{reverse(name)}?{urlencode({'next': return_to(request)})}"


class StaffGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        user = getattr(request, "user", None)
        if not path.startswith(GUARDED) or user is None or not user.is_authenticated:
            return self.get_response(request)
        expired = self._expired(request)
        if expired:
            request.daiban_logout_reason = expired
            logout(request)
            messages.warning(request, "由于长时间未操作，您已自动退出，请重新登录。" if expired == "idle"
                             else "登录已超过最长时限，请重新登录。")
            return _redirect(request, _with_next("staff:login", request))
        if not path.startswith(BEFORE_OTP) and otp.required(user) and not user.is_verified():
            target = "staff:otp_verify" if otp.has_totp(user) or otp.backup_codes_left(user) else "staff:otp_setup"
            return _redirect(request, _with_next(target, request))
        if (settings.DAIBAN_PASSWORD_MAX_AGE_DAYS and not path.startswith((*BEFORE_OTP, "/staff/password/"))
                and self._password_too_old(user)):
            messages.warning(request, f"密码已超过{settings.DAIBAN_PASSWORD_MAX_AGE_DAYS}天未修改，请先修改密码。")
            return _redirect(request, _with_next("staff:password", request))
        return self.get_response(request)

    @staticmethod
    def _expired(request) -> str:
        """'idle', 'lifetime' or '' (still valid; the last-seen time is refreshed)."""
        session, now = request.session, time.time()
        started = session.get(SESSION_STARTED)
        seen = session.get(SESSION_SEEN)
        if started is None or seen is None:
            # A session from before these limits existed: start counting now.
            session[SESSION_STARTED] = session[SESSION_SEEN] = now
            return ""
        if now - seen > settings.DAIBAN_SESSION_IDLE_MINUTES * 60:
            record(Action.SESSION_EXPIRED, request=request, target=request.user, detail={"reason": "idle"})
            return "idle"
        if now - started > settings.DAIBAN_SESSION_MAX_HOURS * 3600:
            record(Action.SESSION_EXPIRED, request=request, target=request.user, detail={"reason": "lifetime"})
            return "lifetime"
        if now - seen >= SEEN_EVERY:
            session[SESSION_SEEN] = now
        return ""

    @staticmethod
    def _password_too_old(user) -> bool:
        changed = user.password_changed_at
        return changed is None or (timezone.now() - changed).days >= settings.DAIBAN_PASSWORD_MAX_AGE_DAYS
