"""Template context every page has."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def region(request: HttpRequest) -> dict[str, str]:
    """`region_name`: the county the installation serves (settings.DAIBAN_REGION_NAME), for titles."""
    return {"region_name": settings.DAIBAN_REGION_NAME}
