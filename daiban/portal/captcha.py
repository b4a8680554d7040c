"""The portal's CAPTCHA: django-simple-captcha draws a distorted raster image (rotated digits, arcs
and dots) that the page only links to; the answer is kept server-side (CaptchaStore, 30 minutes, one
try). No third-party service: bureau networks are often offline.

For people who cannot read it: "看不清，换一张" (a new image, without losing the typed form; it also
works without JavaScript), a twice-as-large image, and the other channels (phone, visit) named on
the page. No audio: it needs extra software on the server and rarely works on a phone.
"""

from __future__ import annotations

import itertools
import re
import secrets
import unicodedata
from typing import Any

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

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


def typed_answer(value: object) -> str:
    """The answer as typed on any phone: NFKC (full-width ０１２３ from a Chinese keyboard), any
    script's digits as ASCII, every space and separator between the digits dropped ("2 3 4 5",
    "23-45"), lower case. Nothing else is guessed: a wrong digit stays wrong."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    return re.sub(r"[\s\-_.,\u00b7\u2010-\u2015\u2212\u3001\u3002\u30fb]+", "", text).lower()


class OnceCaptchaField(CaptchaField):
    """A solved CAPTCHA passes one request. django-simple-captcha reads the stored answer, then
    deletes it, in two steps: twenty requests sent at once with one solved CAPTCHA could all read
    it before any deleted it (an attack found three passing). Here the answer is checked and spent
    in one DELETE: of requests sent at once exactly one deletes the row, the others are told the
    CAPTCHA is wrong. A wrong answer spends it too (one try, as the library does)."""

    def clean(self, value: Any) -> Any:
        from captcha.models import CaptchaStore

        forms.MultiValueField.clean(self, value)  # required and complete, as CaptchaField checks
        key, response = str(value[0] or ""), typed_answer(value[1])
        value[1] = ""
        spent, _ = CaptchaStore.objects.filter(hashkey=key, response=response, expiration__gt=timezone.now()).delete()
        if not spent:
            # A right answer given too late is told as late, not as wrong (a long complaint typed
            # slowly, photos sent over a slow line).
            expired = CaptchaStore.objects.filter(hashkey=key, response=response,
                                                  expiration__lte=timezone.now()).exists()
            CaptchaStore.objects.filter(hashkey=key).delete()
            if expired:
                raise ValidationError(self.error_messages["expired"], code="expired")
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def field() -> CaptchaField:
    return OnceCaptchaField(
        label="验证码", widget=PortalCaptchaWidget(attrs={
            # No maxlength: it cut "2 3 4 5" (typed with spaces) to "2 3 " without a word.
            "class": "form-control captcha-answer", "inputmode": "numeric",
        }),
        error_messages={"invalid": "验证码不正确，请重新输入", "required": "请输入验证码",
                        "incomplete": "请输入验证码", "expired": "验证码已过期，请输入新图中的数字"},
    )
