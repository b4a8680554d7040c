"""工作台 and the petition list."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render

from daiban.lib.errors import Invalid, RateLimited
from daiban.petitions import counting, people, selectors
from daiban.petitions.abilities import may
from daiban.petitions.workflow import RUNNING
from daiban.staff import roster
from daiban.staff import selectors as staff_selectors
from daiban.staff.forms import PetitionFilterForm
from daiban.staff.models import SavedFilter
from daiban.staff.views.common import page_param, staff_required
from daiban.stats.kpi import CONDITIONS

PAGE_SIZE = 20


@staff_required()
def workbench(request):
    cards = staff_selectors.workbench(request.user)
    # The user's own station's duty today, or (the center, a department, the administrator) every
    # service station's: never the center's own roster, which has no leaders (roster.on_duty).
    duties = roster.on_duty(request.user, selectors.today())
    return render(request, "staff/workbench.html", {"cards": cards, "today": selectors.today(), "duties": duties})


class _IdPage(counting.CappedRows):
    """Lets Django's Paginator count with SQL and fetch one page through selectors.page. The count
    stops a few pages past the page asked for (counting.cap_for): it never walks the whole table;
    `exact` says whether it is the total ("共 1000+ 件" otherwise)."""

    def __getitem__(self, window: slice):
        return selectors.page(self.qs, window.start, window.stop - window.start)


# The list's date ranges (from, to): refused as a whole when the end comes before the start.
_RANGES = (("收到日期", ("received_from", "received_to")), ("超期期间", ("overdue_from", "overdue_to")))


def _listed(request, kpi: str | None, filters: dict):
    """The list's queryset; a filter refused by the service is said and left out: an impossible date
    range, a search by ID number or phone past the hour's allowance (selectors.count_identity_search)."""
    condition = CONDITIONS.get(kpi) if kpi else None
    while True:
        try:
            return selectors.petition_list(request.user, condition=condition, **filters)
        except Invalid as exc:
            # Each impossible range is said by its own label and left out (the other filters stay).
            ranges = [(label, names) for label, names in _RANGES
                      if any(f in exc.fields for f in names) and any(filters.get(f) for f in names)]
            if not ranges:
                raise
            for label, names in ranges:
                messages.error(request, f"{label}：{'；'.join(exc.fields.values())}，已忽略该日期范围。")
                filters.update(dict.fromkeys(names))
        except RateLimited as exc:
            if not filters.get("q"):
                raise
            messages.error(request, exc.message)
            filters.update(q=None)


@staff_required()
def petition_list(request):
    form = PetitionFilterForm(request.GET or None)
    filters = {}
    if form.is_bound:
        if not form.is_valid():
            # The valid filters stay; the page says which were left out (all were dropped, silently).
            messages.error(request, f"以下筛选条件有误，已忽略：{form.error_text()}")
        filters = form.filters()
    kpi = filters.pop("kpi", None)
    qs = _listed(request, kpi, filters)
    wanted = page_param(request)
    rows = _IdPage(qs, wanted, PAGE_SIZE)
    paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(wanted)
    query = request.GET.copy()
    query.pop("page", None)
    # Working days left or overdue, for the petitions whose deadline runs (one calendar query).
    staff_selectors.mark_petition_limits([p for p in page.object_list if p.status in RUNNING], selectors.today())
    return render(request, "staff/petition_list.html", {
        "saved_filters": list(SavedFilter.objects.filter(user=request.user)),
        "current_query": query.urlencode(), "may_bulk": may(request.user, "work_cases"),
        "form": form, "filters_set": any(request.GET.get(name) for name in form.fields if name != "q"), "page": page, "count_exact": rows.exact, "query": query.urlencode(), "today": selectors.today(),
        "profiles": people.profile_ids(request.user, list(page.object_list)),
        "own_returned": staff_selectors.returned_by_own_department(request.user, list(page.object_list)),
        "due_soon": staff_selectors.due_soon_until(),
        # The statistics' own filters (hidden fields): said, so the list is not read as everything.
        "scope_notes": _scope_notes(filters),
    })


def _scope_notes(filters: dict) -> list[str]:
    from daiban.org.models import Station

    notes = []
    if filters.get("under"):
        name = Station.objects.filter(pk=filters["under"]).values_list("name", flat=True).first()
        notes.append(f"{name}及其下级代办点")
    if filters.get("unassigned"):
        notes.append("未指定代办员")
    if filters.get("rerouting"):
        notes.append("处置单被退回、待重新流转")
    return notes
