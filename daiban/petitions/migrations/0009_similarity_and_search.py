"""Features, document frequencies, LSH buckets, cross-petitioner links and the search entry.

The search entry's index differs per database (same tokens, same matches): SQLite gets an FTS5
table over it (external content, kept by triggers), PostgreSQL a generated tsvector column with a
GIN index. The tables are filled for existing petitions by `manage.py reindex` (run after migrate).
"""

import django.db.models.deletion
from django.db import migrations, models

SQLITE = [
    """CREATE VIRTUAL TABLE petitions_searchentry_fts USING fts5(
        number, name, body, content='petitions_searchentry', content_rowid='petition_id', tokenize='ascii')""",
    """CREATE TRIGGER petitions_searchentry_ai AFTER INSERT ON petitions_searchentry BEGIN
        INSERT INTO petitions_searchentry_fts(rowid, number, name, body)
        VALUES (new.petition_id, new.number, new.name, new.body); END""",
    """CREATE TRIGGER petitions_searchentry_ad AFTER DELETE ON petitions_searchentry BEGIN
        INSERT INTO petitions_searchentry_fts(petitions_searchentry_fts, rowid, number, name, body)
        VALUES ('delete', old.petition_id, old.number, old.name, old.body); END""",
    """CREATE TRIGGER petitions_searchentry_au AFTER UPDATE ON petitions_searchentry BEGIN
        INSERT INTO petitions_searchentry_fts(petitions_searchentry_fts, rowid, number, name, body)
        VALUES ('delete', old.petition_id, old.number, old.name, old.body);
        INSERT INTO petitions_searchentry_fts(rowid, number, name, body)
        VALUES (new.petition_id, new.number, new.name, new.body); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS petitions_searchentry_au",
    "DROP TRIGGER IF EXISTS petitions_searchentry_ad",
    "DROP TRIGGER IF EXISTS petitions_searchentry_ai",
    "DROP TABLE IF EXISTS petitions_searchentry_fts",
]
POSTGRES = [
    # Tokens are made in Python (search.py); the database only turns the space-separated lists
    # into weighted lexemes, without its text parser, so both databases see the same tokens.
    """CREATE FUNCTION petitions_search_vector(number text, name text, body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(array_to_tsvector(array_remove(string_to_array(number, ' '), '')), 'A')
            || setweight(array_to_tsvector(array_remove(string_to_array(name, ' '), '')), 'B')
            || setweight(array_to_tsvector(array_remove(string_to_array(body, ' '), '')), 'D') $$""",
    """ALTER TABLE petitions_searchentry ADD COLUMN vec tsvector
        GENERATED ALWAYS AS (petitions_search_vector(number, name, body)) STORED""",
    "CREATE INDEX petitions_searchentry_vec ON petitions_searchentry USING gin (vec)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS petitions_searchentry_vec",
    "ALTER TABLE petitions_searchentry DROP COLUMN IF EXISTS vec",
    "DROP FUNCTION IF EXISTS petitions_search_vector(text, text, text)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("petitions", "0008_copy_petitioner_snapshot"),
    ]

    operations = [
        migrations.CreateModel(
            name="TermCount",
            fields=[
                ("term", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("petitions", models.PositiveIntegerField(default=0)),
            ],
            options={"verbose_name": "词项文档频率", "verbose_name_plural": "词项文档频率"},
        ),
        migrations.CreateModel(
            name="PetitionFeatures",
            fields=[
                ("petition", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                  related_name="features", serialize=False, to="petitions.petition")),
                ("terms", models.TextField()),
                ("facts", models.TextField(blank=True)),
                ("norm", models.FloatField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("petition", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                  related_name="search_entry", serialize=False,
                                                  to="petitions.petition")),
                ("number", models.TextField()),
                ("name", models.TextField()),
                ("body", models.TextField()),
            ],
        ),
        migrations.CreateModel(
            name="MatterBucket",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.BigIntegerField()),
                ("station_id", models.IntegerField()),
                ("petition", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                               to="petitions.petition")),
            ],
            options={"indexes": [models.Index(fields=["station_id", "key", "petition"], name="matter_bucket_key_idx"),
                                 models.Index(fields=["petition"], name="matter_bucket_petition_idx")]},
        ),
        migrations.CreateModel(
            name="MatterLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("score", models.FloatField()),
                ("other", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                            to="petitions.petition")),
                ("petition", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                               related_name="matter_links", to="petitions.petition")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("petition", "other"), name="matter_link_unique")],
                "indexes": [models.Index(fields=["other"], name="matter_link_other_idx")],
            },
        ),
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRES}),
                             _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE})),
    ]
