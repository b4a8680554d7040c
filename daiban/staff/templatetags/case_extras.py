"""`{% case_extras petition user as extras %}`: which of the case page's side cards (internal notes,
SMS log) this user gets; their contents come by htmx from staff/views/extras.py."""

from __future__ import annotations

from django import template

from daiban.org.models import User
from daiban.petitions.abilities import may
from daiban.petitions.models import Petition

register = template.Library()


@register.simple_tag
def case_extras(petition: Petition, user: User) -> dict[str, bool]:
    return {"notes": may(user, "internal_notes", petition), "messages": may(user, "see_messages", petition)}
