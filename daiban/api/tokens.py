"""`POST /api/v1/auth/token`: the same checks as the staff sign-in, in one call.

Password through django-axes (lockout per normalised username and per client), then the second
factor in `otp` when the account needs one (API.md: 401 `otp_required` when missing, 429 `locked`).
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils import timezone

from daiban.accounts import lockout, otp
from daiban.api.models import ApiToken
from daiban.audit.models import Action
from daiban.audit.services import record
from daiban.lib.errors import RateLimited, Unauthorized


def _locked(request: HttpRequest, username: str) -> RateLimited:
    until = lockout.retry_at(request, {"username": username})
    return RateLimited(lockout.locked_message(request, {"username": username}), code="locked",
                       extra={"retry_at": until.isoformat()})


def token_login(request: HttpRequest, username: str, password: str, code: str | None) -> tuple[ApiToken, str]:
    """Check the credentials and return (token row, token). Raises Unauthorized or RateLimited."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise _locked(request, username)
        raise Unauthorized("用户名或密码不正确")
    if otp.required(user):
        if not otp.has_totp(user) and not otp.backup_codes_left(user):
            raise Unauthorized("该账号须先在工作人员页面（/staff/otp/setup/）启用双因素认证，再用动态验证码获取令牌",
                               code="otp_required")
        if not (code or "").strip():
            raise Unauthorized("该账号需要动态验证码：请在 otp 中填写身份验证器显示的6位数字", code="otp_required")
        if otp.verify(user, code or "") is None:
            # A wrong code is a failed sign-in: it counts towards the lockout like a wrong password.
            request.daiban_failure_reason = "otp"  # type: ignore[attr-defined]  # read by the audit receiver
            user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
            if getattr(request, "axes_locked_out", False):
                raise _locked(request, username)
            raise Unauthorized("动态验证码不正确或已过期", code="otp_invalid")
    lockout.reset_after_success(request, username)
    row, token = ApiToken.issue(user)
    record(Action.LOGIN_SUCCESS, actor=user, request=request, target=user, label=user.get_username(),
           detail={"via": "api"})
    record(Action.TOKEN_ISSUE, actor=user, request=request, target_type="apitoken", target_id=row.pk,
           label=user.get_username(), detail={"expires_at": timezone.localtime(row.expires_at).isoformat()})  # +08:00, as the API's times
    return row, token


def token_logout(request: HttpRequest, row: ApiToken) -> None:
    """`DELETE /api/v1/auth/token`: revoke the token the request came with."""
    ApiToken.revoke(row)
    record(Action.TOKEN_REVOKE, request=request, target_type="apitoken", target_id=row.pk,
           label=request.user.get_username(), detail={"count": 1, "reason": "logout"})
