"""Per-command cost of whole-case commands in process (issue 12), with cProfile.

`python bench/command_profile.py --database-url postgres://…/<db>` submits
``--cases`` cases through the WSGI application gunicorn serves (as
``bench/read_profile.py`` calls it: every middleware, the local settings),
then runs ``accept`` (the 南京 clerk) and ``decide`` (the reviewer) on each
with ``If-Match``, the first ``--warm`` of each unmeasured. Every other
command is timed (CPU per command, statements) and the rest are profiled in
CPU time; the figure to compare between runs on a busy machine is the number
of Python calls per command. The database must hold the demo and the bench's
seed (``bench.case_flow --seed-only``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import cProfile
import json
import os
import pstats
import statistics
import time
from typing import Any
from urllib.parse import quote

DECIDE = {
    "outcome": "granted",
    "reason": "申请材料齐全，符合法定条件",
    "legal_basis": "《中华人民共和国行政许可法》第三十八条",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--cases", type=int, default=40, help="measured per command")
    parser.add_argument("--warm", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from bench.case_flow.actors import prepare_actors
    from bench.read_profile import _q, _top, wsgi_call

    app = get_wsgi_application()
    actors = prepare_actors(8)
    body = json.dumps(
        {
            "implementation_code": actors.item_code,
            "applicant": {"kind": "person"},
            "form": actors.form,
            "materials": actors.materials,
        },
        ensure_ascii=False,
    ).encode("utf-8")
    cases: list[list[str]] = []
    for n in range(args.cases + args.warm):
        key = f"command-profile-{time.time_ns()}-{n}"
        status, content, headers = wsgi_call(
            app, "POST", "/api/v1/cases", actors.citizens[n % 8], body, Idempotency_Key=key
        )
        if status != 201:
            raise SystemExit(f"submission failed: {status} {content[:300]!r}")
        cases.append([json.loads(content)["case_no"], headers["etag"]])
    print("| command | Python calls | CPU p50 (ms) | statements | load |")
    print("|---|---|---|---|---|")
    for name, token, payload in (
        ("accept", actors.clerk, {}),
        ("decide", actors.reviewer, DECIDE),
    ):
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")

        def run(i: int, name: str = name, token: str = token, data: bytes = data) -> None:
            case = cases[i]
            url = f"/api/v1/cases/{quote(case[0])}/{name}"
            status, content, headers = wsgi_call(app, "POST", url, token, data, If_Match=case[1])
            if status != 200:
                raise SystemExit(f"{name}: {status} {content[:300]!r}")
            case[1] = headers["etag"]

        for i in range(args.warm):
            run(i)
        cpu: list[float] = []
        statements: list[int] = []
        profiler = cProfile.Profile(time.process_time)
        profiled = 0
        for i in range(args.warm, args.warm + args.cases):
            if i % 2:
                count = [0]

                def counted(execute: Any, *a: Any, count: list[int] = count) -> Any:
                    count[0] += 1
                    return execute(*a)

                started = time.process_time()
                with connection.execute_wrapper(counted):
                    run(i)
                cpu.append((time.process_time() - started) * 1000)
                statements.append(count[0])
            else:
                profiler.enable()
                run(i)
                profiler.disable()
                profiled += 1
        calls = pstats.Stats(profiler).total_calls / profiled  # type: ignore[attr-defined]
        print(
            f"| {name} | {round(calls):,} | {_q(cpu, 50)} | {statistics.mode(statements)} | "
            f"{os.getloadavg()[0]:.1f} |"
        )
        print("\n".join(_top(profiler, profiled, args.top)["cumulative"][: args.top * 2]))


if __name__ == "__main__":
    main()
