"""Today in the project's time zone (Asia/Shanghai): the day every action and deadline counts from."""

from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()


RANGE_MESSAGE = "结束日期不能早于开始日期"


def check_range(start: datetime.date | None, end: datetime.date | None, field: str = "to") -> None:
    """Refuse an impossible date range (start after end) with a Chinese message naming the end
    field: Invalid (the API's 400, a message on the page). Either end may be open (None)."""
    from daiban.lib.errors import Invalid

    if start is not None and end is not None and start > end:
        raise Invalid.of({field: RANGE_MESSAGE})
