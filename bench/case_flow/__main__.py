"""`python -m bench.case_flow` (or `python bench/case_flow`): the phases in order."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

import argparse
import datetime as dt
import json
import os
import signal
from concurrent.futures import ThreadPoolExecutor

from bench.case_flow import __doc__ as DOC
from bench.case_flow.actors import prepare_actors
from bench.case_flow.load_http import run_flow, run_submissions, run_wrk
from bench.case_flow.load_process import explain_reads, run_direct, run_pgbench
from bench.case_flow.report import summarize_statements
from bench.case_flow.seed import seed
from bench.common import markdown, request, start_gunicorn


def main() -> None:
    parser = argparse.ArgumentParser(
        description=DOC, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--citizens", type=int, default=64)
    parser.add_argument("--direct-runs", type=int, default=50)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--submissions", type=int, default=3000, help="per concurrency level")
    parser.add_argument("--rounds", type=int, default=400, help="whole cases per level")
    parser.add_argument("--clients", default="1,16")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--wrk-seconds", type=int, default=20, help="per wrk row; 0 skips the wrk phase"
    )
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url (or DATABASE_URL) must point at a PostgreSQL database")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from django.db import connection

    from tongban.core import clock

    today = clock.today()
    levels = [int(c) for c in args.clients.split(",")]
    if not args.skip_seed:
        print(f"seeding {args.cases:,} cases for {args.persons:,} persons …", flush=True)
        print(
            json.dumps(
                seed(cases=args.cases, persons=args.persons, today=today), ensure_ascii=False
            )
        )
    if args.seed_only:
        return
    actors = prepare_actors(args.citizens)
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg_version = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM cases_case")
        case_count = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM cases_caseevent")
        event_count = cur.fetchone()[0]
    print(
        f"\n{dt.datetime.now(dt.UTC).date().isoformat()}  nproc={os.cpu_count()}  "
        f"{pg_version.split(' on ')[0]}  cases={case_count:,}  history rows={event_count:,}"
    )
    if args.explain:
        explain_reads()
    direct, statements, template = run_direct(args.direct_runs, actors)
    print(
        markdown(
            "services in process (ms)", direct, ["command", "n", "p50", "p95", "p99", "mean", "max"]
        )
    )
    print(f"one submission: {len(statements)} statements: {summarize_statements(statements)}\n")
    pg = run_pgbench(args.database_url, template, args.pgbench_seconds, levels)
    print(
        markdown(
            "pgbench, bench/case_submit.pgbench",
            pg,
            ["clients", "tps", "latency_avg_ms", "failed", "load"],
        )
    )
    connection.close()
    process = start_gunicorn(
        args.database_url,
        args.port,
        args.workers,
        ready=lambda port: request(port, "GET", "/api/v1/calendar/days/2026-10-01")[0] == 200,
    )
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:  # warm every worker
            list(
                pool.map(
                    lambda _: request(
                        args.port, "GET", "/api/v1/catalog/suggest?q=%E8%90%A5%E4%B8%9A"
                    ),
                    range(32),
                )
            )
        wrk_rows = run_wrk(args.port, actors, levels, args.wrk_seconds) if args.wrk_seconds else []
        submit_rows = [run_submissions(args.port, actors, c, args.submissions) for c in levels]
        flow_rows = [row for c in levels for row in run_flow(args.port, actors, c, args.rounds)]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    for row in wrk_rows:
        match = next((p for p in pg if p["clients"] == row["clients"]), None)
        if row["endpoint"] == "submit" and match:
            row["pgbench_tps"] = match["tps"]
            row["ratio"] = round(row["rps"] / match["tps"], 2)
    if wrk_rows:
        print(
            markdown(
                f"wrk, gunicorn -w {args.workers}, {args.wrk_seconds} s per row (ms)",
                wrk_rows,
                ["endpoint", "clients", "requests", "rps", "p50", "p95", "p99", "max",
                 "errors", "non2xx", "pgbench_tps", "ratio", "load"],
            )
        )  # fmt: skip
    for row in submit_rows:
        match = next((p for p in pg if p["clients"] == row["clients"]), None)
        row["pgbench_tps"] = match["tps"] if match else ""
        row["ratio"] = round(row["throughput_rps"] / match["tps"], 2) if match else ""
    print(
        markdown(
            f"HTTP submissions only, gunicorn -w {args.workers} (ms)",
            submit_rows,
            [
                "clients",
                "n",
                "p50",
                "p95",
                "p99",
                "mean",
                "max",
                "throughput_rps",
                "pgbench_tps",
                "ratio",
                "errors",
            ],
        )
    )
    print(
        markdown(
            f"HTTP whole cases, gunicorn -w {args.workers} (ms)",
            flow_rows,
            [
                "clients",
                "command",
                "n",
                "p50",
                "p95",
                "p99",
                "mean",
                "max",
                "throughput_rps",
                "errors",
            ],
        )
    )


if __name__ == "__main__":
    main()
