"""What the navigation shows for the signed-in user."""

from __future__ import annotations

from daiban.org import roles
from daiban.petitions.abilities import may


def nav(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(user, "role_set"):
        return {}
    return {
        "nav": {
            "intake": may(user, "intake"),
            "stats": may(user, "view_stats"),
            "department": may(user, "department_queue"),
            "leader": may(user, "sign_opinions"),
            "overview": may(user, "station_overview"),
            "admin": may(user, "administer"),
            "audit": may(user, "view_audit"),
            "double_checks": _double_checks(user),
            "session": _session_limits(request),
            "role_labels": _role_labels(user),
            "unread": _unread(user) if request.path.startswith("/staff/") else 0,
        }
    }


def _role_labels(user) -> str:
    """The roles after the user's name, leaving out a role the name already says (no
    "带班领导（带班领导）", no "…经办人（事权单位经办人）" twice over)."""
    name = user.display_name
    labels = [roles.LABELS[r] for r in sorted(user.role_set) if r in roles.LABELS]
    shown = [label for label in labels if label not in name and not (label.endswith("经办人") and name.endswith("经办人"))]
    return "、".join(shown) if labels else "无角色"


def _double_checks(user) -> bool:
    """一案双查 in the menu: for the center, admin and the stations' leaders; for anyone else while an
    open item is assigned to them."""
    if may(user, "manage_double_checks") or user.has_role(*roles.STATION_LEADERS):
        return True
    from daiban.petitions.models import DoubleInvestigation

    return DoubleInvestigation.objects.filter(assignee_id=user.pk, closed_on__isnull=True).exists()


UNREAD_CAP = 100  # the badge says "99+" beyond this: no need to count a long backlog exactly


def _unread(user) -> int:
    from daiban.notifications.services import unread

    return unread(user).order_by()[:UNREAD_CAP].count()


def _session_limits(request) -> dict | None:
    """What the page's idle warning counts with (daiban/static/daiban/app.js)."""
    from django.conf import settings

    from daiban.accounts.signals import SESSION_STARTED

    session = getattr(request, "session", None)
    started = session.get(SESSION_STARTED) if session is not None else None
    if started is None:
        return None
    return {"idle_seconds": settings.DAIBAN_SESSION_IDLE_MINUTES * 60,
            "ends_at": int(started + settings.DAIBAN_SESSION_MAX_HOURS * 3600)}
