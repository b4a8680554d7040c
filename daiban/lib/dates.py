"""Today in the project's time zone (Asia/Shanghai): the day every action and deadline counts from."""

from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()
