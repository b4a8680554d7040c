"""登记: one form for every channel and source, with a live check for earlier petitions."""

from __future__ import annotations

import hashlib
import json

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render

from daiban.lib.errors import Conflict, Invalid
from daiban.lib.identity import InvalidValue, normalize_id_number
from daiban.lib.validation import new_once_token, once_token
from daiban.petitions import services
from daiban.petitions.abilities import may_see_query_code
from daiban.staff.forms import IntakeForm
from daiban.staff.models import IntakeSubmission
from daiban.staff.views.common import GET_POST, POST, REFUSALS, staff_required


def _sent_before(request, token: str):
    """The redirect to the petition this user's form (token) already registered, told so; else None."""
    done = IntakeSubmission.objects.filter(token=token, user=request.user).select_related("petition").first()
    if done is None:
        return None
    messages.info(request, f"这张登记表已经提交过，已登记为 {done.petition.number}，未重复登记。")
    return redirect("staff:case", done.petition_id)


def _submission_key(form: IntakeForm) -> str:
    """The form's one-time token joined with what it carries, or '' (an older page, a forged token):
    the same form posted again is one registration; the form brought back (the back button) and
    filled in for another person is another one (its key differs)."""
    token = once_token(form.cleaned_data.get("once"))
    if not token:
        return ""
    carried = json.dumps(form.service_data(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{token}:{carried}".encode()).hexdigest()[:32]


@staff_required("intake", methods=GET_POST)
def intake(request):
    form = IntakeForm(request.POST or None, initial={"received_on": services.today().isoformat(),
                                                     "once": new_once_token()})
    if request.method == "POST" and form.is_valid():
        token = _submission_key(form)
        if token and (earlier := _sent_before(request, token)) is not None:
            return earlier
        try:
            with transaction.atomic():
                result = services.petition_intake_or_existing(data=form.service_data(), user=request.user)
                if token:  # unique: of two posts at once one commits, the other rolls back here
                    IntakeSubmission.objects.create(token=token, user=request.user, petition=result.petition)
        except (Invalid, Conflict) as exc:
            form.add_service_errors(exc.fields or {"__all__": exc.message})
        except IntegrityError:
            if token and (earlier := _sent_before(request, token)) is not None:
                return earlier
            raise
        else:
            petition = result.petition
            if result.created:
                code = f"，查询码 {petition.query_code}" if may_see_query_code(request.user, petition) else ""
                messages.success(request, f"已登记，编号 {petition.number}{code}。请进行甄别受理。")
            else:
                messages.info(request, f"该外部编号已登记过（{petition.number}），未重复登记。")
            return redirect("staff:case", petition.pk)
    # A refused form answers 400, as the portal's and the case page's actions do.
    return render(request, "staff/intake.html", {"form": form}, status=400 if form.errors else 200)


@staff_required("intake", methods=POST)
def intake_check(request):
    """htmx: the petitioner's earlier petitions and the eligibility preview, before saving
    (services.intake_check, as `POST /api/v1/petitions/check`). POST only: an ID number in a query
    string would be written to access logs."""
    context: dict = {"checked": False}
    raw_id = request.POST.get("id_number", "")
    try:  # checked here first: a half-typed ID number is not a check (nor one of the hour's allowance)
        normalize_id_number(raw_id)
    except InvalidValue as exc:
        context["id_error"] = str(exc) if len(raw_id.strip()) >= 15 else ""
        return render(request, "staff/_intake_check.html", context)
    data = {"petitioner": {"id_number": raw_id}, "content": request.POST.get("content", ""),
            "in_judicial_proceedings": request.POST.get("in_judicial_proceedings") == "on",
            "station_id": request.POST.get("station_id") or None}
    try:
        found = services.intake_check(data, request.user)
    except REFUSALS as exc:
        context["id_error"] = "；".join(exc.fields.values()) if isinstance(exc, Invalid) else exc.message
        return render(request, "staff/_intake_check.html", context)
    context.update({"checked": True, "typed": found.typed, "hidden_count": found.hidden_count,
                    "reasons": found.reasons, "similar": found.similar,
                    "earlier": [(e.petition, e.score, e.likeness) for e in found.earlier]})
    return render(request, "staff/_intake_check.html", context)
