"""Issue 14: the same-matter features changed, so what is stored for every petition was cut again on
upgrade. Superseded by 0019, which changed them once more and does the same work
(_refresh_features.refresh): cutting a million petitions twice on one upgrade would double its cost, so
this step does nothing now. Databases that ran it before are cut again by 0019.
"""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("petitions", "0017_i12b_review_feedback_opinions")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop, elidable=True)]
