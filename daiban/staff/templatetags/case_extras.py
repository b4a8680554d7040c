"""`{% case_extras petition user as extras %}`: the case page's side cards this user gets — the
internal notes and the SMS log — with their contents, rendered with the page (no extra requests on
load). A later note is posted by htmx to staff/views/extras.py, which answers with the card again."""

from __future__ import annotations

from typing import Any

from django import template

from daiban.org.models import User
from daiban.petitions.abilities import may
from daiban.petitions.models import Petition
from daiban.staff.notes import notes_of
from daiban.staff.selectors import sms_log

register = template.Library()


@register.simple_tag
def case_extras(petition: Petition, user: User) -> dict[str, Any]:
    may_notes, may_messages = may(user, "internal_notes", petition), may(user, "see_messages", petition)
    return {"may_notes": may_notes, "notes": notes_of(user, petition) if may_notes else [],
            "may_messages": may_messages, "sms": sms_log(petition) if may_messages else []}
