"""The regulation's handling limit of a matter whose review was found right counts from that decision
(deadlines.handling_start, since 0022's version): petitions decided so before this version still show
the limit counted from their acceptance. It is computed again for those still open; a database without
such petitions has nothing to do. Going back leaves the dates as they are (they are the right ones).
"""

from __future__ import annotations

from django.db import migrations


def recount(apps, schema_editor) -> None:
    from daiban.petitions import deadlines
    from daiban.petitions.workflow import OPEN

    Petition = apps.get_model("petitions", "Petition")
    for petition in Petition.objects.filter(status__in=OPEN, reviews__upheld=True,
                                            reviews__decided_on__isnull=False).distinct().iterator():
        due = deadlines.national_due(petition)
        if due is not None and due != petition.national_due_on:
            Petition.objects.filter(pk=petition.pk).update(national_due_on=due)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0023_complained_department")]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop, elidable=True)]
