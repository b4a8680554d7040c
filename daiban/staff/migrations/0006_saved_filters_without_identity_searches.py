"""Saved filters whose search is an ID number or a phone are removed: the number sat in clear text
in the filter's row (views.bulk.filter_save no longer keeps one)."""

from urllib.parse import parse_qs

from django.db import migrations


def forward(apps, schema_editor):
    from daiban.petitions.search import is_identity

    SavedFilter = apps.get_model("staff", "SavedFilter")
    doomed = [row.pk for row in SavedFilter.objects.only("id", "query").iterator()
              if any(is_identity(q) for q in parse_qs(row.query).get("q", []))]
    SavedFilter.objects.filter(pk__in=doomed).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("staff", "0005_duty_days_keep_their_station"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
