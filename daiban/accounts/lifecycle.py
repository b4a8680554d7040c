"""What follows a change of a staff account's credentials or access, wherever it is made.

The staff password page, the admin (password reset, roles, active flag), `manage.py changepassword`:
each ends in User.save(), which calls before_save/after_save here. A password change, a
deactivation or a removed role revokes every API token of the user and ends their other sessions
(the session hash includes `security_stamp`; the page that changed the password keeps its own
session with update_session_auth_hash). Each change is an audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

ACCESS_FIELDS = ("roles", "is_active", "is_superuser", "is_staff")


def loaded_access(user) -> tuple | None:
    """The access fields as loaded from the database (None when some were deferred)."""
    if any(name not in user.__dict__ for name in ACCESS_FIELDS):
        return None
    return tuple(getattr(user, name) for name in ACCESS_FIELDS)


def _roles(value: str, superuser: bool) -> set[str]:
    found = {r for r in value.split(",") if r}
    if superuser:
        found.add("admin")
    return found


def before_save(user, kwargs: dict) -> dict:
    """Stamp the change on the row about to be saved; return what after_save must do."""
    plan: dict = {}
    update_fields = kwargs.get("update_fields")
    touched: list[str] = []
    if user.pk is not None and user._password is not None:
        # A new password set by a person (check_password's silent re-hash clears _password first).
        plan["password"] = True
    if user._password is not None:
        user.password_changed_at = timezone.now()
        touched.append("password_changed_at")
    before = getattr(user, "_loaded_access", None)
    if user.pk is not None and before is not None:
        old_roles, old_active, old_super, _ = before
        lost = _roles(old_roles, old_super) - _roles(user.roles, user.is_superuser)
        gained = _roles(user.roles, user.is_superuser) - _roles(old_roles, old_super)
        deactivated = old_active and not user.is_active
        if lost or gained or deactivated or (not old_active and user.is_active) or before[3] != user.is_staff:
            plan["access"] = {
                "before": sorted(_roles(old_roles, old_super)), "after": sorted(_roles(user.roles, user.is_superuser)),
                "active": user.is_active, "staff": user.is_staff,
            }
        if lost or deactivated:
            plan["revoke"] = True
    if plan.get("password") or plan.get("revoke"):
        user.security_stamp = (user.security_stamp or 0) + 1
        touched.append("security_stamp")
    if update_fields is not None and touched:
        kwargs["update_fields"] = list({*update_fields, *touched})
    return plan


# What revokes a user's other credentials (API tokens live in the api app, above this one):
# each app that issues credentials registers a function here in its AppConfig.ready, returning
# how many it revoked.
CREDENTIAL_REVOKERS: list[Callable[[Any], int]] = []


def register_revoker(revoke_all: Callable[[Any], int]) -> None:
    if revoke_all not in CREDENTIAL_REVOKERS:
        CREDENTIAL_REVOKERS.append(revoke_all)


def after_save(user, plan: dict) -> None:
    from daiban.audit.models import Action
    from daiban.audit.services import record

    revoked = sum(revoke(user) for revoke in CREDENTIAL_REVOKERS) if plan.get("password") or plan.get("revoke") else 0
    if plan.get("password"):
        record(Action.PASSWORD_CHANGE, target=user, label=user.get_username(), detail={"tokens_revoked": revoked})
    if plan.get("access"):
        record(Action.ROLE_CHANGE, target=user, label=user.get_username(),
               detail={**plan["access"], "tokens_revoked": revoked})
    if revoked:
        record(Action.TOKEN_REVOKE, target=user, label=user.get_username(),
               detail={"count": revoked, "reason": "password" if plan.get("password") else "access"})
    user._loaded_access = loaded_access(user)
