"""File responses shared by the API and the staff pages."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
}


def content_disposition(filename: str) -> str:
    # RFC 6266: an ASCII fallback, then the Chinese name in UTF-8.
    return f"attachment; filename=\"document\"; filename*=UTF-8''{quote(filename)}"


def download(data: bytes, filename: str, fmt: str, content_type: str | None = None) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type or TYPES.get(fmt, "application/octet-stream"))
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
