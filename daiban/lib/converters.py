"""URL path converters shared by every urls.py (staff pages, portal, admin-free)."""

from __future__ import annotations

from django.urls import register_converter

from daiban.lib.validation import ID_MAX


class IdConverter:
    """`<id:pk>`: a primary key in a URL, 1..ID_MAX (the database's 32-bit integer). Anything else
    (0, 20 digits, 2**63) does not match, so the resolver answers 404 before a view runs and no
    value reaches the database where it would overflow (OverflowError on SQLite → 500)."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValueError(f"id out of range: {value}")
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


register_converter(IdConverter, "id")
