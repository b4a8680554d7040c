"""What the agent chooses to share between the departments asked to act on one petition.

A department sees the petition's content and its own 处置单 (permissions.department_view); the
agent may share one 处置单 — its proposed handling, opinions and result — with the other departments
on the same petition (a joint matter where one unit's answer is the next unit's starting point),
and take the sharing back. Each change is an event (`disposition_share`) naming the 处置单."""

from __future__ import annotations

from django.db import transaction

from daiban.lib.dates import today
from daiban.lib.errors import Forbidden, NotFound
from daiban.org.models import User
from daiban.petitions import events
from daiban.petitions.guards import ensure_not_archived
from daiban.petitions.models import Disposition, Petition
from daiban.petitions.permissions import actor_kinds, get_visible_petition, visible_dispositions
from daiban.petitions.workflow import CASE


def may_share(user: User, petition: Petition) -> bool:
    """The case's agent, the center and the administrator decide what departments share."""
    return bool(actor_kinds(user, petition) & CASE)


def share(*, disposition_id: int, user: User, shared: bool) -> Disposition:
    """Share one 处置单 with the petition's other departments (or stop sharing it). NotFound for a
    处置单 the user may not see; Forbidden for someone other than the case's workers."""
    with transaction.atomic():
        # Through what the user may see of 处置单: another department's is not found (a 403 would tell
        # it exists), as its form and its actions are not.
        petition_id = visible_dispositions(user).filter(pk=disposition_id).values_list("petition_id", flat=True).first()
        if petition_id is None:
            raise NotFound("处置单不存在")
        petition = get_visible_petition(user, petition_id, lock=True)
        if not may_share(user, petition):
            raise Forbidden("只有代办员可以决定共享处置单", code="forbidden")
        ensure_not_archived(petition)
        disposition = Disposition.objects.select_related("department").get(pk=disposition_id)
        if disposition.shared != shared:
            disposition.shared = shared
            disposition.save(update_fields=["shared"])
            petition.version += 1
            petition.save(update_fields=["version", "updated_at"])
            verb = "共享给其他承办单位" if shared else "取消共享"
            events.record(petition, "disposition_share", actor=user, on=today(),
                          note=f"{disposition.department.name}的处置单{verb}",
                          data={"disposition_id": disposition.pk, "shared": shared})
    return disposition
