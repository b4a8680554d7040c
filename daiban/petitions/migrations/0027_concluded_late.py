"""Petition.concluded_late: whether any conclusion of the matter came after the limit in force that
day (deadlines.concluded_late), kept at each conclusion so that 按期办结 is never judged from today's
dates. Backfilled from the record: a matter is late when one of its `conclude` events said
`on_time: false`, or when its latest conclusion is after the limit it holds (its 办结时限, else the
regulation's: the events before this field judged against the 办结时限 only). The statistics index
carries the new column (the figures read the index alone)."""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    event = apps.get_model("petitions", "Event")
    petition = apps.get_model("petitions", "Petition")
    # In SQL (a JSON lookup on both databases): one pass over the events, no rows brought to Python.
    late = event.objects.filter(action="conclude", data__on_time=False).values("petition_id")
    petition.objects.filter(pk__in=late).update(concluded_late=True)
    petition.objects.filter(concluded_on__isnull=False, concluded_late=False,
                            concluded_on__gt=Coalesce(F("due_on"), F("national_due_on"))).update(concluded_late=True)


class Migration(migrations.Migration):

    dependencies = [
        ("petitions", "0026_search_names_across_separators"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="petition",
            name="petition_stats_idx",
        ),
        migrations.AddField(
            model_name="petition",
            name="concluded_late",
            field=models.BooleanField(default=False, verbose_name="曾超期办结"),
        ),
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(fields=["received_on", "station", "status", "channel", "source", "category",
                                       "accepted_on", "concluded_on", "due_on", "satisfaction", "agent",
                                       "terminated_on", "follow_up_due_on", "followed_up_on", "rebound",
                                       "concluded_late"], name="petition_stats_idx"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
