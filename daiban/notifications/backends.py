"""SMS delivery. The console backend logs (with the number masked); the HTTP backend posts to the
bureau's SMS gateway. Choose with DAIBAN_SMS_BACKEND."""

from __future__ import annotations

import json
import logging
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from daiban.lib.identity import mask_phone

logger = logging.getLogger("daiban.sms")


class SmsError(Exception):
    pass


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


class HttpGatewayBackend:
    """POSTs {"phone", "text"} as JSON with a bearer token; any non-2xx answer is a failure to retry."""

    def send(self, phone: str, text: str) -> None:
        url = settings.DAIBAN_SMS_GATEWAY_URL
        if not url:
            raise SmsError("DAIBAN_SMS_GATEWAY_URL is not set")
        request = urllib.request.Request(  # noqa: S310 (the URL is the administrator's setting)
            url, data=json.dumps({"phone": phone, "text": text}).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.DAIBAN_SMS_GATEWAY_TOKEN}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise SmsError(f"gateway answered {response.status}")
        except OSError as exc:
            raise SmsError(str(exc)) from exc


def get_backend():
    return import_string(settings.DAIBAN_SMS_BACKEND)()
