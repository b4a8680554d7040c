"""Sign-in with throttled failures."""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm

from daiban.lib import ratelimit

LIMIT, WINDOW = 5, 900  # failed attempts per client and username in 15 minutes


class ThrottledLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。",
        "inactive": "该账号已停用。",
        "throttled": "登录失败次数过多，请15分钟后再试。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean(self):
        ident = f"{ratelimit.client_ip(self.request)}|{self.data.get('username', '')}"
        if ratelimit.exceeded("staff-login", ident, limit=LIMIT, window=WINDOW):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            ratelimit.hit("staff-login", ident, limit=LIMIT, window=WINDOW)
            raise


class LoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    form_class = ThrottledLoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
