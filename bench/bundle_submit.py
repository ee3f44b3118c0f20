"""一件事 submission bench (issue 11): 企业开办, six members, at 1 and 16 clients
through the public API under gunicorn, with retries that reuse the
``Idempotency-Key``. Not a test.

On an empty PostgreSQL database it migrates, loads the demo organisations, the
member items of the demo bundles and the 13 demo bundles (as the bundles tests
do), registers one citizen per client with a bearer token, starts gunicorn and
submits. Every fourth submission is sent twice with the same key, as a client
retrying after a lost answer would; the bench then counts the applications,
their member rows and their cases in the database.

    createdb tongban_bundles_bench
    .venv/bin/python bench/bundle_submit.py --database-url postgres://…/tongban_bundles_bench

Target: p95 ≤ 300 ms at 16 clients, no duplicates under retries. Record the
figures in docs/performance.md with the machine and the date.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import markdown, percentiles, request, start_gunicorn  # noqa: E402

BUNDLE = "enterprise-opening"
URL = f"/api/v1/bundles/{BUNDLE}/applications"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 110


def _prepare(clients: int) -> tuple[list[str], dict[str, Any]]:
    """Seed once; one citizen and token per client; the body of one submission."""
    import django

    django.setup()
    from tongban.bundles.models import Bundle
    from tongban.bundles.tests.conftest import seed
    from tongban.bundles.tests.flows import fill, merge_of
    from tongban.core.identifiers import generate_check_digit_resident
    from tongban.identity.models import User
    from tongban.identity.services import citizen_signup, token_create

    if not Bundle.objects.filter(code=BUNDLE).exists():
        started = time.perf_counter()
        seed()
        print(f"seeded the demo bundles in {time.perf_counter() - started:.0f} s")
    tokens = []
    for n in range(clients):
        username = f"bench_bundle_{n:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            first17 = f"320102198{n % 10}0101{100 + n:03d}"
            user = citizen_signup(
                phone=f"139{n:08d}",
                password="Pw-12345678",
                name=f"压测{n:02d}",
                id_number=first17 + generate_check_digit_resident(first17),
                username=username,
            )
        tokens.append(token_create(user=user, name="bench")[1])
    merge = merge_of(Bundle.objects.get(code=BUNDLE))
    body = {
        "applicant": {"kind": "person"},
        "form": fill(merge),
        "materials": [
            {"key": m.key, "file_base64": base64.b64encode(PDF).decode(), "file_name": "a.pdf"}
            for m in merge.materials_to_submit
            if m.needed
        ],
    }
    return tokens, body


def _run(
    port: int, tokens: list[str], body: dict[str, Any], clients: int, per_client: int
) -> dict[str, Any]:
    payload = json.dumps(body, ensure_ascii=False).encode()
    samples: list[float] = []
    retries: list[float] = []
    outcomes: Counter[str] = Counter()
    numbers: dict[str, set[str]] = {}
    lock = threading.Lock()

    def client(c: int) -> None:
        for i in range(per_client):
            key = f"bench-{uuid.uuid4()}"
            headers = {
                "Authorization": f"Bearer {tokens[c]}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            }
            status, ms, content, _ = request(port, "POST", URL, body=payload, headers=headers)
            seen = {json.loads(content)["application_no"]} if status == 201 else set()
            again: list[float] = []
            if i % 4 == 0:  # the client lost the answer and retries with the same key
                status2, ms2, content2, got = request(
                    port, "POST", URL, body=payload, headers=headers
                )
                again.append(ms2)
                if status2 == 201:
                    seen.add(json.loads(content2)["application_no"])
                    with lock:
                        outcomes["replayed" if got.get("idempotent-replayed") else "fresh"] += 1
                else:
                    with lock:
                        outcomes[f"retry {status2}"] += 1
            with lock:
                samples.append(ms)
                retries.extend(again)
                outcomes[str(status)] += 1
                numbers[key] = seen

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "submissions": len(samples),
        "per_s": round(len(samples) / elapsed, 1),
        **percentiles(samples),
        "retry_p95": percentiles(retries).get("p95", ""),
        "outcomes": dict(outcomes),
        "keys_with_two_applications": sum(1 for s in numbers.values() if len(s) > 1),
        "application_nos": {n for s in numbers.values() for n in s},
    }


def _count(application_nos: set[str]) -> dict[str, int]:
    from tongban.bundles.models import BundleApplication, BundleMember
    from tongban.cases.models import Case

    applications = BundleApplication.objects.filter(application_no__in=application_nos)
    return {
        "applications": applications.count(),
        "members": BundleMember.objects.filter(application__in=applications).count(),
        "cases": Case.objects.filter(bundle_member__application__in=applications).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8761)
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("--database-url (PostgreSQL) is required")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    subprocess.run(
        [sys.executable, "-m", "tongban.cli", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        check=True,
    )
    tokens, body = _prepare(args.clients)

    def ready(port: int) -> bool:
        return request(port, "GET", f"/api/v1/bundles/{BUNDLE}")[0] == 200

    server = start_gunicorn(args.database_url, args.port, args.workers, ready)
    try:
        # Warm every worker (imports, the segmenter's dictionary) before measuring.
        _run(args.port, tokens, body, args.workers, 2)
        rows = []
        for clients in (1, args.clients):
            result = _run(args.port, tokens, body, clients, args.per_client)
            counted = _count(result.pop("application_nos"))
            rows.append({**result, **counted})
            print(json.dumps(rows[-1], ensure_ascii=False))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print()
    print(
        markdown(
            f"{BUNDLE}（6 个事项）一次提交，gunicorn {args.workers} workers",
            rows,
            [
                "clients",
                "submissions",
                "per_s",
                "p50",
                "p95",
                "p99",
                "max",
                "retry_p95",
                "keys_with_two_applications",
                "applications",
                "members",
                "cases",
            ],
        )
    )


if __name__ == "__main__":
    main()
