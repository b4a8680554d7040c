"""Sign-in (password, then the second factor), sign-out, the password page and the account's security page."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from daiban.accounts import lockout, otp
from daiban.accounts.signals import SESSION_SEEN
from daiban.audit.models import Action
from daiban.audit.services import record
from daiban.staff.views.common import staff_required

LOGIN_MESSAGES = {"invalid_login": "用户名或密码不正确。", "inactive": "该账号已停用。"}


class LockoutAwareMixin:
    """A login form that says when a locked-out account may try again (django-axes refused it)."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                username = self.cleaned_data.get("username")
                raise forms.ValidationError(lockout.locked_message(self.request, {"username": username}),
                                            code="locked") from None
            raise


class StaffLoginForm(LockoutAwareMixin, AuthenticationForm):
    error_messages = LOGIN_MESSAGES  # type: ignore[assignment]  # plain str values

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class AdminLoginForm(LockoutAwareMixin, AdminAuthenticationForm):
    """The admin's own login page, with the same lockout message (admin.site.login_form)."""


class LoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    form_class = StaffLoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def _next_url(request, default: str = "staff:workbench") -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return reverse(default)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class CodeForm(forms.Form):
    token = forms.CharField(label="动态验证码", max_length=16, widget=forms.TextInput(attrs={
        "class": "form-control form-control-lg", "inputmode": "numeric", "autocomplete": "one-time-code",
        "autofocus": True}))


def _signed_in(request) -> bool:
    return request.user.is_authenticated


@require_http_methods(["GET", "HEAD", "POST"])
def otp_verify(request):
    """The second step of sign-in: a code from the authenticator app, or one backup code."""
    if not _signed_in(request):
        return redirect("staff:login")
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not (otp.has_totp(user) or otp.backup_codes_left(user)):
        return redirect(_with_next("staff:otp_setup", _next_url(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.verify(user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            return redirect(_next_url(request))
        # A wrong code counts as a failed sign-in: django-axes locks the account after the limit.
        request.daiban_failure_reason = "otp"
        username = user.get_username()
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
        if getattr(request, "axes_locked_out", False):
            message = lockout.locked_message(request, {"username": username})
            logout(request)
            messages.error(request, message)
            return redirect("staff:login")
        form.add_error("token", "验证码不正确或已过期，请重新输入（备用验证码每个只能用一次）。")
    return render(request, "staff/otp_verify.html", {"form": form, "next": _next_url(request)},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def otp_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with one code, then
    the backup codes are shown once."""
    if not _signed_in(request):
        return redirect("staff:login")
    user = request.user
    if otp.has_totp(user) and not user.is_verified():
        return redirect(_with_next("staff:otp_verify", _next_url(request)))
    device = otp.pending_totp(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp.confirm_totp(user, device, form.cleaned_data["token"]):
            django_otp.login(request, device)
            codes = otp.new_backup_codes(user)
            record(Action.OTP_ENROLLED, target=user, label=user.get_username(), detail={"device": "totp"})
            record(Action.BACKUP_CODES, target=user, label=user.get_username(), detail={"count": len(codes)})
            return render(request, "staff/otp_backup_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("token", "验证码不正确，请核对手机时间后重新输入。")
    return render(request, "staff/otp_setup.html", {
        "form": form, "qr": otp.qr_svg(device), "secret": otp.secret_text(device), "next": _next_url(request),
        "required": otp.role_requires(user),
    }, status=400 if form.errors else 200)


@require_POST
def otp_backup_codes(request):
    """New backup codes (the old ones stop working), shown once."""
    if not _signed_in(request) or not request.user.is_verified():
        return redirect("staff:login")
    codes = otp.new_backup_codes(request.user)
    record(Action.BACKUP_CODES, target=request.user, label=request.user.get_username(), detail={"count": len(codes)})
    return render(request, "staff/otp_backup_codes.html", {"codes": codes, "next": reverse("staff:account")})


class StaffPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; every other session and every API token of the account ends."""

    template_name = "staff/password.html"
    form_class = StaffPasswordChangeForm
    success_url = reverse_lazy("staff:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "密码已修改。您在其他地方的登录和所有接口令牌已失效。")
        return response


@staff_required()
def account(request):
    user = request.user
    return render(request, "staff/account.html", {
        "has_totp": otp.has_totp(user), "backup_left": otp.backup_codes_left(user),
        "otp_required": otp.role_requires(user), "password_changed_at": user.password_changed_at,
    })


@require_POST
def session_ping(request):
    """'继续使用' in the idle warning: the session counts as used now (the gate already checked it)."""
    if not _signed_in(request):
        return HttpResponse(status=401)
    request.session[SESSION_SEEN] = time.time()
    return HttpResponse(status=204)
