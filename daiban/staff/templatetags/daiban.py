"""Chinese labels for codes, and deadline colouring, for the templates."""

from __future__ import annotations

from django import template

from daiban.org import roles
from daiban.petitions import choices as c
from daiban.petitions.events import event_labels
from daiban.petitions.workflow import RUNNING

register = template.Library()

_LABELS = {
    "status": dict(c.Status.choices), "channel": dict(c.Channel.choices), "source": dict(c.Source.choices),
    "track": dict(c.Track.choices), "satisfaction": dict(c.Satisfaction.choices),
    "method": dict(c.ContactMethod.choices), "disposition": dict(c.DispositionState.choices),
    "exclusion": dict(c.Exclusion.choices), "role": roles.LABELS, "escalated_to": dict(c.EscalationTarget.choices),
    "convened_by": dict(c.Convener.choices), "chosen_by": dict(c.AgentChosenBy.choices),
    "notification": dict(c.InformMethod.choices), "level": dict(c.ReviewLevel.choices),
    # The timeline's event actions: every workflow action by its label, and the events that are not actions.
    "action": event_labels(),
    "conduct": dict(c.ConductKind.choices),
}

_STATUS_TONES = {
    "received": "secondary", "accepted": "info", "in_progress": "primary", "escalated": "warning",
    "concluded": "success", "feedback_given": "success", "under_review": "warning", "terminated": "dark",
    # Not "light": a light badge on the white card is unreadable (白底白字).
    "followed_up": "dark", "archived": "secondary", "declined": "secondary",
}


@register.filter
def label(code, kind: str) -> str:
    if code in (None, ""):
        return ""
    return _LABELS.get(kind, {}).get(code, code)


@register.filter
def petition_status(petition) -> str:
    """A petition's status in words: under review it says 复查中 or 复核中 (choices.status_label)."""
    if isinstance(petition, dict):
        return c.status_label(petition.get("status", ""), petition.get("review_level") or "")
    if petition.status != c.Status.UNDER_REVIEW:
        # The level matters only under review: rows read with .only(…) without it are not read again,
        # one query per row (a petitioner with 33 earlier petitions on the intake check).
        return c.status_label(petition.status)
    return c.status_label(petition.status, getattr(petition, "review_level", ""))


@register.filter
def event_status(event) -> str:
    """The status an event led to, in words (a request for review says 复查中 or 复核中)."""
    if isinstance(event, dict):
        return c.status_label(event.get("to_status") or "", event.get("review_level") or "")
    return c.status_label(event.to_status, (event.data or {}).get("level", ""))


@register.filter
def status_tone(code: str) -> str:
    return _STATUS_TONES.get(code, "secondary")


@register.simple_tag
def due_class(status: str, due_on, today, due_soon) -> str:
    if not due_on or status not in RUNNING:
        return ""
    if due_on < today:
        return "overdue"
    return "due-soon" if due_on <= due_soon else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.simple_tag(takes_context=True)
def petitioner_name(context, petition) -> str:
    """The name as registered with the petition, masked for a department that must not learn who
    complained (Department.sees_identity off)."""
    from daiban.lib.identity import mask_name
    from daiban.petitions.permissions import identity_hidden

    request = context.get("request")
    name = petition.petitioner_name
    if request is not None and identity_hidden(request.user, petition):
        return mask_name(name)
    return name


@register.simple_tag
def due_left(left) -> str:
    """"剩余N个工作日" / "超期N个工作日" in its colour, from a staff.due.DueLeft (nothing for None)."""
    from django.utils.html import format_html

    if not left:
        return ""
    return format_html('<span class="due-left text-{}-emphasis fw-semibold" data-testid="due-left" data-days="{}">{}</span>',
                       left.tone, left.days, left.text)
