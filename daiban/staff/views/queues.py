"""The department's 处置单 and the leaders' opinions, each answerable in place."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from daiban.petitions import services
from daiban.petitions.abilities import may
from daiban.petitions.permissions import visible_dispositions
from daiban.petitions.selectors import today
from daiban.staff import selectors
from daiban.staff.views.common import POST, REFUSALS, staff_required

QUEUE_LIMIT = 50  # the most urgent first; signing them brings up the next


@staff_required("department_queue")
def dispositions(request):
    queue = selectors.department_queue(request.user)
    count = selectors.capped_count(queue)
    queue = list(queue[:QUEUE_LIMIT])
    selectors.mark_limits(queue, today())  # each row: days left, or overdue by (one calendar query)
    done = selectors.department_done(request.user, 20)
    return render(request, "staff/dispositions.html", {
        "queue": queue, "count": count, "limit": QUEUE_LIMIT, "done": done, "today": today()})


def _rows_signed_by(user) -> dict[str, bool]:
    """Which rows of a 处置单 this leader signs on the queue (the service checks each signature)."""
    return {"as_leader": may(user, "sign_leader_opinions"), "as_principal": may(user, "sign_principal_opinions")}


@staff_required("sign_opinions")
def opinions(request):
    rows = selectors.with_petitions(selectors.awaiting_opinion(request.user), QUEUE_LIMIT)
    selectors.mark_limits(rows, today())
    return render(request, "staff/opinions.html", {"rows": rows, "today": today(), **_rows_signed_by(request.user)})


@staff_required("sign_opinions", methods=POST)
def opinion_sign(request, pk: int):
    """htmx (or plain POST): sign one row in place; answers the updated row. A row the user's role
    may not sign is the 403 (a fragment to htmx: common.refused)."""
    role = request.POST.get("role", "")
    text = request.POST.get("text", "").strip() or ("同意" if request.POST.get("approve") else "")
    error = ""
    try:
        services.disposition_act(disposition_id=pk, action="opinion", user=request.user,
                                 data={"role": role, "text": text})
    except REFUSALS as exc:
        error = "；".join(exc.fields.values()) or exc.message
    disposition = visible_dispositions(request.user).select_related("petition", "department").get(pk=pk)
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect("staff:opinions")
    return render(request, "staff/_opinion_row.html", {
        "d": disposition, "error": error, "text": text, "signed": not error, **_rows_signed_by(request.user),
    })
