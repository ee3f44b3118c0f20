"""`python -m bench.catalog_search` (or `python bench/catalog_search`): seed, load, report."""

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

from bench.catalog_search import __doc__ as DOC
from bench.catalog_search.load import explain, http_get, run_direct, run_http
from bench.catalog_search.seed import seed
from bench.common import markdown, start_gunicorn


def main() -> None:
    parser = argparse.ArgumentParser(
        description=DOC, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--basic-items", type=int, default=2000)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument(
        "--province-share",
        type=float,
        default=0.1,
        help="share of basic items also implemented at province level",
    )
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument(
        "--direct-runs", type=int, default=200, help="calls per scenario in process"
    )
    parser.add_argument(
        "--requests", type=int, default=800, help="HTTP requests per concurrency level"
    )
    parser.add_argument("--clients", default="1,16")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url (or DATABASE_URL) must point at a PostgreSQL database")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from django.db import connection

    from tongban.org.models import Department, Region

    if not args.skip_seed:
        print(f"seeding {args.basic_items} basic items × {args.counties} counties …", flush=True)
        print(
            json.dumps(
                seed(
                    basic_count=args.basic_items,
                    county_count=args.counties,
                    province_share=args.province_share,
                ),
                ensure_ascii=False,
            )
        )
    counties = list(
        Region.objects.filter(level="county", service_items__isnull=False)
        .distinct()
        .order_by("code")
        .values_list("code", flat=True)
    )
    market = {
        d.region_id: d.pk
        for d in Department.objects.filter(region__in=counties, name__endswith="市场监督管理局")
    }
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg_version = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM catalog_serviceitem")
        items = cur.fetchone()[0]
    print(
        f"\n{dt.datetime.now(dt.UTC).date().isoformat()}  nproc={os.cpu_count()}  "
        f"{pg_version.split(' on ')[0]}  service items={items}"
    )
    if args.explain:
        explain(counties)
    direct = run_direct(args.direct_runs, counties, market)
    print()
    print(
        markdown(
            "search_items / suggest in process (ms)",
            direct,
            ["label", "n", "p50", "p95", "p99", "mean", "max"],
        )
    )
    if args.no_http:
        return
    connection.close()
    process = start_gunicorn(
        args.database_url,
        args.port,
        args.workers,
        ready=lambda port: http_get(port, "suggest", {"q": "营业"})[0] == 200,
    )
    try:
        # Warm every worker (jieba's dictionary, database connections) concurrently,
        # so that the sync workers cannot all be served by the same process.
        with ThreadPoolExecutor(max_workers=8) as pool:
            warm = {"q": "营业执照", "region": counties[0]}
            list(pool.map(lambda _: http_get(args.port, "items", warm), range(64)))
        rows = [
            run_http(args.port, int(c), args.requests, counties, market)
            for c in args.clients.split(",")
        ]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    print(
        markdown(
            f"HTTP via gunicorn -w {args.workers}, mixed scenarios (ms)",
            rows,
            ["clients", "n", "p50", "p95", "p99", "mean", "max", "throughput_rps", "errors"],
        )
    )


if __name__ == "__main__":
    main()
