"""站内通知: the signed-in user's notices."""

from __future__ import annotations

from django.shortcuts import redirect, render

from daiban.notifications.models import Notification
from daiban.notifications.services import mark_read
from daiban.staff.views.common import staff_required


@staff_required()
def notices(request):
    if request.method == "POST":
        mark_read(request.user)
        return redirect("staff:notices")
    rows = (Notification.objects.filter(recipient=request.user, channel=Notification.Channel.IN_APP)
            .select_related("petition").order_by("-id")[:100])
    return render(request, "staff/notices.html", {"rows": rows})
