"""内部批注: notes of the agency's staff on a case, with @ to tell a colleague (issue 15).

A note is internal: never on the public timeline, in the documents or in the case file; only the
agency's side of the case may read or write one (ability `internal_notes`: the station's agents
and leaders, the center, admin — not the departments a 处置单 went to). Notes are append-only.
The colleagues it names with "@" (username or name) must be able to see the case; each gets an
in-app notice, written by the background worker after the commit (never inside the request).
"""

from __future__ import annotations

import re

from django.db import transaction
from django_tasks import task

from daiban.lib.errors import Invalid
from daiban.lib.validation import text_field
from daiban.org.models import User
from daiban.petitions.abilities import CASE_WORKERS, may, require
from daiban.petitions.models import Petition
from daiban.petitions.permissions import get_visible_petition
from daiban.staff.models import CaseNote

MAX_LENGTH = 2000
_AT = re.compile(r"@")
# After an ASCII username or name, a name that goes on: "@agent12" is not "@agent1" (a CJK name
# may be followed directly by Chinese text, so this applies only to a key ending in ASCII).
_GOES_ON = re.compile(r"[A-Za-z0-9_.\-]")


def _names_at(rest: str, key: str) -> bool:
    """Whether `rest` (the text after an "@") begins with the whole name `key`."""
    if not rest.startswith(key):
        return False
    if not key[-1].isascii():
        return True
    return _GOES_ON.match(rest, len(key)) is None


def colleagues(petition: Petition) -> list[User]:
    """Who may be named with "@" on this case: active staff who may read its internal notes."""
    users = User.objects.filter(is_active=True).exclude(roles="").order_by("id")
    return [u for u in users if u.role_set & CASE_WORKERS and may(u, "internal_notes", petition)]


def mentioned(text: str, petition: Petition) -> list[User]:
    """The colleagues named in `text` by "@username" or "@姓名" (the longest that matches; an ASCII
    name only when no letter, digit, "_", "." or "-" follows it, so "@agent12" never tells agent1).
    Raises Invalid (field `text`) naming an "@" that matches no one who may see the case."""
    people = colleagues(petition)
    names = sorted(((key, u) for u in people for key in {u.username, u.name} if key), key=lambda kv: -len(kv[0]))
    found: dict[int, User] = {}
    for at in _AT.finditer(text):
        rest = text[at.end():]
        match = next((u for key, u in names if _names_at(rest, key)), None)
        if match is None:
            word = re.match(r"[\w.-]{1,20}", rest)
            if word:
                raise Invalid.of({"text": f"没有可提醒的同事“@{word.group(0)}”：只能提醒能查看本事项的代办机构工作人员"})
            continue  # an @ not followed by a name (an e-mail-like "a @ b") is just text
        found[match.pk] = match
    return list(found.values())


def add_note(*, user: User, petition_id: int, text: str) -> CaseNote:
    """Append a note to a case the user may see (404 otherwise) and may annotate (403 otherwise).
    Raises Invalid (field `text`) for an empty, too long or unsafe text or an unknown "@"."""
    body = text_field({"text": text}, "text", "批注内容", max_length=MAX_LENGTH)
    with transaction.atomic():
        petition = get_visible_petition(user, petition_id)
        require(user, "internal_notes", petition)
        people = [u for u in mentioned(body, petition) if u.pk != user.pk]
        note = CaseNote.objects.create(petition=petition, author=user, text=body)
        note.mentions.set(people)
        if people:
            transaction.on_commit(lambda: notify_mentions.enqueue(note.pk), robust=True)
    return note


def notes_of(user: User, petition: Petition) -> list[CaseNote]:
    """The case's notes, oldest first; empty for a user who may not read them."""
    if not may(user, "internal_notes", petition):
        return []
    return list(CaseNote.objects.filter(petition=petition).select_related("author").prefetch_related("mentions"))


@task()
def notify_mentions(note_id: int) -> None:
    """Background: an in-app notice to each colleague named in the note (once: keyed by the note)."""
    from daiban.notifications.services import notice

    note = CaseNote.objects.select_related("author", "petition").get(pk=note_id)
    excerpt = note.text if len(note.text) <= 40 else note.text[:40] + "…"
    notice(list(note.mentions.all()), "note_mention", petition=note.petition, dedupe=f"note:{note.pk}",
           author=note.author.name or note.author.username, number=note.petition.number, excerpt=excerpt)
