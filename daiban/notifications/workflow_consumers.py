"""Messages that follow the actions between people (issue 12): escalations and the center's answer,
a 处置单 returned or its extension asked for and decided, the change of agent. Like consumers.py:
run by the worker after the action committed, each message keyed by its event (idempotent)."""

from __future__ import annotations

from daiban.notifications.consumers import _agent_user, _day, _key
from daiban.notifications.services import center_users, notice, sms
from daiban.org import roles
from daiban.org.models import Agent, User
from daiban.petitions.actions.extension import decider_kinds
from daiban.petitions.choices import EscalationTarget
from daiban.petitions.events import consumes
from daiban.petitions.models import Disposition, Event, Petition
from daiban.petitions.permissions import actor_kinds


def _disposition(event: Event) -> Disposition | None:
    return Disposition.objects.select_related("department").filter(pk=event.data.get("disposition_id")).first()


def _agent_users(agent_id: int | None) -> list[User]:
    agent = Agent.objects.select_related("user").filter(pk=agent_id).first() if agent_id else None
    return [agent.user] if agent is not None and agent.user is not None else []


@consumes("escalate")
def escalated(event: Event) -> None:
    """The center (the joint office's staff hold its role) learns of the escalation at once."""
    p = event.petition
    to = event.data.get("to", "")
    notice(center_users(), "escalation_received", petition=p, dedupe=_key(event, "escalation_received"),
           number=p.number, station=p.station.name,
           to=EscalationTarget(to).label if to in EscalationTarget.values else to)


@consumes("take_escalation")
def escalation_taken(event: Event) -> None:
    p = event.petition
    notice(_agent_user(p), "escalation_taken", petition=p, dedupe=_key(event, "escalation_taken"), number=p.number,
           who=event.actor_name)


@consumes("return_escalation")
def escalation_returned(event: Event) -> None:
    p = event.petition
    notice(_agent_user(p), "escalation_returned", petition=p, dedupe=_key(event, "escalation_returned"),
           number=p.number, note=event.note)


@consumes("disposition_return")
def disposition_returned(event: Event) -> None:
    """The agent routes again: they are told which 处置单 came back and why."""
    disposition = _disposition(event)
    if disposition is not None:
        p = event.petition
        notice(_agent_user(p), "disposition_returned", petition=p, dedupe=_key(event, "disposition_returned"),
               department=disposition.department.name, disposition=disposition.number,
               reason=event.data.get("reason", ""))
        # The petitioner was told this 处置单's extension moved the matter's date ("办理期限延至…"); now
        # that it is returned, the date is the one before it (deadlines.after_return): told too, or the
        # portal and the SMS would disagree about the day the matter is due.
        due = _day(event, "petition_due_on", None)
        if event.data.get("petition_due_moved") and due is not None and _extension_told(disposition):
            sms(p, "due_restored", dedupe=_key(event, "due_restored_sms"), due=due)


def _extension_told(disposition: Disposition) -> bool:
    """Was the petitioner told by SMS that an extension of this 处置单 moved the matter's date?"""
    return Event.objects.filter(petition_id=disposition.petition_id, action="disposition_decide_extension",
                                data__disposition_id=disposition.pk, data__approved=True,
                                data__petition_due_moved=True).exists()


def extension_deciders(petition: Petition, disposition: Disposition) -> list[User]:
    """Who can decide the 处置单's waiting extension request, and only they (extension.decider_kinds):
    the leaders of every station that holds the petition (permissions.actor_kinds: a village point's
    petition is its station's too) and the center; after an approved extension, the center alone."""
    kinds = decider_kinds(disposition)
    candidates = User.objects.filter(is_active=True).select_related("station")
    return [u for u in candidates if u.role_set & (roles.STATION_LEADERS | {roles.CENTER})
            and actor_kinds(u, petition, disposition) & kinds]


@consumes("disposition_request_extension")
def extension_requested(event: Event) -> None:
    disposition = _disposition(event)
    if disposition is not None:
        p = event.petition
        notice(extension_deciders(p, disposition), "extension_requested", petition=p,
               dedupe=_key(event, "extension_requested"), department=disposition.department.name,
               disposition=disposition.number, workdays=event.data.get("workdays", ""))


@consumes("disposition_decide_extension")
def extension_decided(event: Event) -> None:
    """The department and the agent are told the decision; an approved one is told to the petitioner
    by SMS (the written 延期办理告知书 is the `extension` notice, documents/notices.py)."""
    disposition = _disposition(event)
    if disposition is None:
        return
    p = event.petition
    approved = bool(event.data.get("approved"))
    users = [*User.objects.filter(department_id=disposition.department_id, is_active=True), *_agent_user(p)]
    notice(users, "extension_decided", petition=p, dedupe=_key(event, "extension_decided"),
           disposition=disposition.number, decision="批准" if approved else "不批准", note=event.note)
    # The petitioner hears of it when it moved the matter's own date (the 处置单 now due last): an
    # extension of a 处置单 due before another tells no date the matter is not due by.
    if approved and event.data.get("petition_due_moved"):
        sms(p, "extension", dedupe=_key(event, "extension_sms"), due=_day(event, "due_on", disposition.due_on))


@consumes("reassign")
def reassigned(event: Event) -> None:
    p = event.petition
    new = Agent.objects.select_related("station").filter(pk=event.data.get("agent_id")).first()
    if new is None:
        return
    notice(_agent_users(new.pk), "new_assignment", petition=p, dedupe=_key(event, "new_assignment"),
           number=p.number, summary=p.content[:30])
    notice(_agent_users(event.data.get("from_agent_id")), "reassigned_away", petition=p,
           dedupe=_key(event, "reassigned_away"), number=p.number, agent=new.name)
    sms(p, "reassigned", dedupe=_key(event, "reassigned_sms"), agent=new.name,
        agent_phone=new.office_phone or new.station.phone or "—")
