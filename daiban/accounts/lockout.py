"""django-axes glue: who is counted, from where, when they may try again, and what they are told.

Failures are counted per normalised username (over every client) and per client address (over
every username). An account is locked after settings.AXES_FAILURE_LIMIT failures within the
cool-off; a client after settings.DAIBAN_LOGIN_CLIENT_FAILURE_LIMIT. GB/T 22239-2019 8.1.4.1 b):
应具有登录失败处理功能，应配置并启用结束会话、限制非法登录次数和当登录连接超时自动退出等相关措施.
"""

from __future__ import annotations

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from daiban.accounts.usernames import normalize_username
from daiban.lib.ratelimit import client_ip


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the same spelling the login itself resolves."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    return normalize_username(raw)


def axes_client_ip(request: HttpRequest) -> str:
    """AXES_CLIENT_IP_CALLABLE: the portal's rule (a forwarding header only from a trusted proxy)."""
    return client_ip(request)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, higher limit for the client address."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        by_username, by_client = (
            qs.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for qs in self.get_user_attempts(request, credentials)
        )
        if by_client >= settings.DAIBAN_LOGIN_CLIENT_FAILURE_LIMIT:
            return max(by_username, settings.AXES_FAILURE_LIMIT)
        return by_username

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        # Axes would also clear every failure of the client address: one good login of an insider's
        # own account would then reset the counter of the account they are guessing at.
        count, _ = AccessAttempt.objects.filter(username=get_client_username(request, credentials)).delete()
        return count


def retry_at(request: HttpRequest, credentials: dict | None = None) -> datetime.datetime:
    """When the lockout that refused this request ends (local time): the last counted failure + cool-off."""
    handler = AxesProxyHandler.get_implementation()
    latest = max(
        (qs.aggregate(t=Max("attempt_time"))["t"] for qs in handler.get_user_attempts(request, credentials)),
        key=lambda t: t or datetime.datetime.min.replace(tzinfo=datetime.UTC),
    )
    return timezone.localtime((latest or timezone.now()) + settings.AXES_COOLOFF_TIME)


def locked_message(request: HttpRequest, credentials: dict | None = None) -> str:
    """The Chinese sentence a locked-out user reads, with the time to try again."""
    until = retry_at(request, credentials)
    minutes = max(1, -(-int((until - timezone.now()).total_seconds()) // 60))
    return (f"登录失败次数过多，账号已暂时锁定。请于 {until:%H:%M}（约 {minutes} 分钟后）再试；"
            f"如需立即解锁，请联系系统管理员。")


def reset_after_success(request: HttpRequest, username: str) -> None:
    """After a login that did not go through django.contrib.auth.login (the API token)."""
    AxesProxyHandler.update_request(request)
    LockoutHandler().reset_user_attempts(request, {"username": username})


def unlock(username: str) -> int:
    """Clear every counted failure of this account (the administrator's unlock). Returns rows removed."""
    count, _ = AccessAttempt.objects.filter(username=normalize_username(username)).delete()
    return count


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the views already answered with the message (login pages re-shown with it,
    the API with 429 `locked`); only make the status say so."""
    if original_response is None:
        return HttpResponse(locked_message(request, credentials), status=429, content_type="text/plain; charset=utf-8")
    if original_response.status_code == 200:
        original_response.status_code = 429
    return original_response
