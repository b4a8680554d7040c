"""Writing audit rows: `record(Action.X, ...)` from views, services, models and signal receivers."""

from __future__ import annotations

import logging

from django.http import HttpRequest
from django.utils import timezone

from daiban.audit import chain
from daiban.audit.context import current_request
from daiban.audit.models import Action, AuditEntry

log = logging.getLogger("daiban.security")


def _client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    from daiban.lib.ratelimit import client_ip

    return client_ip(request)[:64]


def _request_user(request: HttpRequest | None):
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def record(action: Action | str, *, actor=None, actor_username: str = "", target=None, target_type: str = "",
           target_id: str | int = "", label: str = "", detail: dict | None = None,
           request: HttpRequest | None = None) -> AuditEntry:
    """Append one row to the audit trail.

    actor: the staff account acting (default: the request's signed-in user); `actor_username` names
      who tried when there is no account (a failed login with an unknown name).
    target: a model instance (its type, pk and str() are recorded), or give target_type/target_id/label.
    detail: small JSON facts (counts, field names, before/after roles): never personal data.
    request: default the request being served (set by AuditContextMiddleware); gives the client address.
    """
    request = request if request is not None else current_request.get()
    actor = actor if actor is not None else _request_user(request)
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target_id or target.pk
        label = label or str(target)
    entry = chain.append(
        at=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        actor_username=(actor.get_username() if actor is not None else actor_username)[:150],
        action=str(action), target_type=target_type[:40], target_id=str(target_id or "")[:64],
        target_label=str(label)[:200], ip=_client_ip(request), detail=detail or {},
    )
    log.info("audit #%s %s actor=%s target=%s:%s", entry.seq, entry.action, entry.actor_username or "-",
             entry.target_type or "-", entry.target_id or "-")
    return entry
