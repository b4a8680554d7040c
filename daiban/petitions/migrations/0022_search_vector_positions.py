"""PostgreSQL: the search vector's lexemes carry a position, so its weights (number A, name B, text D)
take effect. Built with `array_to_tsvector`, lexemes had no position, and PostgreSQL keeps a weight
only on a position: every lexeme ranked as D and a query's `:D` matched the number and the name too,
so relevance (number > name > text, as FTS5's bm25 column weights on SQLite) came down to the row id.
Every token now gets position 1 of its column (the tokens are made in search.py, never parsed here).
The stored column is generated: assigning a column to itself makes PostgreSQL compute it again.
"""

from __future__ import annotations

from django.db import migrations

FORWARD = [
    # One space-separated token list → lexemes at position 1. Tokens are runs of letters and digits
    # (search.py), but quotes and backslashes are escaped anyway: a tsvector literal gives them meaning.
    r"""CREATE FUNCTION petitions_search_lexemes(tokens text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(string_agg('''' || replace(replace(t, '\', '\\'), '''', '''''') || ''':1', ' '), '')::tsvector
        FROM unnest(string_to_array(tokens, ' ')) AS t WHERE t <> '' $$""",
    """CREATE OR REPLACE FUNCTION petitions_search_vector(number text, name text, body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(petitions_search_lexemes(number), 'A')
            || setweight(petitions_search_lexemes(name), 'B')
            || setweight(petitions_search_lexemes(body), 'D') $$""",
    "UPDATE petitions_searchentry SET number = number",
]
BACKWARD = [
    """CREATE OR REPLACE FUNCTION petitions_search_vector(number text, name text, body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(array_to_tsvector(array_remove(string_to_array(number, ' '), '')), 'A')
            || setweight(array_to_tsvector(array_remove(string_to_array(name, ' '), '')), 'B')
            || setweight(array_to_tsvector(array_remove(string_to_array(body, ' '), '')), 'D') $$""",
    "UPDATE petitions_searchentry SET number = number",
    "DROP FUNCTION IF EXISTS petitions_search_lexemes(text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("petitions", "0021_i14_two_digit_years_refresh_features")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
