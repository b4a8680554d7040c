"""Issue 14: the same-matter features changed again: a demand stated as done (已:…, a follow-up is another
matter), which side of the village a plot lies on (位:…), differences such as 少了约20平方米 not read as
amounts, and more of the words petitioners use (水井弄干了, 裂口子, 本本, 高压线 …). Superseded by 0020, which
changed them once more and does the same work (_refresh_features.refresh): cutting a million petitions
twice on one upgrade would double its cost, so this step does nothing now. Databases that ran it before
are cut again by 0020.
"""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("petitions", "0018_i14_refresh_features")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop, elidable=True)]
