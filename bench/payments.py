"""统一网上支付 bench (issue 19).

1. Callbacks: N pending orders; their signed success callbacks, plus 10%
   duplicates and 5% out of order (a failure of the same transaction arriving
   after its success), pushed through the notify service by C threads. Target
   ≥ 500 callbacks/s, and afterwards every order paid exactly once.
2. Reconciliation: M orders paid on one day, the day's statement (with three
   planted differences) imported and matched. Target: M = 1,000,000 in ≤ 60 s.

    DJANGO_SETTINGS_MODULE=config.settings.local DATABASE_URL=postgres://… \
        python -m bench.payments --callbacks 5000 --clients 4 --reconcile 1000000
        python -m bench.payments --callbacks 5000 --processes 4    # forked, as gunicorn's workers
        python -m bench.payments --callbacks 2000 --clients 1 --profile

Needs a fresh migrated database (a day is reconciled once); loads the demo
organisations if missing. Reports;
it is not a test. Record the figures in docs/performance.md with machine and date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import threading
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup()

from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tongban.core import clock  # noqa: E402
from tongban.org.demo import demo_org_load  # noqa: E402
from tongban.org.models import Department  # noqa: E402
from tongban.payments import codes  # noqa: E402
from tongban.payments.models import OrderEvent, OrderStatus, PaymentOrder  # noqa: E402
from tongban.payments.providers.simulated import sign  # noqa: E402
from tongban.payments.services import notification_receive, statement_import  # noqa: E402

DAY = dt.date(2026, 11, 2)
NOON = dt.datetime(2026, 11, 2, 12, 0, tzinfo=clock.SHANGHAI)


def _department() -> Department:
    if not Department.objects.exists():
        demo_org_load()
    return Department.objects.select_related("region").order_by("pk").first()  # type: ignore[return-value]


def _orders(count: int, *, kind: str, status: str, paid: bool) -> list[PaymentOrder]:
    """Bulk-made orders with codes of their own sequence range (kind digit)."""
    dept = _department()
    start = PaymentOrder.objects.filter(payment_code__startswith=f"999999{26}{kind}").count()
    made: list[PaymentOrder] = []
    for base in range(0, count, 10_000):
        batch = [
            PaymentOrder(
                payment_code=codes.compose("999999", 2026, start + i, kind=kind),
                source_key=f"bench:{kind}:{start + i}",
                department=dept,
                region_path=dept.region.path,
                payer_name="压测",
                amount_fen=1000 + (i % 50) * 100,
                paid_fen=1000 + (i % 50) * 100 if paid else 0,
                lines=[{"name": "工本费", "basis": "压测", "amount_fen": 1000 + (i % 50) * 100}],
                due_on=DAY + dt.timedelta(days=30),
                provider="sim",
                provider_txn=f"SIMB{kind}{start + i:010d}",
                created_at=NOON - dt.timedelta(hours=1),
                pending_at=NOON - dt.timedelta(minutes=30),
                paid_at=NOON + dt.timedelta(seconds=i % 40_000) if paid else None,
                status=status,
            )
            for i in range(base, min(base + 10_000, count))
        ]
        made += PaymentOrder.objects.bulk_create(batch, batch_size=10_000)
    return made


def _body(order: PaymentOrder, status: str, n: int) -> tuple[bytes, str]:
    body = json.dumps(
        {
            "notify_id": f"b{n}",
            "payment_code": order.payment_code,
            "txn_id": order.provider_txn,
            "status": status,
            "amount_fen": order.amount_fen,
            # The day before the reconciled day: the two parts do not meet.
            "paid_at": (NOON - dt.timedelta(days=1)).isoformat() if status == "success" else None,
        },
        separators=(",", ":"),
    ).encode()
    return body, sign(body)


def callbacks(count: int, clients: int, processes: int = 1) -> dict[str, float]:
    orders = _orders(count, kind="8", status=OrderStatus.PENDING, paid=False)
    queue: list[tuple[bytes, str]] = []
    late_failures: list[tuple[bytes, str]] = []
    rng = random.Random(19)
    for n, order in enumerate(orders):
        queue.append(_body(order, "success", n))
        if rng.random() < 0.10:
            queue.append(_body(order, "success", n))  # the duplicate
        if rng.random() < 0.05:
            late_failures.append(_body(order, "failed", n))  # out of order
    rng.shuffle(queue)
    # Out of order: each failure is sent after the success it contradicts.
    queue += late_failures
    # Statements of one applied callback and of its duplicate, counted on the
    # first order before the run (its callbacks are then left out of the run).
    first = [q for q in queue if f'"{orders[0].payment_code}"' in q[0].decode()]
    counted: dict[str, int] = {}
    for name in ("applied", "duplicate"):
        body, signature = first[0]
        with CaptureQueriesContext(connection) as captured:
            notification_receive(provider="sim", body=body, signature=signature, now=NOON)
        counted[name] = len(captured.captured_queries)
    queue = [q for q in queue if f'"{orders[0].payment_code}"' not in q[0].decode()]
    total = len(queue)  # the timed callbacks
    position = {"i": 0}
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                i = position["i"]
                position["i"] += 1
            if i >= total:
                break
            body, signature = queue[i]
            notification_receive(provider="sim", body=body, signature=signature, now=NOON)
        connections.close_all()

    # All callbacks of one order go to one process, in the queue's order: a
    # failure still comes after the success it contradicts. Shared out before
    # the clock starts: the processes spend their time on the callbacks only.
    parts: list[list[tuple[bytes, str]]] = [[] for _ in range(max(processes, 1))]
    for body, signature in queue:
        code = json.loads(body)["payment_code"]
        parts[int(code[-4:-1]) % len(parts)].append((body, signature))

    def process(part: int) -> None:
        for body, signature in parts[part]:
            notification_receive(provider="sim", body=body, signature=signature, now=NOON)

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    if processes > 1:
        # Separate processes, as gunicorn's workers are: no shared interpreter lock.
        connections.close_all()
        children = []
        for part in range(processes):
            pid = os.fork()
            if pid == 0:
                try:
                    process(part)
                finally:
                    connections.close_all()
                    os._exit(0)
            children.append(pid)
        for pid in children:
            os.waitpid(pid, 0)
    else:
        threads = [threading.Thread(target=worker) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    seconds = time.perf_counter() - started
    load_after = os.getloadavg()[0]
    ids = [o.pk for o in orders]
    paid = PaymentOrder.objects.filter(pk__in=ids, status=OrderStatus.PAID).count()
    succeeded = OrderEvent.objects.filter(order_id__in=ids, action="succeed").count()
    failed = OrderEvent.objects.filter(order_id__in=ids, action="fail").count()
    assert paid == succeeded == count and failed == 0, (paid, succeeded, failed)
    return {
        "callbacks": total,
        "seconds": round(seconds, 2),
        "per_second": round(total / seconds),
        "statements_applied": counted["applied"],
        "statements_duplicate": counted["duplicate"],
        "load_1m_before": round(load_before, 2),
        "load_1m_after": round(load_after, 2),
    }


def reconcile(count: int) -> dict[str, float]:
    started = time.perf_counter()
    orders = _orders(count, kind="7", status=OrderStatus.PAID, paid=True)
    seeded = time.perf_counter() - started
    lines = [
        f"{o.payment_code}|{o.provider_txn}|pay|{o.paid_fen}|{o.paid_at.isoformat()}"  # type: ignore[union-attr]
        for o in orders[1:]  # planted: the first is missing there
    ]
    lines[0] = lines[0].replace("|pay|", "|pay|9")  # planted: an amount differs
    lines.append(f"99999926799999999999|SIMX|pay|100|{NOON.isoformat()}")  # planted: unknown
    net = sum(int(line.split("|")[3]) for line in lines)
    text = f"SIMPAY|{DAY.isoformat()}|{len(lines)}|{net}\n" + "\n".join(lines) + "\n"
    del orders
    started = time.perf_counter()
    day = statement_import(
        provider="sim", text=text, actor="bench", now=NOON + dt.timedelta(days=1)
    )
    seconds = time.perf_counter() - started
    kinds = sorted(day.mismatches.values_list("kind", flat=True))
    assert kinds == ["amount_differs", "missing_there", "unknown_order"], kinds
    return {
        "orders": count,
        "seed_seconds": round(seeded, 1),
        "reconcile_seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--callbacks", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--reconcile", type=int, default=0)
    parser.add_argument(
        "--processes", type=int, default=1, help="callbacks from N forked processes (no GIL)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the callbacks (one client is best)"
    )
    args = parser.parse_args()
    if args.callbacks and args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        print("callbacks:", callbacks(args.callbacks, args.clients))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    elif args.callbacks:
        print("callbacks:", callbacks(args.callbacks, args.clients, args.processes))
    if args.reconcile:
        print("reconcile:", reconcile(args.reconcile))


if __name__ == "__main__":
    main()
