"""12345 hotline bench (issue 13): seed N orders, then measure registration
throughput and p95 at C concurrent clients (the service, in-process threads),
the dispatcher queue's p95, and the stats query for one month of one city.

    DJANGO_SETTINGS_MODULE=config.settings.local python -m bench.hotline --seed 2000000

Targets: registration ≥ 300/s at 16 clients; queue p95 ≤ 50 ms; a month's
stats of a city ≤ 1 s. Needs the demo (``tongban demo load``). Reports; it is
not a test. Record the figures in docs/performance.md with machine and date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import threading
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup()

from django.db import connection  # noqa: E402

from bench.common import percentiles  # noqa: E402
from tongban.core import clock  # noqa: E402
from tongban.hotline import selectors, stats  # noqa: E402
from tongban.hotline.demo import CITIES, backlog_rows  # noqa: E402
from tongban.hotline.models import Category, WorkOrder  # noqa: E402
from tongban.hotline.services import OrderInput, work_order_register  # noqa: E402
from tongban.hotline.services.history import work_orders_import_history  # noqa: E402
from tongban.identity.models import User  # noqa: E402

TEXTS = ("路灯不亮好几天了", "小区物业不作为电梯坏了", "工地夜间施工噪音扰民", "公司拖欠工资三个月")


def seed(total: int) -> int:
    """Archived orders by the history import (bulk), until ``total`` exist."""
    have = WorkOrder.objects.count()
    categories = {c.code: c for c in Category.objects.all()}
    made = 0
    batch = 0
    while have + made < total:
        batch += 1
        rows = backlog_rows(categories, clock.now())
        rows = [
            r.__class__(**{**r.__dict__, "order_no": f"{r.order_no[:6]}B{batch:05d}{i:06d}"})
            for i, r in enumerate(rows)
        ][: total - have - made]
        made += work_orders_import_history(rows=rows, source=f"bench {batch}")
    return made


def register_load(clients: int, seconds: float) -> dict[str, float]:
    operator = User.objects.get(username="nj_operator")
    samples: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run() -> None:
        rng = random.Random()
        while time.monotonic() < stop:
            start = time.perf_counter()
            work_order_register(
                data=OrderInput(
                    channel="phone",
                    kind="complaint",
                    content=rng.choice(TEXTS),
                    region_code="320102",
                    caller_phone=f"138{rng.randint(0, 10**8 - 1):08d}",
                ),
                actor=operator,
            )
            with lock:
                samples.append((time.perf_counter() - start) * 1000)
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    return {"per_second": round(len(samples) / elapsed, 1), **percentiles(samples)}


def queue_load(rounds: int) -> dict[str, float]:
    dispatcher = User.objects.get(username="nj_dispatcher")
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        list(selectors.order_list_for_staff(user=dispatcher, queue="dispatch", limit=50).items)
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def stats_month() -> float:
    supervisor = User.objects.get(username="nj_supervisor")
    today = clock.today()
    start = time.perf_counter()
    stats.hotline_stats(
        user=supervisor,
        date_from=today - dt.timedelta(days=30),
        date_to=today,
        region_code=next(iter(CITIES)),
    )
    return round((time.perf_counter() - start) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0, help="orders to have before measuring")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    if args.seed:
        print(f"seeded {seed(args.seed)} orders; total {WorkOrder.objects.count()}")
    print("registration:", register_load(args.clients, args.seconds))
    print("dispatcher queue:", queue_load(200))
    print("stats, one month of one city (ms):", stats_month())


if __name__ == "__main__":
    main()
