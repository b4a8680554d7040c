"""Every workflow action: declared with its input and its handler, one module per stage.

To add an action, write it in the module of its stage (or a new one imported below): an input
class whose fields carry their title and `ui(...)` hint, and a handler decorated with
`@petition_action(...)` or `@disposition_action(...)`. The API route, the page form, the labels, the
`GET …/actions` answer and the flowchart's arrows follow from that declaration.
"""

from __future__ import annotations

from typing import Any

from daiban.petitions.actions import (
    aftercare,
    closing,
    disposition,
    escalation,
    extension,
    handling,
    review,
    screening,
)
from daiban.petitions.actions.base import ACTIONS, DISPOSITION_ACTIONS, Action, ActionInput, Ctx, Outcome

__all__ = ["ACTIONS", "DISPOSITION_ACTIONS", "Action", "ActionInput", "Ctx", "Outcome", "transitions"]

# The stages in the order of the work: actions are listed (GET …/actions, the case page) stage by
# stage, in the order they are declared in their module. A stage module must be listed here.
STAGES = (screening, handling, escalation, review, closing, aftercare, disposition, extension)


def _in_stage_order(table: dict[str, Action[Any]]) -> None:
    rank = {module.__name__: i for i, module in enumerate(STAGES)}
    ordered = sorted(table.items(), key=lambda item: rank[item[1].handler.__module__])  # stable
    table.clear()
    table.update(ordered)


_in_stage_order(ACTIONS)
_in_stage_order(DISPOSITION_ACTIONS)


def transitions() -> list[tuple[str, str, str]]:
    """(from, action, to) for every edge of the petition's workflow: the flowchart and the tests read this."""
    edges = []
    for act in ACTIONS.values():
        for source in sorted(act.sources):
            for target in act.targets or (source,):
                edges.append((source, act.name, target))
    return edges
