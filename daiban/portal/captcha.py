"""The portal's CAPTCHA: django-simple-captcha draws a distorted raster image (rotated digits, arcs
and dots) that the page only links to; the answer is kept server-side (CaptchaStore, 5 minutes, one
try). No third-party service: bureau networks are often offline.

For people who cannot read it: "看不清，换一张" (a new image, without losing the typed form; it also
works without JavaScript), a twice-as-large image, and the other channels (phone, visit) named on
the page. No audio: it needs extra software on the server and rarely works on a phone.
"""

from __future__ import annotations

import itertools
import secrets

from captcha.fields import CaptchaField, CaptchaTextInput
from django.urls import reverse

DIGITS = "2345678"  # no 0/1/9: too easily confused with O, l, g once distorted


# Every this many new CAPTCHAs the expired ones are deleted. django-simple-captcha deletes them only
# when an answer is checked, so "换一张" pressed in a loop (no answer ever checked) grew the table
# without end; this bounds it to the live ones (5 minutes' worth) and a few hundred more.
CLEAN_EVERY = 200
_made = itertools.count(1)


def digits_challenge() -> tuple[str, str]:
    """CAPTCHA_CHALLENGE_FUNCT: four digits, shown and expected alike (a phone's numeric keypad).
    Called for every new CAPTCHA (page, "换一张", the refresh view), so it also clears the expired."""
    if next(_made) % CLEAN_EVERY == 0:
        from captcha.models import CaptchaStore

        CaptchaStore.remove_expired()
    text = "".join(secrets.choice(DIGITS) for _ in range(4))
    return text, text


class PortalCaptchaWidget(CaptchaTextInput):
    template_name = "portal/captcha_widget.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["image_large"] = reverse("captcha-image-2x", kwargs={"key": self._key})
        context["refresh"] = self.refresh_url()
        return context


def field() -> CaptchaField:
    return CaptchaField(
        label="验证码", widget=PortalCaptchaWidget(attrs={
            "class": "form-control captcha-answer", "inputmode": "numeric", "maxlength": "4",
        }),
        error_messages={"invalid": "验证码不正确，请重新输入", "required": "请输入验证码",
                        "incomplete": "请输入验证码"},
    )
