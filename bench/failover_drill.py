"""Failover drill: stop the primary, promote the standby, time until the
application writes again (docs/deployment.md, issue 12 item 5). Not a test.

Needs the bench cluster of ``bench/pg_cluster.sh`` (``up`` then ``standby``)
with a migrated database holding the demo province. Starts gunicorn with

- ``DATABASE_URL`` without a host and ``PGHOST``/``PGPORT`` listing both nodes,
  ``target_session_attrs=read-write``: libpq connects to whichever node is the
  primary now, so the application needs no change of configuration to follow
  a promotion;
- ``DATABASE_REPLICA_URL`` on the standby, so the catalogue reads go there.

Two probes run every 50 ms for the whole drill: a write (public tracking of an
unknown case from a new address: two rate-counter rows, then 404) and a
replica-routed read (the catalogue's item list, 200). After a steady period
the primary is stopped with ``-m immediate`` (a crash), and after
``--detect-seconds`` (what a failover manager would take to decide; 0 =
scripted at once) the standby is promoted. Reports when each probe failed
and came back.

    bash bench/pg_cluster.sh up && bash bench/pg_cluster.sh standby
    .venv/bin/python bench/failover_drill.py [--nodes 2]
    bash bench/pg_cluster.sh rejoin    # the old primary, as the new standby
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import request, start_gunicorn  # noqa: E402  # after the path is set

CLUSTER = str(ROOT / "bench" / "pg_cluster.sh")


def role(port: int) -> str:
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres",
         "-Atqc", "SELECT pg_is_in_recovery()"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return {"t": "standby", "f": "primary"}.get(result.stdout.strip(), "down")


class Probe(threading.Thread):
    """Sends one kind of request every ``interval`` seconds and records each answer."""

    def __init__(
        self, name: str, send: Callable[[], tuple[int, float]], ok: set[int], interval: float = 0.05
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.send, self.ok, self.interval = send, ok, interval
        self.samples: list[tuple[float, int, float]] = []  # (time, status, ms)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                status, ms = self.send()
            except OSError:
                status, ms = 0, (time.monotonic() - started) * 1000
            self.samples.append((started, status, ms))
            self.stop.wait(self.interval)

    def outage(self, since: float) -> dict[str, object]:
        """First failure after ``since``, first success after it, failures in between."""
        after = [s for s in self.samples if s[0] >= since]
        failed = [s for s in after if s[1] not in self.ok]
        if not failed:
            return {"failed": 0, "first_failure_s": None, "back_after_s": None, "max_ms": None}
        first = failed[0][0]
        back = next((s[0] for s in after if s[0] > failed[-1][0] and s[1] in self.ok), None)
        return {
            "failed": len(failed),
            "statuses": sorted({s[1] for s in failed}),
            "first_failure_s": round(first - since, 2),
            "back_after_s": round(back - since, 2) if back else None,
            "max_ms": round(max(s[2] for s in after), 1),
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
    parser.add_argument("--port", type=int, default=8791, help="gunicorn's port")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument(
        "--nodes", type=int, default=1, help="app nodes on consecutive ports; probes take turns"
    )
    parser.add_argument("--steady-seconds", type=float, default=5)
    parser.add_argument("--detect-seconds", type=float, default=0)
    parser.add_argument("--after-seconds", type=float, default=10)
    parser.add_argument(
        "--samples", help="write every probe's (time since the stop, status, ms) here"
    )
    args = parser.parse_args()

    ports = {role(p): p for p in (args.primary_port, args.standby_port)}
    if set(ports) != {"primary", "standby"}:
        sys.exit(f"need one primary and one standby, found {ports}; see bench/pg_cluster.sh")
    primary, standby = ports["primary"], ports["standby"]
    os.environ.update(
        PGHOST="127.0.0.1,127.0.0.1",
        PGPORT=f"{primary},{standby}",
        PGCONNECT_TIMEOUT="2",
        DATABASE_REPLICA_URL=f"postgres://tongban:tongban@127.0.0.1:{standby}/{args.db}",
        TONGBAN_REPLICA_CHECK_SECONDS="1",
        TONGBAN_TRUSTED_PROXIES="127.0.0.1/32",
    )
    url = f"postgres://tongban:tongban@/{args.db}?target_session_attrs=read-write"
    items = "/api/v1/catalog/items?limit=5"
    web_ports = [args.port + n for n in range(args.nodes)]
    nodes = [
        start_gunicorn(url, port, args.workers, lambda p: request(p, "GET", items)[0] == 200)
        for port in web_ports
    ]
    turn = itertools.count()

    def node() -> int:
        """The next node, round robin: the bench spreads clients as a proxy would."""
        return web_ports[next(turn) % len(web_ports)]

    def write() -> tuple[int, float]:
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        case_no = f"3201002026{random.randrange(10**10):010d}"
        status, ms, _, _ = request(
            node(), "POST", f"/api/v1/cases/{case_no}/track",
            body=json.dumps({"code": "ABCDEFGH"}).encode(),
            headers={"Content-Type": "application/json", "X-Forwarded-For": address},
        )  # fmt: skip
        return status, ms

    def read() -> tuple[int, float]:
        status, ms, _, _ = request(node(), "GET", items)
        return status, ms

    # Every worker of every node warm: a first request costs seconds on a busy
    # machine and would hide the failover window from the probe it blocks.
    for _ in range(args.workers * args.nodes * 4):
        write()
        read()
    probes = [Probe("write", write, {404}), Probe("read (standby)", read, {200})]
    try:
        for probe in probes:
            probe.start()
        time.sleep(args.steady_seconds)
        steady = {p.name: sum(1 for s in p.samples if s[1] not in p.ok) for p in probes}
        stopped = time.monotonic()
        subprocess.run(["bash", CLUSTER, "stop-primary"], check=True, capture_output=True)
        time.sleep(args.detect_seconds)
        promoting = time.monotonic()
        subprocess.run(["bash", CLUSTER, "promote"], check=True, capture_output=True)
        promoted = time.monotonic()
        time.sleep(args.after_seconds)
    finally:
        for probe in probes:
            probe.stop.set()
        for probe in probes:
            probe.join(timeout=30)
        for web in nodes:
            web.terminate()
        for web in nodes:
            web.wait(timeout=30)
    report = {
        "nodes": web_ports,
        "primary_was": primary,
        "promoted": standby,
        "failures_before_the_stop": steady,
        "promote_started_s": round(promoting - stopped, 2),
        "promote_took_s": round(promoted - promoting, 2),
        "probes": {p.name: {"sent": len(p.samples), **p.outage(stopped)} for p in probes},
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.samples:
        samples = {
            p.name: [(round(t - stopped, 3), status, round(ms, 1)) for t, status, ms in p.samples]
            for p in probes
        }
        Path(args.samples).write_text(json.dumps(samples))


if __name__ == "__main__":
    main()
