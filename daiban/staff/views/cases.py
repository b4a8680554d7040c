"""The case page: everything about one petition, and the actions this user may take now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from daiban.documents.archive import archive_state
from daiban.documents.forms import agency_form_applies
from daiban.documents.models import Attachment
from daiban.documents.services import attachments_for, may_upload, may_upload_evidence
from daiban.lib.errors import Invalid, NotFound
from daiban.org.requests import StaffRequest
from daiban.petitions import eligibility, matters, selectors, services, sharing, undo
from daiban.petitions.abilities import may, opinion_roles
from daiban.petitions.actions import ACTIONS, DISPOSITION_ACTIONS, Action
from daiban.petitions.actions.disposition import signed_opinion
from daiban.petitions.choices import OpinionRole, Status
from daiban.petitions.models import Disposition, Petition
from daiban.petitions.permissions import (
    actor_kinds,
    department_view,
    get_visible_petition,
    visible_dispositions,
    visible_petitions,
)
from daiban.petitions.workflow import OPEN_DISPOSITION, RUNNING
from daiban.staff.action_forms import as_typed, fields_for, fill, read_post
from daiban.staff.confirm import confirm_for
from daiban.staff.selectors import due_soon_until, mark_limits
from daiban.staff.views.common import POST, REFUSALS, id_param, staff_required
from daiban.workdays.engine import workdays_between

# A refused form to open again: (kind, action, object id, what was posted, errors by field).
Failed = tuple[str, str, int, QueryDict, dict[str, str]]


def _load(request: StaffRequest, pk: int) -> Petition:
    petition = selectors.petition_for_detail(request.user, pk)
    if petition is None:
        raise NotFound("信访事项不存在")
    return petition


def _form(act: Action[Any], petition: Petition, failed: Failed | None, key: tuple[str, str, int],
          kinds: frozenset[str], *, role: str = "", label: str = "", opened: bool = False,
          disposition: Disposition | None = None) -> dict[str, Any]:
    fields = fields_for(act.input, petition, kinds, disposition)
    is_failed = failed is not None and failed[:3] == key and failed[3].get("role", "") == role
    if failed is not None and is_failed:
        fill(fields, failed[3], failed[4])
    return {"action": act, "fields": fields, "open": is_failed or opened, "role": role, "label": label or act.label,
            "on": as_typed("date", failed[3].get("on", "")) if failed is not None and is_failed else "",
            "confirm": confirm_for(act.name)}


# The statuses in which the bureau's and the regulation's handling limits still apply.
_HANDLING = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.ESCALATED})


def _limits(petition: Petition) -> dict[str, Any]:
    """Which deadlines of the 时限 card still apply at the petition's stage (the others are gone:
    no 登记转送 after screening, no handling limit after the conclusion, …)."""
    status = petition.status
    open_review = next((r for r in petition.reviews.all() if r.decided_on is None), None)
    return {
        "forward": status == Status.RECEIVED,
        "handling": status in _HANDLING,
        "review_request": status == Status.FEEDBACK_GIVEN and petition.review_request_due_on is not None,
        "review_answer": open_review.answer_due_on if open_review and status == Status.UNDER_REVIEW else None,
        "follow_up": status in (Status.TERMINATED, Status.FOLLOWED_UP) and petition.follow_up_due_on is not None,
    }


def _focus(request: StaffRequest) -> int | None:
    """The 处置单 a queue link opens (?d=…), its form unfolded."""
    return id_param(request.GET.get("d"))


def _opinion_form(act: Any, petition: Petition, failed: Failed | None, key: tuple[str, str, int],
                  kinds: frozenset[str], d: Disposition, role: str, *, opened: bool = False) -> dict[str, Any]:
    """A row already signed is final: its form adds a 补充意见 (the supplement box ticked)."""
    signed = signed_opinion(d, role)
    label = OpinionRole(role).label + ("：补充意见" if signed else "")
    form = _form(act, petition, failed, key, kinds, role=role, label=label, opened=opened, disposition=d)
    if not signed:  # nothing to add to yet: the first opinion itself
        form["fields"] = [f for f in form["fields"] if f.name != "supplement"]
    for f in form["fields"]:
        if f.name == "supplement" and not form["open"]:
            f.value = True
    return form


def _page(request: StaffRequest, petition: Petition, *, failed: Failed | None = None, status: int = 200) -> HttpResponse:
    """Render the case page; `failed` re-opens the form that was refused, with what was typed."""
    user = request.user
    detail = selectors.petition_detail(petition, user, via="page")
    today = services.today()
    kinds = actor_kinds(user, petition)
    forms = [_form(act, petition, failed, ("petition", act.name, petition.pk), kinds)
             for act in services.available_actions(user, petition)]
    # A department asked to act sees its own 处置单 first, its form unfolded, and no other's.
    department = department_view(user, petition)
    may_link = may(user, "link", petition)
    # An archived case is sealed: no form of a writer that refuses it (guards.ensure_not_archived) is
    # offered — correcting the petitioner, sharing a 处置单, linking or unlinking, uploading.
    sealed = petition.status == Status.ARCHIVED
    focus = _focus(request)
    dispositions = []
    for d in selectors.dispositions_for(petition, user):
        entries = []
        opened = department is not None or focus == d.pk
        d_kinds = actor_kinds(user, petition, d)
        for act in services.available_disposition_actions(user, petition, d):
            key = ("disposition", act.name, d.pk)
            if act.name == "opinion":  # one form per row of the 处置单 this user may sign
                entries += [_opinion_form(act, petition, failed, key, d_kinds, d, r, opened=opened)
                            for r in opinion_roles(user, petition, d)]
            else:
                entries.append(_form(act, petition, failed, key, d_kinds, opened=opened, disposition=d))
        dispositions.append({"d": d, "forms": entries, "mine": department is None or d.department_id == department})
    act_here = next((item["d"] for item in dispositions if item["forms"]), None)
    # Days left to each open 处置单's date, or while it is 待定 to its matter's regulation limit.
    mark_limits([d for d in selectors.dispositions_for(petition, user) if d.status in OPEN_DISPOSITION], today)
    # Each feedback as it was given (an upheld review clears the petition's fields, not the event).
    feedbacks = ([e for e in petition.events.all() if e.action in ("feedback", "public_rating")]
                 if department is None else [])
    context = {
        "p": petition, "detail": detail, "forms": forms, "dispositions": dispositions, "today": today,
        "agency_form": agency_form_applies(petition),
        "own_first": department is not None, "act_here": act_here, "feedbacks": feedbacks,
        "may_share": len(dispositions) > 1 and not sealed and sharing.may_share(user, petition),
        "undo_step": step if (step := undo.undoable_step(petition)) and undo.may_undo(user, petition, step) else None,
        "undo_minutes": undo.UNDO_MINUTES,
        "limits": _limits(petition),
        "due_soon": due_soon_until(today),
        "running": petition.status in RUNNING,
        "workdays_left": workdays_between(today, petition.due_on) if petition.due_on else None,
        "may_download_archive": may(user, "see_personal_data", petition),
        "may_correct": not sealed and may(user, "see_personal_data", petition),
        "archive": archive_state(petition),
        "may_unlink": not sealed and may(user, "unlink", petition),
        "may_link": may_link and not sealed,
        # Earlier petitions of this petitioner the check found possibly the same matter: a person rules.
        "possibly_same": eligibility.possibly_same(petition, user) if may_link else [],
        "attachments": list(attachments_for(user, petition)),
        # Evidence goes with a conduct record (its own form on the conduct card), not this select.
        "attachment_kinds": [c for c in Attachment.Kind.choices if c[0] != Attachment.Kind.EVIDENCE],
        "can_upload": not sealed and may_upload(user, petition),
        "can_upload_evidence": not sealed and may_upload_evidence(user, petition),
        # 同一事项，多名信访人: open petitions of other people at this station on a similar matter.
        "similar": matters.similar_to(petition, visible=visible_petitions(user)),
        "may_see_profile": may(user, "see_personal_data", petition),
    }
    response = render(request, "staff/case.html", context, status=status)
    if detail.get("query_code"):
        response["Cache-Control"] = "no-store"  # the page shows the query code: no copy in any cache
    return response


@staff_required()
def case(request: StaffRequest, pk: int) -> HttpResponse:
    return _page(request, _load(request, pk))


def done_message(act: Action[Any], result: object) -> str:
    """What was actually done, for the flash message: the screening's outcome by name (不予代办 is
    not "已甄别受理"), the status the petition moved to, the follow-up date after 终结."""
    if isinstance(result, Disposition):
        return f"已{act.label}（{result.department.name}）。"
    if not isinstance(result, Petition):
        return f"已{act.label}。"
    status = Status(result.status)
    if act.name == "screen":
        if status == Status.DECLINED:
            return "已决定不予代办，请告知信访人原因。"
        if status == Status.ACCEPTED:
            return f"已受理代办，代办员 {result.agent.name if result.agent else '—'}。"
        return f"已甄别：{status.label}。"
    text = f"已{act.label}"
    if len(act.targets) > 1:  # the action may lead to several statuses: say which
        text += f"，事项现为“{status.label}”"
    if status == Status.TERMINATED and result.follow_up_due_on:
        text += f"，请于 {result.follow_up_due_on:%Y-%m-%d} 前回访"
    return text + "。"


def _fire(request: StaffRequest, petition: Petition, key: tuple[str, str, int], act: Action[Any],
          fire: Callable[[dict[str, Any]], object]) -> HttpResponse | None:
    """Submit the posted form to the service; the page again, with the form open, if refused."""
    try:
        result = fire(read_post(act.input, request.POST))
    except REFUSALS as exc:
        errors = exc.fields if isinstance(exc, Invalid) else {}
        messages.error(request, "请修改标红的项目：" + "；".join(errors.values()) if errors else exc.message)
        # The petition may have moved on (someone else acted): reload it before showing the page again.
        return _page(request, _load(request, petition.pk), failed=(*key, request.POST, errors),
                     status=exc.status)  # 400, 409 or 429 (REFUSALS); a role refusal is the 403 page
    messages.success(request, done_message(act, result))
    return None


@staff_required(methods=POST)
def act(request: StaffRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:  # the URL's converter matches only ACTIONS (staff/urls.py)
        raise Http404("页面不存在")
    petition = get_visible_petition(request.user, pk)
    refused = _fire(request, petition, ("petition", action, pk), ACTIONS[action], lambda data: services.petition_act(
        petition_id=pk, action=action, user=request.user, data=data))
    return refused or redirect("staff:case", pk)


@staff_required(methods=POST)
def disposition_act(request: StaffRequest, pk: int, action: str) -> HttpResponse:
    if action not in DISPOSITION_ACTIONS:  # the URL's converter matches only these (staff/urls.py)
        raise Http404("页面不存在")
    disposition = visible_dispositions(request.user).filter(pk=pk).first()
    if disposition is None:
        raise Http404("处置单不存在")
    petition = get_visible_petition(request.user, disposition.petition_id)
    refused = _fire(request, petition, ("disposition", action, pk), DISPOSITION_ACTIONS[action],
                    lambda data: services.disposition_act(disposition_id=pk, action=action, user=request.user,
                                                          data=data))
    nxt = request.POST.get("next", "")
    return refused or (redirect(nxt) if nxt.startswith("/staff/") else redirect("staff:case", petition.pk))


def _rule(request: StaffRequest, pk: int, related_id: int, service: Callable[..., Any], done: str) -> HttpResponse:
    """A ruling on whether an earlier petition is the same matter (services.petition_link/unlink).
    404 for a petition the user may not see; a role that may not rule is the 403 page naming why
    (Forbidden, through staff_required), as every other action; a refusal of the state or of the
    form (already linked, ruled otherwise, no reason) is said on the case page."""
    get_visible_petition(request.user, pk)  # 404 first: what is refused must not depend on the form
    try:
        service(petition_id=pk, related_id=related_id, user=request.user, reason=request.POST.get("reason", ""))
    except REFUSALS as exc:
        messages.error(request, "；".join(exc.fields.values()) if isinstance(exc, Invalid) else exc.message)
    else:
        messages.success(request, done)
    return redirect("staff:case", pk)


@staff_required(methods=POST)
def link(request: StaffRequest, pk: int, related_id: int) -> HttpResponse:
    return _rule(request, pk, related_id, services.petition_link, "已认定为同一事项。")


@staff_required(methods=POST)
def unlink(request: StaffRequest, pk: int, related_id: int) -> HttpResponse:
    return _rule(request, pk, related_id, services.petition_unlink, "已认定不是同一事项。")


@staff_required(methods=POST)
def petitioner_correct(request: StaffRequest, pk: int) -> HttpResponse:
    """The small correction form of the case page (services.petitioner_correct)."""
    get_visible_petition(request.user, pk)  # 404 first, as `act`: a bad form must not answer differently
    data: dict[str, Any] = {key: request.POST.get(key, "") for key in ("name", "phone", "address", "reason")}
    data["apply_to_open"] = bool(request.POST.get("apply_to_open"))
    try:
        services.petitioner_correct(petition_id=pk, user=request.user, data=data)
    except REFUSALS as exc:
        messages.error(request, "；".join(exc.fields.values()) if isinstance(exc, Invalid) and exc.fields else exc.message)
    else:
        messages.success(request, "已更正信访人信息。")
    return redirect("staff:case", pk)


@staff_required(methods=POST)
def undo_step(request: StaffRequest, pk: int) -> HttpResponse:
    """撤销上一步 (petitions/undo.py): the last step back, with a reason, while it still may be."""
    get_visible_petition(request.user, pk)  # 404 first, as `act`: a bad form must not answer differently
    try:
        petition = undo.undo(petition_id=pk, user=request.user, reason=request.POST.get("reason", ""))
    except REFUSALS as exc:
        messages.error(request, "；".join(exc.fields.values()) if isinstance(exc, Invalid) and exc.fields else exc.message)
    else:
        messages.success(request, f"已撤销，事项恢复为“{Status(petition.status).label}”。")
    return redirect("staff:case", pk)


@staff_required(methods=POST)
def disposition_share(request: StaffRequest, pk: int) -> HttpResponse:
    """Share one 处置单 with the petition's other departments, or stop (petitions/sharing.py)."""
    raw = (request.POST.get("shared") or "").strip()
    if raw not in ("0", "1"):  # a forged value is neither: said, never taken for "stop sharing"
        petition_id = visible_dispositions(request.user).filter(pk=pk).values_list("petition_id", flat=True).first()
        if petition_id is None:
            raise NotFound("处置单不存在")
        messages.error(request, f"共享设置取值无效（收到“{raw[:20]}”），未作修改。")
        return redirect("staff:case", petition_id)
    # NotFound becomes the 404 page (staff_required); only the case's workers share.
    try:
        disposition = sharing.share(disposition_id=pk, user=request.user, shared=raw == "1")
    except REFUSALS as exc:
        messages.error(request, exc.message)
        return redirect("staff:case", Disposition.objects.values_list("petition_id", flat=True).get(pk=pk))
    messages.success(request, f"已{'共享' if raw == '1' else '取消共享'}{disposition.department.name}的处置单。")
    return redirect("staff:case", disposition.petition_id)
