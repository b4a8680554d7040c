"""Issue 14: the same-matter features changed again: the everyday words of short 12345 records and
petitioners (村子后头 → 村后, 塌下来 → 沉陷, 河沙 → 砂, 没问过 → 未征求意见 …), a text about "another" plot or
company (另:…, 我家另一块草场, 另一间商铺) and the kind of livestock (畜:…, 两只羊 / 一头牛); 借用 → 临时占用, 挖炭 → 采煤, 仨 → 3个 … What is stored for every petition is cut again on upgrade
(_refresh_features.refresh: about 3 minutes at 100,000 petitions on SQLite, 988 s at 1,000,000 on
PostgreSQL); nobody has to remember `manage.py reindex`.
"""

from __future__ import annotations

from django.db import migrations

from daiban.petitions.migrations._refresh_features import refresh


class Migration(migrations.Migration):
    dependencies = [("petitions", "0019_i14_follow_ups_refresh_features")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop, elidable=True)]
