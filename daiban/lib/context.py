"""Template context every page has."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def region(request: HttpRequest) -> dict[str, object]:
    """`region_name`: the county the installation serves (settings.DAIBAN_REGION_NAME), for titles;
    `attachment_max_mb`: the largest attachment taken, in whole MB, as the upload's refusal says it
    (documents.services; settings.DAIBAN_ATTACHMENT_MAX_BYTES)."""
    return {"region_name": settings.DAIBAN_REGION_NAME,
            "attachment_max_mb": settings.DAIBAN_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
