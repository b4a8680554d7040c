"""登记: one form for every channel and source, with a live check for earlier petitions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render

from daiban.lib import crypto
from daiban.lib.errors import Conflict, Invalid
from daiban.lib.identity import InvalidValue, normalize_id_number
from daiban.org.models import Station
from daiban.petitions import eligibility, matters, services
from daiban.petitions.abilities import may_see_query_code
from daiban.petitions.models import Petitioner
from daiban.petitions.permissions import visible_petitions
from daiban.staff.forms import IntakeForm
from daiban.staff.views.common import staff_required


@staff_required("intake")
def intake(request):
    form = IntakeForm(request.POST or None, initial={"received_on": services.today().isoformat()})
    if request.method == "POST" and form.is_valid():
        try:
            result = services.petition_intake_or_existing(data=form.service_data(), user=request.user)
        except (Invalid, Conflict) as exc:
            form.add_service_errors(exc.fields or {"__all__": exc.message})
        else:
            petition = result.petition
            if result.created:
                code = f"，查询码 {petition.query_code}" if may_see_query_code(request.user, petition) else ""
                messages.success(request, f"已登记，编号 {petition.number}{code}。请进行甄别受理。")
            else:
                messages.info(request, f"该外部编号已登记过（{petition.number}），未重复登记。")
            return redirect("staff:case", petition.pk)
    return render(request, "staff/intake.html", {"form": form})


def _likeness(score: float, typed: bool) -> str:
    """"same" at or above DAIBAN_SAME_MATTER_THRESHOLD (不予代办 if it is in progress), "possible" from
    DAIBAN_POSSIBLY_SAME_MATTER_THRESHOLD up (the agent looks: a complaint retold in other words often
    scores there, README "Same matter"), else ""."""
    if not typed:
        return ""
    if score >= settings.DAIBAN_SAME_MATTER_THRESHOLD:
        return "same"
    return "possible" if score >= settings.DAIBAN_POSSIBLY_SAME_MATTER_THRESHOLD else ""


@staff_required("intake")
def intake_check(request):
    """htmx: the petitioner's earlier petitions and the eligibility preview, before saving."""
    context: dict = {"checked": False}
    raw_id = request.POST.get("id_number", "")
    content = request.POST.get("content", "")
    try:
        id_number = normalize_id_number(raw_id)
    except InvalidValue as exc:
        context["id_error"] = str(exc) if len(raw_id.strip()) >= 15 else ""
        return render(request, "staff/_intake_check.html", context)
    context["checked"] = True
    petitioner = Petitioner.objects.filter(id_hash=crypto.lookup_hash(id_number)).first()
    station_id = request.user.station_id or Station.objects.filter(
        code=settings.DAIBAN_DEFAULT_STATION).values_list("pk", flat=True).first()
    if content.strip() and station_id:
        context["similar"] = matters.similar_to_text(
            content, station_id=station_id, petitioner_id=petitioner.pk if petitioner else None,
            visible=visible_petitions(request.user))
    scored = eligibility.scored_earlier(petitioner.pk, content) if petitioner else []
    visible_ids = set(visible_petitions(request.user).filter(pk__in=[p.pk for p, _ in scored]).values_list("pk", flat=True))
    typed = bool(content.strip())
    rated = [(p, score, _likeness(score, typed)) for p, score in scored]
    same = [p for p, _, likeness in rated if likeness == "same"]  # newest first, as the reasons name them
    if typed:  # most alike first: a retelling in other words scores below the threshold but near it
        rated.sort(key=lambda item: -item[1])
    context.update({
        "typed": typed,
        "earlier": [item for item in rated if item[0].pk in visible_ids],
        "hidden_count": len(scored) - len(visible_ids),
        "reasons": eligibility.reasons_from(same, judicial=request.POST.get("in_judicial_proceedings") == "on"),
    })
    return render(request, "staff/_intake_check.html", context)
