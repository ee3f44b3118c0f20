"""One read endpoint at 16 clients with and without the hot standby, measured
with wrk (a C load generator), beside pgbench running the endpoint's own SQL
on each node (issue 12, items 4 and 5). Not a test.

Needs the bench cluster of ``bench/pg_cluster.sh`` (``up`` then ``standby``)
with a migrated database holding the demo province. For each setting —
``DATABASE_REPLICA_URL`` empty, then set to the standby — starts gunicorn,
warms it up, runs ``wrk`` for ``--seconds`` and reads each node's committed
transactions before and after (``pg_stat_database``), which shows where the
reads went. Then runs the statements the endpoint makes (captured in process)
with pgbench on the primary and on the standby: the database's own rate.

    .venv/bin/python bench/replica_reads.py
    .venv/bin/python bench/replica_reads.py --path '/api/v1/catalog/items?q=食品&limit=20'
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import markdown, request, start_gunicorn  # noqa: E402  # after the path is set

WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "errors": %d, "non2xx": %d, "seconds": %.3f, "p50": %.2f, '
    .. '"p95": %.2f, "p99": %.2f, "max": %.2f, "mean": %.2f}\\n',
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
end
"""


def psql(port: int, db: str, sql: str) -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db, "-Atqc", sql],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def transactions(port: int, db: str) -> int:
    return int(
        psql(
            port,
            db,
            f"SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '{db}'",
        )
    )


def captured_sql(database_url: str, path: str) -> list[str]:
    """The statements one request to ``path`` makes, from a fresh interpreter."""
    script = f"""
import json, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
assert client.get({path!r}).status_code == 200
with CaptureQueriesContext(connection) as captured:
    assert client.get({path!r}).status_code == 200
print(json.dumps([q["sql"] for q in captured.captured_queries]))
"""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def pgbench(
    port: int, db: str, statements: list[str], *, clients: int, seconds: int
) -> dict[str, object]:
    with tempfile.NamedTemporaryFile("w", suffix=".pgbench", delete=False) as script:
        for sql in statements:
            script.write(" ".join(sql.split()) + ";\n")
    result = subprocess.run(
        ["pgbench", "-n", "-h", "127.0.0.1", "-p", str(port), "-U", "tongban", "-f", script.name,
         "-c", str(clients), "-j", "2", "-T", str(seconds), db],
        capture_output=True, text=True, check=True, env={**os.environ, "PGPASSWORD": "tongban"},
    )  # fmt: skip
    os.unlink(script.name)
    tps = re.search(r"tps = ([\d.]+)", result.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", result.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", result.stdout)
    return {
        "tps": float(tps.group(1)) if tps else None,
        "latency avg (ms)": float(latency.group(1)) if latency else None,
        "failed": int(failed.group(1)) if failed else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--primary-port", type=int, default=int(os.environ.get("BENCH_PRIMARY_PORT", 55450))
    )
    parser.add_argument(
        "--standby-port", type=int, default=int(os.environ.get("BENCH_STANDBY_PORT", 55451))
    )
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "tongban_bench"))
    parser.add_argument("--path", default="/api/v1/catalog/items?limit=20")
    parser.add_argument("--port", type=int, default=8792, help="gunicorn's port")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()

    primary, standby = args.primary_port, args.standby_port
    if (
        psql(primary, "postgres", "SELECT pg_is_in_recovery()") != "f"
        or psql(standby, "postgres", "SELECT pg_is_in_recovery()") != "t"
    ):
        sys.exit("need the primary on --primary-port and the standby on --standby-port")
    url = f"postgres://tongban:tongban@127.0.0.1:{primary}/{args.db}"
    path = quote(args.path, safe="/?&=")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(WRK_REPORT)

    rows = []
    for label, replica in (
        ("primary only", ""),
        ("with the standby", f"postgres://tongban:tongban@127.0.0.1:{standby}/{args.db}"),
    ):
        os.environ["DATABASE_REPLICA_URL"] = replica
        web = start_gunicorn(
            url, args.port, args.workers, lambda p: request(p, "GET", path)[0] == 200
        )
        try:
            for _ in range(50):  # every worker warm
                request(args.port, "GET", path)
            before = {port: transactions(port, args.db) for port in (primary, standby)}
            out = subprocess.run(
                ["wrk", "-t", "2", "-c", str(args.clients), "-d", f"{args.seconds}s",
                 "--timeout", "10s", "-s", lua.name, f"http://127.0.0.1:{args.port}{path}"],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            after = {port: transactions(port, args.db) for port in (primary, standby)}
        finally:
            web.terminate()
            web.wait(timeout=30)
        report = json.loads(out.strip().splitlines()[-1])
        rows.append({
            "setting": label,
            "requests": report["requests"],
            "req/s": round(report["requests"] / report["seconds"], 1),
            "p50": report["p50"], "p95": report["p95"], "p99": report["p99"], "max": report["max"],
            "errors": report["errors"] + report["non2xx"],
            "primary xacts": after[primary] - before[primary],
            "standby xacts": after[standby] - before[standby],
        })  # fmt: skip
    os.environ.pop("DATABASE_REPLICA_URL", None)
    os.unlink(lua.name)

    statements = captured_sql(url, args.path)
    keys = [
        "setting",
        "requests",
        "req/s",
        "p50",
        "p95",
        "p99",
        "max",
        "errors",
        "primary xacts",
        "standby xacts",
    ]
    print(
        markdown(
            f"wrk, {args.clients} connections, {args.seconds} s: GET {args.path} (ms)", rows, keys
        )
    )
    twins = [
        {
            "node": name,
            **pgbench(port, args.db, statements, clients=args.clients, seconds=args.seconds),
        }
        for name, port in (("primary", primary), ("standby", standby))
    ]
    title = f"pgbench, the endpoint's {len(statements)} statement(s), {args.clients} clients"
    print(markdown(title, twins, ["node", "tps", "latency avg (ms)", "failed"]))


if __name__ == "__main__":
    main()
