"""Case handling at province scale, against PostgreSQL (DESIGN §9). Not a test.

On a migrated database with the demo province loaded (``tongban demo load``):

1. seeds ``--cases`` cases (default 1,000,000) with their history over the demo
   province's published items, for ``--persons`` applicants, received over the
   last two years — most concluded, some refused or withdrawn, the last weeks'
   still open — with deadlines computed by ``cases.deadlines`` on the real
   calendar, written with COPY;
2. times each command's service in this process (submit, accept, decide,
   deliver, conclude) and lists the statements of one submission;
3. runs ``bench/case_submit.pgbench`` — the statements of one submission, as
   ``python -m bench.case_statements`` captures them — with pgbench at 1 and
   16 clients: the database's own rate;
4. starts gunicorn and, at 1 and 16 concurrent clients, (a) submits only, then
   (b) runs whole cases: submit → accept → decide → deliver → conclude, with a
   "my cases" page and a staff queue page each round, through the public API
   with bearer tokens, ``Idempotency-Key`` and ``If-Match``.

    createdb tongban_cases_bench
    DATABASE_URL=postgres://…/tongban_cases_bench tongban migrate
    DATABASE_URL=postgres://…/tongban_cases_bench tongban demo load
    .venv/bin/python -m bench.case_flow --database-url postgres://…/tongban_cases_bench

Seeded cases have no material or document rows (no list reads them); cases
made by the run have everything the application writes.

Phases, one module each: ``seed`` (1), ``actors`` (the accounts and the item),
``load_process`` (2, 3), ``load_http`` and ``wrk`` (4, and wrk at every level:
submissions, my cases, the staff queue, the case page, catalogue search;
``--wrk-seconds 0`` skips it), ``report``; ``__main__`` runs them in order.
"""
