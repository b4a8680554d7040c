"""One spelling per account name: what is stored, what logs in and what the lockout counts."""

from __future__ import annotations

import unicodedata


def normalize_username(value: str | None) -> str:
    """NFKC (full-width ａｇｅｎｔ１０ → agent10), strip surrounding spaces, case-fold (AGENT10 → agent10).

    The login form, the admin login, `POST /api/v1/auth/token` and django-axes' failure counter all
    use this, so "agent10 ", ＡＧＥＮＴ１０ and Agent10 are one account with one counter.
    """
    return unicodedata.normalize("NFKC", value or "").strip().casefold()
