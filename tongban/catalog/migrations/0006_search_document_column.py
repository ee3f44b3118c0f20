"""The PostgreSQL search document as a stored column (issue 12, item 3).

Migration 0002 indexed the document *expression*
(``array_to_tsvector(… tokens ‖ initials …)``) and the search matched on that
expression. Where the planner walks the search entries instead of the GIN
index — a catalogue of a few hundred items, or a query whose words are
common — it rebuilt every entry's ``tsvector`` from its text for every
request: 3–4 ms of database CPU per catalogue search on the demo catalogue
(281 entries; docs/performance.md, "2026-12-04 (night)"), more than the
request's whole Python. The document is now a ``GENERATED ALWAYS … STORED``
column computed when an entry is written (by ``search_index_item``, a COPY or
an update), the GIN index is on that column, and ``search.PG_DOCUMENT`` names
it: the same words, the same matches, read instead of recomputed.

SQLite keeps its FTS5 table (nothing changes there).
"""

from django.db import migrations

PG_FORWARD = [
    "DROP INDEX IF EXISTS catalog_searchentry_document",
    "ALTER TABLE catalog_searchentry ADD COLUMN search_document tsvector "
    "GENERATED ALWAYS AS (array_to_tsvector(array_remove(string_to_array("
    "tokens || ' ' || initials, ' '), ''))) STORED",
    "CREATE INDEX catalog_searchentry_document ON catalog_searchentry USING gin (search_document)",
]
PG_REVERSE = [
    "DROP INDEX IF EXISTS catalog_searchentry_document",
    "ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS search_document",
    "CREATE INDEX catalog_searchentry_document ON catalog_searchentry "
    "USING gin (array_to_tsvector(array_remove(string_to_array("
    "tokens || ' ' || initials, ' '), '')))",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_search_signals")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
