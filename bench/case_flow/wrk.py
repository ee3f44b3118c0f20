"""The case endpoints driven by wrk, Debian's C load generator (issue 12, item 4).

wrk keeps its connections open and spends a few per cent of a core where the
Python driver spent most of one, so the figures are the server's. Each run
writes a Lua script: for submissions the JSON body (the bench's item, form and
Base64 materials), a bearer token and a fresh ``Idempotency-Key`` per request;
for reads a GET with the caller's token. The ``done`` hook prints one JSON line
(requests, errors, latency percentiles).

Submissions run one wrk thread per connection (:func:`submit_run`), and each
thread keeps one citizen: every connection submits for a person of its own,
one request after another, as a province's applicants do. Before, 16
connections drew their tokens from 64 citizens in turn, so two connections
often submitted for the same person at once and the second waited on the
first's lock of that person's data-sharing access-log head (one per data
subject, held through the commit: docs/performance.md, 2026-12-04 evening).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from typing import Any

WRK = shutil.which("wrk") or "/usr/bin/wrk"

REPORT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "errors": %d, "non2xx": %d, "seconds": %.3f, "p50": %.2f, '
    .. '"p95": %.2f, "p99": %.2f, "max": %.2f, "mean": %.2f}\n',
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
end
"""

# Each wrk thread (one connection: submit_run) numbers its requests; with the
# thread's number and a random part the Idempotency-Key is never reused, so
# every request is a new case. The thread's citizen is its own: tokens[tid].
SUBMIT = r"""
local tokens = {%(tokens)s}
local body = [==[%(body)s]==]
local n = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  math.randomseed(os.time() + (tid or 0) * 7919)
end
request = function()
  n = n + 1
  local token = tokens[(((tid or 1) - 1) %% #tokens) + 1]
  return wrk.format("POST", "/api/v1/cases", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = string.format("wrk-%%d-%%d-%%d", tid or 0, n, math.random(1, 1000000000)),
  }, body)
end
"""

GET = r"""
local tokens = {%(tokens)s}
local paths = {%(paths)s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1], {
    ["Authorization"] = "Bearer " .. tokens[(n %% #tokens) + 1],
  })
end
"""


def _lua_list(values: list[str]) -> str:
    return ", ".join(json.dumps(v, ensure_ascii=False) for v in values)


def wrk_run(
    port: int, script: str, *, connections: int, seconds: int, threads: int = 2
) -> dict[str, Any]:
    """Run wrk with ``script`` (plus the report hook); its JSON line and req/s."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as lua:
        lua.write(script + REPORT)
    try:
        out = subprocess.run(
            [WRK, "-t", str(min(threads, connections)), "-c", str(connections),
             "-d", f"{seconds}s", "--timeout", "10s", "-s", lua.name,
             f"http://127.0.0.1:{port}/"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(lua.name)
    report = json.loads(out.strip().splitlines()[-1])
    report["rps"] = round(report["requests"] / report["seconds"], 1)
    return dict(report)


def submit_run(port: int, actors: Any, *, connections: int, seconds: int) -> dict[str, Any]:
    """Submissions at ``connections``: one wrk thread per connection (wrk's Lua
    ``request`` knows its thread, not its connection), each with a citizen of
    its own, so no person has two submissions in flight at once."""
    if len(actors.citizens) < connections:
        raise SystemExit(
            f"{connections} connections need as many bench citizens (--citizens), "
            f"not {len(actors.citizens)}: each connection submits for a person of its own"
        )
    return wrk_run(
        port, submit_script(actors), connections=connections, seconds=seconds, threads=connections
    )


def submit_script(actors: Any) -> str:
    body = json.dumps(
        {
            "implementation_code": actors.item_code,
            "applicant": {"kind": "person"},
            "form": actors.form,
            "materials": actors.materials,
        },
        ensure_ascii=False,
    )
    return SUBMIT % {"tokens": _lua_list(actors.citizens), "body": body}


def get_script(tokens: list[str], paths: list[str]) -> str:
    return GET % {"tokens": _lua_list(tokens), "paths": _lua_list(paths)}
