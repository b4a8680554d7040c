"""站内通知: the signed-in user's notices."""

from __future__ import annotations

from django.shortcuts import redirect, render

from daiban.notifications.models import Notification
from daiban.notifications.services import mark_read
from daiban.staff.views.common import GET_POST, not_found, staff_required


@staff_required(methods=GET_POST)
def notices(request):
    if request.method == "POST":
        mark_read(request.user)
        return redirect("staff:notices")
    rows = (Notification.objects.filter(recipient=request.user, channel=Notification.Channel.IN_APP)
            .select_related("petition").order_by("-id")[:100])
    return render(request, "staff/notices.html", {"rows": rows})


@staff_required()
def open_notice(request, pk: int):
    """Opening a notice marks it read, then shows its case (or the list when it names none).
    Only the user's own notices: another's id is a 404."""
    row = (Notification.objects.filter(pk=pk, recipient=request.user, channel=Notification.Channel.IN_APP)
           .only("id", "petition_id").first())
    if row is None:
        return not_found(request)
    mark_read(request.user, [row.pk])
    return redirect("staff:case", row.petition_id) if row.petition_id else redirect("staff:notices")
