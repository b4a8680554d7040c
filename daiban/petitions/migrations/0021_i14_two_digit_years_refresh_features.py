"""Issue 14: a year written with two digits is read as a year where the words around it say so
("19年就交了材料" → 2019年, "21年3月" → 2021年3月; "分家都20年了" stays a duration), so it names the matter as
"2019年" does. What is stored for every petition is cut again on upgrade (_refresh_features.refresh,
as in 0020).
"""

from __future__ import annotations

from django.db import migrations

from daiban.petitions.migrations._refresh_features import refresh


class Migration(migrations.Migration):
    dependencies = [("petitions", "0020_i14_short_retellings_refresh_features")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop, elidable=True)]
