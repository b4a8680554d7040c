"""Search: the words of a content or result stored with an invisible character (a joiner pasted from
a chat app, a soft hyphen, a Mongolian variation selector) are indexed as if it were not there, as
the query ignores it (search._IGNORABLE); entries written before were cut apart at it, so 采砂场 typed
plainly did not find 采\u200b砂场. Only the entries of petitions whose content or results hold such a
character change; they are found by one regular expression per column (Django gives SQLite a REGEXP
function; PostgreSQL's `~` reads the same character class)."""

from __future__ import annotations

from django.db import migrations
from django.db.models import Q


def refresh(apps, schema_editor):
    from daiban.petitions.search import _IGNORABLE, entry_values

    Petition = apps.get_model("petitions", "Petition")
    Disposition = apps.get_model("petitions", "Disposition")
    SearchEntry = apps.get_model("petitions", "SearchEntry")
    pattern = _IGNORABLE.pattern  # literal characters: SQLite's REGEXP (Python's re) and PostgreSQL's ~ read them alike
    ids = set(Petition.objects.filter(Q(content__regex=pattern) | Q(result__regex=pattern)).values_list("pk", flat=True))
    ids |= set(Disposition.objects.filter(result__regex=pattern).values_list("petition_id", flat=True))
    for start in range(0, len(ids), 500):
        chunk = sorted(ids)[start : start + 500]
        results: dict[int, list[str]] = {}
        for pid, text in Disposition.objects.filter(petition_id__in=chunk).exclude(result="").values_list("petition_id", "result"):
            results.setdefault(pid, []).append(text)
        for p in Petition.objects.filter(pk__in=chunk).values("pk", "content", "result"):
            body = entry_values("", "", [p["content"], p["result"] or "", *results.get(p["pk"], [])])["body"]
            SearchEntry.objects.filter(petition_id=p["pk"]).update(body=body)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0027_concluded_late")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
