"""Phase 2: the portal queries in this process and over HTTP; EXPLAIN."""

from __future__ import annotations

import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.common import (
    percentiles,
    request,
)

# --- measuring -------------------------------------------------------------------------------


def scenarios(counties: Sequence[str], department_of: Callable[[str], int]) -> list[dict[str, Any]]:
    """Typical portal queries; ``region`` is drawn per call from the counties."""
    return [
        {"label": "营业执照 @county", "path": "items", "params": {"q": "营业执照"}},
        {"label": "yyzz @county", "path": "items", "params": {"q": "yyzz"}},
        {
            "label": "社保 转移 @county, audience=person",
            "path": "items",
            "params": {"q": "社保 转移", "audience": "person"},
        },
        {
            "label": "户口 迁移 @county, theme=户籍办理",
            "path": "items",
            "params": {"q": "户口 迁移", "theme": "户籍办理"},
        },
        {
            "label": "browse @county, theme=婚姻登记",
            "path": "items",
            "params": {"theme": "婚姻登记"},
        },
        {
            "label": "营业执照 @county, department",
            "path": "items",
            "params": {"q": "营业执照", "department": "county-market"},
        },
        {"label": "suggest 营业 @county", "path": "suggest", "params": {"q": "营业"}},
        {
            "label": "营业执照, whole province (no region)",
            "path": "items",
            "params": {"q": "营业执照"},
            "no_region": True,
        },
    ]


def concrete(
    scenario: dict[str, Any], rng: random.Random, counties: Sequence[str], market: dict[str, int]
) -> dict[str, Any]:
    params = dict(scenario["params"])
    if not scenario.get("no_region"):
        county = rng.choice(counties)
        params["region"] = county
        if params.get("department") == "county-market":
            params["department"] = market[county]
    return params


def run_direct(runs: int, counties: Sequence[str], market: dict[str, int]) -> list[dict[str, Any]]:
    from tongban.catalog.search import search_items, suggest

    rng = random.Random(1)
    results = []
    for scenario in scenarios(counties, market.__getitem__):
        samples = []
        for i in range(runs + 5):
            params = concrete(scenario, rng, counties, market)
            started = time.perf_counter()
            if scenario["path"] == "suggest":
                suggest(params["q"], region=params.get("region"))
            else:
                kwargs = {k: v for k, v in params.items() if k != "type"}
                search_items(**kwargs)
            if i >= 5:  # warm-up
                samples.append((time.perf_counter() - started) * 1000)
        results.append({"label": scenario["label"], **percentiles(samples)})
    return results


def http_get(port: int, path: str, params: dict[str, Any]) -> tuple[int, float]:
    status, ms, _, _ = request(
        port, "GET", f"/api/v1/catalog/{path}?{urllib.parse.urlencode(params)}"
    )
    return status, ms


def run_http(
    port: int, clients: int, requests: int, counties: Sequence[str], market: dict[str, int]
) -> dict[str, Any]:
    """``requests`` requests spread over ``clients`` threads, cycling the scenarios."""
    plan = scenarios(counties, market.__getitem__)
    lock = threading.Lock()
    samples: list[float] = []
    errors: list[int] = []
    counter = iter(range(requests))

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            scenario = plan[n % len(plan)]
            status, ms = http_get(port, scenario["path"], concrete(scenario, rng, counties, market))
            with lock:
                samples.append(ms)
                if status != 200:
                    errors.append(status)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        **percentiles(samples),
        "throughput_rps": round(len(samples) / elapsed, 1),
        "errors": len(errors),
    }


def explain(counties: Sequence[str]) -> None:
    """EXPLAIN ANALYZE of the main search query for one county."""
    from django.db import connection

    from tongban.catalog.search import search_items

    queries: list[str] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(connection.ops.compose_sql(sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        search_items(q="营业执照", region=counties[0])
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + queries[-1])
        print("\n".join(row[0] for row in cur.fetchall()))
