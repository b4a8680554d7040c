"""Two facts about the petitioner's opinion of the result, kept apart (issue 12, API.md 1.1):

- the feedback recorded by staff: how the result was reported (method), the opinion the petitioner
  gave then, and the day (`feedback_method`, `feedback_satisfaction`, `feedback_on`);
- the petitioner's own rating through the portal (`online_satisfaction`, `online_rated_at`).

`Petition.satisfaction` is the one the API, the review rules and the statistics read: the
petitioner's own rating when it was given after the feedback, else the recorded opinion. It is
stored (the statistics read it from their index) and set only through `apply_satisfaction`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from daiban.petitions.models import Petition, Satisfaction


def online_counts(petition: Petition) -> bool:
    """Whether the petitioner's own rating stands: given, and not before the (latest) feedback."""
    if not petition.online_satisfaction or petition.online_rated_at is None:
        return False
    if petition.feedback_on is None:
        return False
    return timezone.localdate(petition.online_rated_at) >= petition.feedback_on


def effective_satisfaction(petition: Petition) -> str:
    """The petitioner's own rating when given after the feedback, else the recorded one ("" if none)."""
    if online_counts(petition):
        return petition.online_satisfaction
    return petition.feedback_satisfaction if petition.feedback_on else ""


def apply_satisfaction(petition: Petition) -> str:
    """Set `petition.satisfaction` from the two facts (the caller saves); returns it."""
    petition.satisfaction = effective_satisfaction(petition)
    return petition.satisfaction


def record_feedback(petition: Petition, *, method: str, satisfaction: str, on: datetime.date) -> None:
    """Staff recorded the feedback: a new feedback starts a new round, so an earlier online rating
    (before it) no longer counts; the petitioner may rate this result again."""
    petition.feedback_method, petition.feedback_satisfaction, petition.feedback_on = method, satisfaction, on
    petition.rated_by_petitioner = False
    apply_satisfaction(petition)


def record_online_rating(petition: Petition, satisfaction: str, at: datetime.datetime | None = None) -> None:
    """The petitioner rated the result through the portal (the recorded feedback stays as it was)."""
    petition.online_satisfaction, petition.online_rated_at = satisfaction, at or timezone.now()
    petition.rated_by_petitioner = True
    apply_satisfaction(petition)


def clear(petition: Petition) -> None:
    """The matter is handled again (a review upheld): the earlier feedback and rating no longer
    stand (the timeline keeps them)."""
    petition.feedback_on, petition.feedback_satisfaction = None, ""
    petition.online_satisfaction, petition.online_rated_at, petition.rated_by_petitioner = "", None, False
    petition.satisfaction = ""


def may_rate(petition: Petition) -> bool:
    """The petitioner may rate once per feedback, after it."""
    return petition.status == "feedback_given" and not online_counts(petition)


def feedback_out(petition: Petition) -> dict[str, Any] | None:
    """API `feedback`: what staff recorded, or None before any feedback."""
    if petition.feedback_on is None:
        return None
    return {"method": petition.feedback_method or None, "satisfaction": petition.feedback_satisfaction or None,
            "on": petition.feedback_on}


def online_rating_out(petition: Petition) -> dict[str, Any] | None:
    """API `online_rating`: what the petitioner rated, or None."""
    if not petition.online_satisfaction or petition.online_rated_at is None:
        return None
    return {"satisfaction": petition.online_satisfaction, "at": timezone.localtime(petition.online_rated_at)}


def label(code: str) -> str:
    return str(Satisfaction(code).label) if code in Satisfaction.values else ""
