"""The workflow module is the one definition: every action has a handler and a body, every status is
reachable, and the statuses are exactly API.md's."""

from collections import deque

from daiban.api.schemas import ACTION_BODIES, DISPOSITION_BODIES
from daiban.petitions import guards
from daiban.petitions.actions import ACTIONS, DISPOSITION_ACTIONS, transitions
from daiban.petitions.models import Status
from daiban.petitions.workflow import SCREEN_OUTCOMES

API_STATUSES = {
    "received", "answered", "redirected_legal", "guided", "declined", "accepted", "in_progress", "escalated",
    "concluded", "feedback_given", "under_review", "terminated", "followed_up", "archived",
}


def test_statuses_are_the_contracts():
    assert set(Status.values) == API_STATUSES


def test_every_action_has_a_handler_a_body_and_known_guards():
    # An action is declared with its handler and its input class (actions/base.py refuses one without).
    assert set(ACTIONS) == {n for n, a in ACTIONS.items() if callable(a.handler)} == set(ACTION_BODIES)
    assert set(DISPOSITION_ACTIONS) == {n for n, a in DISPOSITION_ACTIONS.items() if callable(a.handler)} \
        == set(DISPOSITION_BODIES)
    for act in [*ACTIONS.values(), *DISPOSITION_ACTIONS.values()]:
        assert set(act.guards) <= set(guards.GUARDS), act.name
        assert act.actors, act.name


def reachable(start: str) -> set[str]:
    edges = transitions()
    seen, queue = {start}, deque([start])
    while queue:
        here = queue.popleft()
        for source, _, target in edges:
            if source == here and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def test_every_status_is_reachable_from_received_and_can_reach_archived():
    assert reachable("received") == API_STATUSES
    for status in API_STATUSES - {"archived"}:
        assert "archived" in reachable(status), status


def test_screening_has_the_four_outcomes_and_declined():
    assert set(SCREEN_OUTCOMES) == {"direct_reply", "legal_channel", "guided", "agency", "declined"}
    assert set(ACTIONS["screen"].targets) == {SCREEN_OUTCOMES[o] for o in SCREEN_OUTCOMES}


def test_archive_only_after_follow_up_for_an_agency_case():
    assert "terminated" not in ACTIONS["archive"].sources
    assert "followed_up" in ACTIONS["archive"].sources
