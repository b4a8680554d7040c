"""Beside the case page: the 受理回执 printed at the counter, the internal notes and the SMS log.

The notes and the SMS log are loaded by htmx into the case page (their own requests, so the case
page's query count does not grow with them). As every sub-resource of a petition (API.md, Conventions):
404 to whoever may not see the petition, 403 to whoever sees it but may not use this part of it (a
department it was routed to, an agent of the station who is not its agent).
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from daiban.lib.errors import Invalid
from daiban.org.requests import StaffRequest
from daiban.petitions.abilities import require
from daiban.petitions.models import Petition
from daiban.petitions.permissions import get_visible_petition
from daiban.petitions.selectors import petitioner_view
from daiban.staff import notes
from daiban.staff.selectors import sms_log
from daiban.staff.views.common import GET_POST, staff_required


def _petition(request: StaffRequest, pk: int, ability: str) -> Petition:
    """The petition if the user may see it (else NotFound: the 404 page) and has `ability` on it
    (else Forbidden: the 403 page naming what is refused; staff_required answers both)."""
    petition = get_visible_petition(request.user, pk)
    require(request.user, ability, petition)
    return petition


@staff_required()
def receipt(request: StaffRequest, pk: int) -> HttpResponse:
    """受理回执: printed at the counter right after intake: number, query code, where to track it,
    who handles it and by when the petitioner will hear. Only for those who hand the query code
    to the petitioner (the case agent, the station's leaders, the center, admin); 403 for the others
    who see the petition, 404 for those who do not."""
    petition = _petition(request, pk, "see_query_code")
    # The QR opens the tracking page with the number filled in; the query code is on paper only,
    # never in a URL that reaches a server log or another person's phone history.
    track = request.build_absolute_uri(reverse("portal:track")) + f"?number={petition.number}"
    context = {
        "p": petition, "person": petitioner_view(petition, request.user, reveal=False),
        "track_url": track, "qr": segno.make(track, error="m").svg_inline(scale=4, dark="#1a1a1a"),
        "agent": petition.agent,
    }
    response = render(request, "staff/receipt.html", context)
    response["Cache-Control"] = "no-store"  # it carries the query code: no copy in any cache
    return response


def _notes_page(request: StaffRequest, petition: Petition, *, error: str = "", typed: str = "",
                status: int = 200) -> HttpResponse:
    context = {"p": petition, "notes": notes.notes_of(request.user, petition), "error": error, "typed": typed,
               "colleagues": notes.colleagues(petition)}
    return render(request, "staff/_notes.html", context, status=status)


@staff_required(methods=GET_POST)
def case_notes(request: StaffRequest, pk: int) -> HttpResponse:
    """htmx (GET): the notes and the form; POST adds one (without htmx: back to the case page)."""
    petition = _petition(request, pk, "internal_notes")
    if request.method != "POST":
        return _notes_page(request, petition)
    text = request.POST.get("text", "")
    try:
        notes.add_note(user=request.user, petition_id=petition.pk, text=text)
    except Invalid as exc:
        message = next(iter(exc.fields.values()), exc.message) if exc.fields else exc.message
        if request.headers.get("HX-Request"):
            return _notes_page(request, petition, error=message, typed=text, status=400)  # all of it, never cut
        messages.error(request, message)
        return redirect(reverse("staff:case", args=[petition.pk]) + "#notes")
    if request.headers.get("HX-Request"):
        return _notes_page(request, petition)
    messages.success(request, "已添加内部批注")
    return redirect(reverse("staff:case", args=[petition.pk]) + "#notes")


@staff_required()
def case_messages(request: StaffRequest, pk: int) -> HttpResponse:
    """htmx: the SMS sent to the petitioner for this case, with their delivery state."""
    petition = _petition(request, pk, "see_messages")
    return render(request, "staff/_messages.html", {"p": petition, "sms": sms_log(petition)})

