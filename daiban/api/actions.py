"""API v1: one route per workflow action, made from the action's declaration (its input class is the
body schema, its label and help the documentation). Nothing here names an action."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja import Router

from daiban.api import schemas as s
from daiban.api.common import ERRORS, petition_out
from daiban.api.render import respond
from daiban.org.requests import StaffRequest
from daiban.petitions import services
from daiban.petitions.actions import ACTIONS, DISPOSITION_ACTIONS, Action, ActionInput

router = Router()

# The route's URL name → the input class, so a refused body is described in that action's words.
INPUTS: dict[str, type[ActionInput]] = {}


def _petition_route(act: Action[Any]) -> None:
    def view(request: StaffRequest, petition_id: s.Id, payload: ActionInput) -> HttpResponse:
        services.petition_act(petition_id=petition_id, action=act.name, user=request.user, data=payload)
        return respond(s.PetitionOut, petition_out(request, petition_id))

    _add(view, act, f"/petitions/{{petition_id}}/actions/{act.name}", "petition", "办理")


def _disposition_route(act: Action[Any]) -> None:
    def view(request: StaffRequest, disposition_id: s.Id, payload: ActionInput) -> HttpResponse:
        disposition = services.disposition_act(disposition_id=disposition_id, action=act.name, user=request.user,
                                               data=payload)
        return respond(s.PetitionOut, petition_out(request, disposition.petition_id))

    _add(view, act, f"/dispositions/{{disposition_id}}/actions/{act.name}", "disposition", "处置单")


def _add(view: Any, act: Action[Any], path: str, kind: str, tag: str) -> None:
    # ninja reads the body's schema from the annotation: this action's own input class.
    view.__annotations__ = {**view.__annotations__, "payload": act.input}
    view.__name__ = f"{kind}_action_{act.name}"
    INPUTS[view.__name__] = act.input
    router.post(path, response={200: s.PetitionOut, **ERRORS}, tags=[tag], summary=act.label, description=act.help,
                operation_id=f"{kind}_{act.name}", url_name=view.__name__)(view)


for _petition_act in ACTIONS.values():
    _petition_route(_petition_act)
for _disposition_act in DISPOSITION_ACTIONS.values():
    _disposition_route(_disposition_act)
