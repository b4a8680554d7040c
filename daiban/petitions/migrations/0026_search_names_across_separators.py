"""Search: a name's bigrams are read across its separators (search.name_tokens), so 阿拉坦·其其格 is
found by 阿拉坦其其格 typed without the dot, and an invisible character inside a name is ignored (a
name stored with one was not found typed without it). Only the entries of names that have one change;
they are found by a LIKE per separator people type (a scan of the names, not of the texts)."""

from __future__ import annotations

from django.db import migrations
from django.db.models import Q

SEPARATORS = ("·", "・", "•", "‧", "．", ".", "-", " ", "　", "_", "‐", "－",
              # and the invisible characters search now ignores (search._IGNORABLE): a name stored with
              # one before it was removed or ignored was indexed apart at it
              "\u00ad", "\u061c", "\u180b", "\u180c", "\u180d", "\u180e", "\u180f", "\u200b", "\u200c",
              "\u200d", "\u200e", "\u200f", "\u2060", "\u2061", "\u2062", "\u2063", "\u2064", "\ufeff")


def refresh(apps, schema_editor):
    from daiban.petitions.search import name_tokens

    Petition = apps.get_model("petitions", "Petition")
    SearchEntry = apps.get_model("petitions", "SearchEntry")
    wanted = Q(pk__in=[])
    for mark in SEPARATORS:
        wanted |= Q(petitioner_name__contains=mark) | Q(petitioner_name="", petitioner__name__contains=mark)
    rows = Petition.objects.filter(wanted).values_list("pk", "petitioner_name", "petitioner__name").order_by("pk")
    for pk, snapshot, name in rows.iterator(chunk_size=2000):
        tokens = " ".join(dict.fromkeys(name_tokens(snapshot or name or "")))
        SearchEntry.objects.filter(petition_id=pk).update(name=tokens)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0025_extension_told")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
