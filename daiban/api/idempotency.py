"""`Idempotency-Key` for `POST /api/v1/petitions` (draft-ietf-httpapi-idempotency-key-header).

A client without an `external_id` (a desk system, a script typing in a day's letters) that retries a
registration after a timeout would register the complaint twice; with a key, the retry answers the
petition registered the first time (200, header `Idempotent-Replayed: true`), two requests at once
register one (the unique key lets one commit), and the key sent again with another body is refused
(409 `idempotency_key_reused`): it is a client's mistake that would otherwise lose a registration.
The staff 登记 form and the portal have their own one-time tokens (lib.validation.once_token)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from daiban.api.models import IdempotentIntake
from daiban.lib.errors import Conflict, Invalid
from daiban.org.models import User
from daiban.petitions.intake import IntakeResult
from daiban.petitions.permissions import visible_petitions

HEADER = "Idempotency-Key"
# Printable ASCII without spaces, as a UUID or any client's own scheme writes it.
_KEY = re.compile(r"[!-~]{1,64}")


def key_of(raw: str | None) -> str:
    """The header's key, '' when absent. Invalid naming the header for one that cannot be a key."""
    if raw is None or raw == "":
        return ""
    if not _KEY.fullmatch(raw):
        raise Invalid.of({HEADER: f"{HEADER}应为1至64个可见ASCII字符（如UUID）"})
    return raw


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _replayed(user: User, key: str, digest: str) -> IntakeResult | None:
    earlier = IdempotentIntake.objects.filter(user=user, key=key).select_related("petition").first()
    if earlier is None:
        return None
    if earlier.body_sha256 != digest:
        # Named only while the user may still see it (a reassigned or transferred petition is not).
        seen = visible_petitions(user).filter(pk=earlier.petition_id).exists()
        which = f"（{earlier.petition.number}）" if seen else ""
        raise Conflict(f"该{HEADER}已用于另一份登记{which}，新的登记请使用新的{HEADER}",
                       code="idempotency_key_reused")
    return IntakeResult(earlier.petition, False)


def register_once(user: User, key: str, body: dict[str, Any],
                  register: Callable[[], IntakeResult]) -> tuple[IntakeResult, bool]:
    """(the intake's result, replayed): `register()` run once per (user, key); without a key, run.
    Conflict 409 `idempotency_key_reused` for a key already used with another body."""
    if not key:
        return register(), False
    digest = _digest(body)
    if (earlier := _replayed(user, key, digest)) is not None:
        return earlier, True
    try:
        with transaction.atomic():
            result = register()
            IdempotentIntake.objects.create(user=user, key=key, body_sha256=digest, petition=result.petition)
    except IntegrityError:
        # Two requests with one key at once: the other committed first; this one rolled back.
        if (earlier := _replayed(user, key, digest)) is not None:
            return earlier, True
        raise
    return result, False
