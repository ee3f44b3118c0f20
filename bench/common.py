"""What the benches share: percentiles, Markdown tables, COPY, gunicorn and HTTP."""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    if not ordered:
        return {"n": 0}

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {
        "n": len(ordered),
        "p50": round(at(50), 1),
        "p95": round(at(95), 1),
        "p99": round(at(99), 1),
        "mean": round(statistics.fmean(ordered), 1),
        "max": round(ordered[-1], 1),
    }


def markdown(title: str, rows: Iterable[dict[str, Any]], keys: Sequence[str]) -> str:
    rows = list(rows)
    lines = [f"**{title}**", "", "| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(k, "")) for k in keys) + " |")
    return "\n".join(lines) + "\n"


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY plain rows into ``table`` (dicts and lists in a row become JSON)."""
    from django.db import connection

    names = ", ".join(f'"{c}"' for c in columns)
    with (
        connection.cursor() as cur,
        cur.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                    for v in row
                ]
            )


def copy_models(model: Any, objs: Sequence[Any]) -> None:
    """COPY model instances (primary keys set) into their table."""
    fields = model._meta.concrete_fields
    copy_rows(
        model._meta.db_table,
        [f.column for f in fields],
        ([getattr(obj, f.attname) for f in fields] for obj in objs),
    )


def next_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # bench-owned names
        return int(cur.fetchone()[0])


def reset_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # bench-owned names
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, float, bytes, dict[str, str]]:
    """One request on a fresh connection: (status, milliseconds, body, headers)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        content = response.read()
        status = response.status
        got = {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
    return status, (time.perf_counter() - started) * 1000, content, got


def start_gunicorn(
    database_url: str, port: int, workers: int, ready: Callable[[int], bool]
) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:``port`` with the local settings, once ``ready(port)``."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "0",
    }
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if ready(port):
                return process
        except OSError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError("gunicorn did not come up")
