"""Phase 3: HTTP load on gunicorn, the Python driver for whole cases and wrk."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.case_flow.actors import BASE, FLOW_COMMANDS, Actors
from bench.common import (
    percentiles,
    request,
)

# --- HTTP --------------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {k: [] for k in FLOW_COMMANDS}
        self.errors: Counter[str] = Counter()

    def add(self, name: str, status: int, ms: float, ok: tuple[int, ...], body: bytes) -> None:
        with self.lock:
            self.samples[name].append(ms)
            if status not in ok:
                self.errors[f"{name} {status}"] += 1
                if sum(self.errors.values()) <= 3:
                    print(f"  ! {name} {status} {body[:300]!r}", flush=True)


def _headers(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **extra}


def _submit(port: int, actors: Actors, token: str, rec: Recorder) -> tuple[str, str] | None:
    body = json.dumps(
        {
            "implementation_code": actors.item_code,
            "applicant": {"kind": "person"},
            "form": actors.form,
            "materials": actors.materials,
        },
        ensure_ascii=False,
    ).encode()
    status, ms, content, headers = request(
        port,
        "POST",
        BASE,
        body=body,
        headers=_headers(token, **{"Idempotency-Key": str(uuid.uuid4())}),
    )
    rec.add("submit", status, ms, (201,), content)
    if status != 201:
        return None
    return json.loads(content)["case_no"], headers.get("etag", "")


def _command(
    port: int,
    name: str,
    case_no: str,
    etag: str,
    token: str,
    payload: dict[str, Any],
    rec: Recorder,
) -> str | None:
    status, ms, content, headers = request(
        port,
        "POST",
        f"{BASE}/{case_no}/{name}",
        body=json.dumps(payload, ensure_ascii=False).encode(),
        headers=_headers(token, **{"If-Match": etag}),
    )
    rec.add(name, status, ms, (200,), content)
    return headers.get("etag") if status == 200 else None


def _get(port: int, name: str, path: str, token: str, rec: Recorder) -> None:
    status, ms, content, _ = request(port, "GET", path, headers=_headers(token))
    rec.add(name, status, ms, (200,), content)


def run_submissions(port: int, actors: Actors, clients: int, total: int) -> dict[str, Any]:
    rec = Recorder()
    counter = iter(range(total))
    lock = threading.Lock()

    def worker(n: int) -> None:
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            _submit(port, actors, actors.citizens[n % len(actors.citizens)], rec)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        **percentiles(rec.samples["submit"]),
        "throughput_rps": round(len(rec.samples["submit"]) / elapsed, 1),
        "errors": sum(rec.errors.values()),
    }


def run_flow(port: int, actors: Actors, clients: int, rounds: int) -> list[dict[str, Any]]:
    """``rounds`` whole cases over ``clients`` threads; one row per command."""
    rec = Recorder()
    counter = iter(range(rounds))
    lock = threading.Lock()
    decide = {
        "outcome": "granted",
        "reason": "申请材料齐全，符合法定条件",
        "legal_basis": "《中华人民共和国行政许可法》第三十八条",
    }

    def worker(n: int) -> None:
        citizen = actors.citizens[n % len(actors.citizens)]
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            made = _submit(port, actors, citizen, rec)
            if made is not None:
                case_no, etag = made
                for name, token, payload in (
                    ("accept", actors.clerk, {}),
                    ("decide", actors.reviewer, decide),
                    ("deliver", actors.clerk, {"method": "electronic"}),
                    ("conclude", actors.clerk, {}),
                ):
                    etag = _command(port, name, case_no, etag, token, payload, rec) or ""
                    if not etag:
                        break
            _get(port, "my_cases", BASE, citizen, rec)
            _get(port, "queue", f"{BASE}/queue", actors.clerk, rec)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - started
    rows = []
    for name in FLOW_COMMANDS:
        rows.append(
            {
                "clients": clients,
                "command": name,
                **percentiles(rec.samples[name]),
                "throughput_rps": round(len(rec.samples[name]) / elapsed, 1),
                "errors": sum(n for k, n in rec.errors.items() if k.startswith(name + " ")),
            }
        )
    return rows


def run_wrk(port: int, actors: Actors, levels: list[int], seconds: int) -> list[dict[str, Any]]:
    """Submissions, then the reads, each driven by wrk at every level (bench.case_wrk)."""
    from bench.case_flow.wrk import get_script, submit_run, wrk_run

    # Each worker's first submissions fill its caches (guide, calendar, jieba):
    # a few seconds of load that are not measured.
    submit_run(port, actors, connections=max(levels), seconds=5)
    rows = []
    for c in levels:
        rows.append(
            {"endpoint": "submit", "clients": c, "load": _load(),
             **submit_run(port, actors, connections=c, seconds=seconds)}
        )  # fmt: skip
    # Cases the run made, for the case page (the clerk's view of a case in scope).
    status, _, content, _ = request(
        port, "GET", f"{BASE}?limit=20", headers=_headers(actors.citizens[0])
    )
    mine = [
        c["case_no"]
        for c in (json.loads(content)["items"] if status == 200 else [])
        if c["item"]["implementation_code"] == actors.item_code
    ]
    reads = {
        "my cases": (actors.citizens, [BASE]),
        "staff queue": ([actors.clerk], [f"{BASE}/queue"]),
        "case page": ([actors.clerk], [f"{BASE}/{n}" for n in mine] or [f"{BASE}/queue"]),
        "catalogue search": (
            actors.citizens,
            ["/api/v1/catalog/items?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7&limit=20"],
        ),
    }
    for c in levels:
        for name, (tokens, paths) in reads.items():
            rows.append(
                {"endpoint": name, "clients": c, "load": _load(),
                 **wrk_run(port, get_script(tokens, paths), connections=c, seconds=seconds)}
            )  # fmt: skip
    return rows


def _load() -> str:
    """The 1-minute load average at the start of a row (the cores are shared)."""
    return f"{os.getloadavg()[0]:.1f}"
