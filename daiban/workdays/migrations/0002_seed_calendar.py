"""Seed the working-day calendar so that every fresh database, tests included, counts deadlines
on the statutory calendar. `manage.py calendar_seed` extends it to later years."""

import datetime

from django.db import migrations


def seed(apps, schema_editor):
    from daiban.workdays.seed import seed_years

    last = max(2030, datetime.date.today().year + 2)
    seed_years(range(2020, last + 1))


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
