"""Issue 14: the same-matter features changed again: a demand stated as done (已:…, a follow-up is another
matter), which side of the village a plot lies on (位:…), differences such as 少了约20平方米 not read as
amounts, and more of the words petitioners use (水井弄干了, 裂口子, 本本, 高压线 …). What is stored for
every petition is cut again on upgrade (_refresh_features.refresh); nobody has to remember
`manage.py reindex`.
"""

from __future__ import annotations

from django.db import migrations

from daiban.petitions.migrations._refresh_features import refresh


class Migration(migrations.Migration):
    dependencies = [("petitions", "0018_i14_refresh_features")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop, elidable=True)]
