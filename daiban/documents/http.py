"""File responses shared by the API and the staff pages."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

from daiban.documents.safe import ascii_filename, clean

TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
}


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback (`WS-2026-000004-daibandan.pdf`) for old clients, then the
    Chinese name in UTF-8. Both are safe for a header whatever the stored name holds."""
    name = clean(filename).replace("\n", " ").replace("\t", " ")
    return f"attachment; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(data: bytes, filename: str, fmt: str, content_type: str | None = None) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type or TYPES.get(fmt, "application/octet-stream"))
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
