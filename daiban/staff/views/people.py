"""信访人档案: one person's petitions, for staff who may see the person's full data."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from daiban.lib.errors import NotFound
from daiban.petitions import people
from daiban.staff.views.common import staff_required


@staff_required()
def petitioner(request, pk: int):
    try:
        found = people.profile(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "staff/petitioner.html", {"profile": found, "person": found.petitioner})
