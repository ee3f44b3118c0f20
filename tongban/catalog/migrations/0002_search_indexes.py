"""Full-text search indexes of the catalogue (DESIGN §5, tongban/catalog/search.py).

SQLite: an FTS5 table ``catalog_search_fts`` (rowid = service item id) that
``search_index_item`` writes next to each SearchEntry. The tokenizer keeps
``@``, ``:`` and ``_`` inside words so that facet tags stay one token.

PostgreSQL: a GIN index over the exact document expression that
``search.PG_DOCUMENT`` queries. ``array_to_tsvector`` takes jieba's words
verbatim (no parser, no locale dependence).
"""

from django.db import migrations

SQLITE_FORWARD = """
CREATE VIRTUAL TABLE IF NOT EXISTS catalog_search_fts USING fts5(
    tokens, initials,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '@:_'",
    prefix = '1 2 3'
);
INSERT INTO catalog_search_fts (rowid, tokens, initials)
    SELECT service_item_id, tokens, initials FROM catalog_searchentry;
"""
SQLITE_REVERSE = "DROP TABLE IF EXISTS catalog_search_fts;"

PG_FORWARD = """
CREATE INDEX IF NOT EXISTS catalog_searchentry_document ON catalog_searchentry
    USING gin (array_to_tsvector(array_remove(string_to_array(
        tokens || ' ' || initials, ' '), '')));
"""
PG_REVERSE = "DROP INDEX IF EXISTS catalog_searchentry_document;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_FORWARD.split(";"):
            if statement.strip():
                schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)
    elif vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
