"""The second factor (django-otp): who needs it, enrolment with a server-rendered QR code, backup codes.

GB/T 22239-2019 8.1.4.1 d): 应采用口令、密码技术、生物技术等两种或两种以上组合的鉴别技术对用户进行身份鉴别.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODES = 10
TOTP_NAME = "身份验证器"
BACKUP_NAME = "备用验证码"


def role_requires(user) -> bool:
    """The user's roles need a second factor (settings.DAIBAN_OTP_REQUIRED_ROLES), demo accounts aside."""
    if not set(user.role_set) & set(settings.DAIBAN_OTP_REQUIRED_ROLES):
        return False
    # Demo accounts (loaded by `make run`, never in production) sign in with the password only,
    # unless DEMO_OTP=1 asks to try the second factor with them.
    return not (getattr(user, "is_demo", False) and not settings.DEMO_OTP and not settings.PRODUCTION)


def required(user) -> bool:
    """A code is asked at sign-in: the role requires one, or the user enrolled a device anyway."""
    return role_requires(user) or user_has_device(user)


def verify(user, token: str):
    """The user's confirmed device that accepts `token` (TOTP or an unused backup code), or None.

    Each device throttles itself after failures (django-otp's ThrottlingMixin); a backup code is
    used up when it matches.
    """
    token = "".join((token or "").split())
    if not token:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                return device
    return None


def pending_totp(user) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (made once, so the QR code stays the same on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL of `device` as an inline SVG QR code (rendered here: no external service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1a1a1a")


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app when the camera cannot scan."""
    import base64

    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm_totp(user, device: TOTPDevice, token: str) -> bool:
    """Confirm enrolment when `token` is right; older TOTP devices of the user are removed."""
    if not device.verify_token("".join((token or "").split())):
        return False
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with fresh ones; the page shows the list once, never again."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def has_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def remove_all(user) -> int:
    """Remove every device of the user (a lost phone): the administrator's reset. Returns devices removed."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()
    return removed
