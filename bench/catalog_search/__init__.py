"""Catalogue search at province scale, against PostgreSQL (DESIGN §9). Not a test.

Seeds ~2,000 basic items implemented by the county departments of ~100
counties (≈ 200,000 service items, each with one published guide version and
its search entry made by the same ``search_entry_values`` the services use),
then times typical portal queries

1. through ``catalog.search.search_items`` / ``suggest`` in this process, and
2. over HTTP against gunicorn (2 sync workers, loopback only) at 1 and 16
   concurrent clients,

and prints p50/p95/p99 and throughput as a Markdown table for
docs/performance.md.

    createdb tongban_bench; DATABASE_URL=postgres://…/tongban_bench tongban migrate
    .venv/bin/python -m bench.catalog_search --database-url postgres://…/tongban_bench

Rows are written with COPY rather than 200,000 publish calls; the bench does
not write GuideEvent or audit rows (search never reads them).

Phases, one module each: ``catalogue`` (the generated items), ``seed``,
``load`` (in process, HTTP, EXPLAIN); ``__main__`` runs them and prints the
tables.
"""
