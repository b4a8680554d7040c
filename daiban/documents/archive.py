"""一案一档 in the background: the case file is built by the worker after the `archive` action (its
PDFs take seconds, never the action's time), and its state is what the API and the case page show.

States (API.md, Documents, 1.1): `building` from the `archive` event until the file is frozen,
`ready` once it is (with its SHA-256), `failed` when the worker gave up; a download of a failed
one asks for a new build (event `archive_retry`) and answers "not yet" like a building one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from daiban.documents.models import ArchiveFile
from daiban.documents.services import archive_freeze, preview  # noqa: F401  (the worker's task, named here too)
from daiban.lib.compiled import Compiled
from daiban.org.models import User
from daiban.petitions import events
from daiban.petitions.choices import Status
from daiban.petitions.models import Event, Petition

BUILD_EVENTS = ("archive", "archive_retry", "archive_failed")
RETRY_AFTER_SECONDS = 10
# First key of the PostgreSQL advisory lock a build holds (the second is the petition's id).
BUILD_LOCK = 0x616E6A75  # "anju"


@dataclass(frozen=True)
class ArchiveState:
    status: str  # building, ready, failed
    sha256: str | None = None


def _gave_up(event: Event, error: BaseException) -> None:
    events.record(event.petition, "archive_failed", on=event.on,
                  note=f"案卷生成失败（{type(error).__name__}），下载时将重新生成", data={"error": type(error).__name__})


@events.consumes("archive", "archive_retry", give_up=_gave_up)
def build(event: Event) -> None:
    """Freeze the case file (idempotent: a second run finds it frozen).

    Several workers may hold build requests for one petition at the same moment (two downloads of a
    failed case file each record an `archive_retry`). On PostgreSQL each build holds a
    transaction-level advisory lock on the petition: the second waits for the first to commit and
    then finds the file frozen, instead of building it again, leaving a second ZIP in storage and
    failing on the one-to-one ArchiveFile. SQLite runs a single worker (README, Production set-up);
    there a write transaction around seconds of PDF work would stall every other writer."""
    if connection.vendor != "postgresql":
        archive_freeze(event.petition_id)
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [BUILD_LOCK, event.petition_id])
        archive_freeze(event.petition_id)


# Asked by every detail of an archived petition: compiled once (daiban.lib.compiled, issue 16).
_FROZEN: Compiled[ArchiveFile] = Compiled(
    lambda pid: ArchiveFile.objects.filter(petition_id=pid).only("id", "sha256").order_by("id")[:1])


def archive_state(petition: Petition) -> ArchiveState | None:
    """None before the petition is archived. Reads the petition's events as loaded (the detail
    prefetches them) and one row for the frozen file."""
    if petition.status != Status.ARCHIVED:
        return None
    row = _FROZEN.first(petition.pk)
    if row is not None and row.sha256:
        return ArchiveState("ready", row.sha256)
    last = [e.action for e in petition.events.all() if e.action in BUILD_EVENTS]
    return ArchiveState("failed" if last and last[-1] == "archive_failed" else "building")


def request_rebuild(petition: Petition, user: User) -> None:
    """After the worker gave up (say the PDF libraries were missing), a download asks again."""
    events.record(petition, "archive_retry", actor=user, note="重新生成案卷")
