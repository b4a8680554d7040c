"""The case page: everything about one petition, and the actions this user may take now."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from daiban.documents.models import Attachment
from daiban.documents.services import UPLOAD_ROLES
from daiban.lib.errors import Invalid, ServiceError
from daiban.org import roles
from daiban.petitions import matters, selectors, services
from daiban.petitions.permissions import (
    actor_kinds,
    may_see_personal_data,
    visible_dispositions,
    visible_petitions,
)
from daiban.petitions.workflow import ACTIONS, DISPOSITION_ACTIONS, RUNNING
from daiban.staff.action_forms import fields_for, fill, read_post
from daiban.staff.selectors import due_soon_until
from daiban.staff.views.common import REFUSALS, staff_required
from daiban.workdays.engine import workdays_between


def _visible(request, pk: int):
    """The petition alone, for reading a submitted form; the page itself is loaded by _load."""
    petition = visible_petitions(request.user).filter(pk=pk).first()
    if petition is None:
        raise Http404("信访事项不存在")
    return petition


def _load(request, pk: int):
    petition = selectors.petition_for_detail(request.user, pk)
    if petition is None:
        raise Http404("信访事项不存在")
    return petition


def _opinion_roles(user, petition, disposition) -> list[tuple[str, str]]:
    kinds = actor_kinds(user, petition, disposition)
    both = bool(kinds & {"center", "admin"})
    found = []
    if both or "leader_in_charge" in kinds:
        found.append(("leader_in_charge", "分管领导处理意见"))
    if both or "principal" in kinds:
        found.append(("principal", "领导批示"))
    return found


def _page(request, petition, *, failed: tuple | None = None, status: int = 200):
    """Render the case page; `failed` = (kind, action, object id, post, errors) re-opens that form."""
    user = request.user
    detail = selectors.petition_detail(petition, user, via="page")
    today = services.today()
    forms = []
    for act in services.available_actions(user, petition):
        fields = fields_for(act.name, petition)
        is_failed = failed and failed[0] == "petition" and failed[1] == act.name
        if is_failed:
            fill(fields, failed[3], failed[4])
        forms.append({"action": act, "fields": fields, "open": bool(is_failed), "role": "",
                      "on": failed[3].get("on", "") if is_failed else ""})
    dispositions = []
    for disposition in petition.dispositions.all():
        entries = []
        for act in services.available_disposition_actions(user, petition, disposition):
            role_list = _opinion_roles(user, petition, disposition) if act.name == "opinion" else [("", "")]
            for role, role_label in role_list:
                fields = fields_for(act.name, petition)
                is_failed = (failed and failed[0] == "disposition" and failed[1] == act.name
                             and failed[2] == disposition.pk and failed[3].get("role", "") == role)
                if is_failed:
                    fill(fields, failed[3], failed[4])
                entries.append({"action": act, "fields": fields, "role": role,
                                "label": role_label or act.label, "open": bool(is_failed)})
        dispositions.append({"d": disposition, "forms": entries})
    context = {
        "p": petition, "detail": detail, "forms": forms, "dispositions": dispositions, "today": today,
        "due_soon": due_soon_until(today),
        "running": petition.status in RUNNING,
        "workdays_left": workdays_between(today, petition.due_on) if petition.due_on else None,
        "is_department_only": user.role_set == {roles.DEPARTMENT},
        "may_download_archive": may_see_personal_data(user, petition),
        "may_unlink": bool(actor_kinds(user, petition) & {"station_leader", "center", "admin"}),
        "attachments": list(Attachment.objects.filter(petition=petition)),
        "attachment_kinds": Attachment.Kind.choices,
        "can_upload": petition.status != "archived" and user.has_role(*UPLOAD_ROLES),
        # 同一事项，多名信访人: open petitions of other people at this station on a similar matter.
        "similar": matters.similar_to(petition, visible=visible_petitions(user)),
        "may_see_profile": may_see_personal_data(user, petition),
    }
    return render(request, "staff/case.html", context, status=status)


@staff_required()
def case(request, pk: int):
    return _page(request, _load(request, pk))


def _refused(request, petition, kind: str, action: str, obj_id: int, exc: ServiceError):
    errors = exc.fields if isinstance(exc, Invalid) else {}
    messages.error(request, "请修改标红的项目：" + "；".join(errors.values()) if errors else exc.message)
    # The petition may have moved on (someone else acted): reload it before showing the page again.
    return _page(request, _load(request, petition.pk), failed=(kind, action, obj_id, request.POST, errors),
                 status=exc.status if exc.status in (400, 409) else 400)


@staff_required()
def act(request, pk: int, action: str):
    if request.method != "POST" or action not in ACTIONS:
        raise Http404("页面不存在")
    petition = _visible(request, pk)
    data = read_post(fields_for(action, petition), request.POST)
    try:
        services.petition_act(petition_id=pk, action=action, user=request.user, data=data)
    except REFUSALS as exc:
        return _refused(request, petition, "petition", action, pk, exc)
    messages.success(request, f"已{ACTIONS[action].label}。")
    return redirect("staff:case", pk)


@staff_required()
def disposition_act(request, pk: int, action: str):
    if request.method != "POST" or action not in DISPOSITION_ACTIONS:
        raise Http404("页面不存在")
    disposition = visible_dispositions(request.user).filter(pk=pk).first()
    if disposition is None:
        raise Http404("处置单不存在")
    petition = _visible(request, disposition.petition_id)
    data = read_post(fields_for(action, petition), request.POST)
    try:
        services.disposition_act(disposition_id=pk, action=action, user=request.user, data=data)
    except REFUSALS as exc:
        return _refused(request, petition, "disposition", action, pk, exc)
    messages.success(request, f"已{DISPOSITION_ACTIONS[action].label}。")
    nxt = request.POST.get("next", "")
    return redirect(nxt) if nxt.startswith("/staff/") else redirect("staff:case", petition.pk)


@staff_required()
def unlink(request, pk: int, related_id: int):
    if request.method != "POST":
        raise Http404("页面不存在")
    try:
        services.petition_unlink(petition_id=pk, related_id=related_id, user=request.user,
                                 reason=request.POST.get("reason", ""))
    except REFUSALS as exc:
        messages.error(request, "；".join(exc.fields.values()) if isinstance(exc, Invalid) else exc.message)
    else:
        messages.success(request, "已认定不是同一事项。")
    return redirect("staff:case", pk)
