"""Per-request cost of the four reads of issue 12 item 3, in process, with cProfile.

`python -m bench.read_profile --database-url postgres://…/<db>` calls the WSGI
application gunicorn serves (``config.wsgi``, every middleware, the same
settings) with a hand-made WSGI environ, so no socket, load generator or other
process is measured: what is left is the request's own Python and its SQL.

The reads are the ones ``bench.case_flow``'s wrk phase drives: 我的办件
(``GET /api/v1/cases`` as a bench citizen), the staff queue (``…/queue`` as
the 南京 clerk), the case page (``…/<case_no>`` as that clerk, on cases this
script submits first, as the wrk phase reads the cases its run made) and
catalogue search (``GET /api/v1/catalog/items?q=营业执照&limit=20``).

For each: the wall and CPU time per request (median and p95 of ``--requests``
after ``--warm`` unmeasured ones), the SQL statements per request and the time
spent waiting for them, then one cProfile pass over the same requests, timed
in CPU time (the waits for the database left out), with the functions that
cost the most per request (own time and cumulative). The
database must hold the demo and the bench's cases (``bench.case_flow
--seed-only``); the script adds bench citizens' tokens and three cases.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

ITEMS = "/api/v1/catalog/items?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7&limit=20"


def wsgi_call(
    app: Any, method: str, url: str, token: str, body: bytes = b"", **headers: str
) -> tuple[int, bytes, dict[str, str]]:
    """One request through the WSGI application, as gunicorn would hand it over."""
    parts = urlsplit(url)
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": parts.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    status: list[str] = []
    got: dict[str, str] = {}

    def start_response(line: str, header_list: list[tuple[str, str]], exc_info: Any = None) -> Any:
        status.append(line)
        got.update({k.lower(): v for k, v in header_list})
        return lambda _: None

    result = app(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()  # request_finished, as after every gunicorn request
    return int(status[0].split()[0]), content, got


def _cases_for_the_clerk(app: Any, actors: Any) -> list[str]:
    """Three cases submitted over the API (materials, history): the case pages."""
    body = json.dumps(
        {
            "implementation_code": actors.item_code,
            "applicant": {"kind": "person"},
            "form": actors.form,
            "materials": actors.materials,
        },
        ensure_ascii=False,
    ).encode("utf-8")
    numbers = []
    for n in range(3):
        key = f"read-profile-{time.time_ns()}-{n}"
        status, content, _ = wsgi_call(
            app, "POST", "/api/v1/cases", actors.citizens[0], body, Idempotency_Key=key
        )
        if status != 201:
            raise SystemExit(f"submission failed: {status} {content[:300]!r}")
        numbers.append(json.loads(content)["case_no"])
    return numbers


def measure(
    app: Any, name: str, calls: list[tuple[str, str]], requests: int, warm: int, top: int
) -> dict[str, Any]:
    """Timing, statements and a cProfile pass for one endpoint."""
    from django.db import connection

    def run(i: int) -> None:
        url, token = calls[i % len(calls)]
        status, content, _ = wsgi_call(app, "GET", url, token)
        if status != 200:
            raise SystemExit(f"{name}: {url} answered {status}: {content[:300]!r}")

    for i in range(warm):
        run(i)
    wall, cpu, sql_ms, statements = [], [], [], []
    for i in range(requests):
        spent = [0.0, 0]

        def timed(execute: Callable[..., Any], *args: Any, spent: list[Any] = spent) -> Any:
            started = time.perf_counter()
            try:
                return execute(*args)
            finally:
                spent[0] += time.perf_counter() - started
                spent[1] += 1

        w0, c0 = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(timed):
            run(i)
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        sql_ms.append(spent[0] * 1000)
        statements.append(spent[1])
    # CPU time, not wall time: what the process itself spends, without the waits
    # for the database (which on a shared machine are mostly its run queue).
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for i in range(requests):
        run(i)
    profiler.disable()
    return {
        "endpoint": name,
        "n": requests,
        "wall_p50": _q(wall, 50),
        "wall_p95": _q(wall, 95),
        "cpu_p50": _q(cpu, 50),
        "sql_ms_p50": _q(sql_ms, 50),
        "statements": statistics.mode(statements),
        "bytes": len(wsgi_call(app, "GET", *calls[0])[1]),
        # Function calls per request: the same on a busy machine as on an idle
        # one, so a before/after comparison that the load cannot blur.
        "calls": round(pstats.Stats(profiler).total_calls / requests),  # type: ignore[attr-defined]
        "profile": _top(profiler, requests, top),
    }


def _q(samples: list[float], p: int) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 2)


def _top(profiler: cProfile.Profile, requests: int, top: int) -> dict[str, list[str]]:
    """The functions costing most per request: own time, and cumulative."""
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = _short(filename)
        rows.append((own, cumulative, calls, f"{where}:{line}({function})"))
    own_rows = sorted(rows, key=lambda r: -r[0])[:top]
    cumulative_rows = sorted(rows, key=lambda r: -r[1])[: top * 3]
    return {
        "own": [
            f"{own / requests * 1000:7.3f} ms  {calls / requests:6.1f}×  {name}"
            for own, _, calls, name in own_rows
        ],
        "cumulative": [
            f"{cumulative / requests * 1000:7.3f} ms  {calls / requests:6.1f}×  {name}"
            for _, cumulative, calls, name in cumulative_rows
        ],
    }


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/tongban/", "/config/", "/lib/python3"):
        if marker in filename:
            tail = filename.split(marker, 1)[1]
            return ("tongban/" if marker == "/tongban/" else "") + tail
    return filename


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warm", type=int, default=30)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--json", default="", help="write the figures to this file too")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application

    from bench.case_flow.actors import prepare_actors

    app = get_wsgi_application()
    actors = prepare_actors(8)
    numbers = _cases_for_the_clerk(app, actors)
    endpoints = {
        "my cases": [("/api/v1/cases", t) for t in actors.citizens],
        "staff queue": [("/api/v1/cases/queue", actors.clerk)],
        "case page": [(f"/api/v1/cases/{quote(n)}", actors.clerk) for n in numbers],
        "catalogue search": [(ITEMS, t) for t in actors.citizens],
    }
    wanted = [w.strip() for w in args.only.split(",") if w.strip()] or list(endpoints)
    load = f"{os.getloadavg()[0]:.1f}"
    results = []
    for name in wanted:
        result = measure(app, name, endpoints[name], args.requests, args.warm, args.top)
        result["load"] = load = f"{os.getloadavg()[0]:.1f}"
        results.append(result)
        print(
            f"\n== {name}: wall p50 {result['wall_p50']} ms, p95 {result['wall_p95']} ms; "
            f"CPU p50 {result['cpu_p50']} ms; {result['statements']} statements, "
            f"SQL {result['sql_ms_p50']} ms; {result['calls']} calls; {result['bytes']} bytes; "
            f"load {load}"
        )
        print("-- own time per request")
        print("\n".join(result["profile"]["own"]))
        print("-- cumulative per request")
        print("\n".join(result["profile"]["cumulative"]))
    print(
        "\n| endpoint | wall p50 | wall p95 | CPU p50 | Python calls | statements | SQL p50 "
        "| bytes | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['endpoint']} | {r['wall_p50']} | {r['wall_p95']} | {r['cpu_p50']} | "
            f"{r['calls']:,} | {r['statements']} | {r['sql_ms_p50']} | {r['bytes']} | "
            f"{r['load']} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
