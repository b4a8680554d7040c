"""The written notices of a case, for the staff case page."""

from __future__ import annotations

from django import template

from daiban.petitions.abilities import may

register = template.Library()


@register.simple_tag
def petition_notices(petition, user) -> list[dict]:
    """The notices that apply to the petition now; none for department accounts (see services)."""
    from daiban.documents import notices

    if not may(user, "work_cases"):
        return []
    return [item for item in notices.listing(petition) if item["available"]]
