"""The written notices of a case, for the staff case page."""

from __future__ import annotations

from django import template

from daiban.org import roles

register = template.Library()


@register.simple_tag
def petition_notices(petition, user) -> list[dict]:
    """The notices that apply to the petition now; none for department accounts (see services)."""
    from daiban.documents import notices

    if user.has_role(roles.DEPARTMENT) and not user.has_role(roles.AGENT, roles.CENTER, roles.ADMIN,
                                                              *roles.STATION_LEADERS):
        return []
    return [item for item in notices.listing(petition) if item["available"]]
