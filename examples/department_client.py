"""A department business system that mirrors its queue from Tongban (R-PL-4).

The reference client of the integration API (docs/integration.md): nothing is
typed in twice. It keeps a local SQLite mirror of its department's cases:

- ``sync()`` reads ``GET /api/v1/integration/cases`` from the saved
  ``resume_cursor``, fetches each changed case (``GET /api/v1/cases/{no}``)
  and its uploaded materials, and stores them with their version;
- ``act()`` records a step through the platform's own commands
  (``POST /api/v1/cases/{no}/accept`` …) with ``If-Match`` set to the mirrored
  version, so a step taken meanwhile at a window is never overwritten;
- ``WebhookReceiver`` is a WSGI app for the platform's signed webhooks: it
  checks the HMAC-SHA256 over the timestamp and the body, refuses a stale
  timestamp and a delivery it has already seen, and fetches the case the
  event names (the feed is the catch-up after downtime).

Run: ``python examples/department_client.py --base-url URL --token tb_… \
--db mirror.sqlite3 [--webhook-port 8200 --webhook-secret whsec_…]``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote
from wsgiref.simple_server import make_server

import requests

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
SCHEMA = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS cases (
    case_no TEXT PRIMARY KEY, version INTEGER, status TEXT, item TEXT, detail TEXT
);
CREATE TABLE IF NOT EXISTS materials (
    case_no TEXT, code TEXT, name TEXT, content BLOB, PRIMARY KEY (case_no, code)
);
"""


class DepartmentClient:
    def __init__(self, *, base_url: str, token: str, db_path: str) -> None:
        self.base = base_url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.db = sqlite3.connect(db_path, check_same_thread=False)
        self.db.executescript(SCHEMA)
        self.lock = threading.Lock()

    # --- the mirror ---------------------------------------------------------------

    def _get(self, path: str, **params: Any) -> Any:
        answer = self.http.get(self.base + path, params=params, timeout=30)
        answer.raise_for_status()
        return answer

    def _cursor(self) -> str | None:
        row = self.db.execute("SELECT value FROM state WHERE key = 'cursor'").fetchone()
        return row[0] if row else None

    def local_version(self, case_no: str) -> int:
        row = self.db.execute("SELECT version FROM cases WHERE case_no = ?", (case_no,)).fetchone()
        return int(row[0]) if row else 0

    def _store(self, detail: dict[str, Any]) -> None:
        no = detail["case_no"]
        self.db.execute(
            "INSERT OR REPLACE INTO cases VALUES (?, ?, ?, ?, ?)",
            (
                no,
                detail["version"],
                detail["status"],
                detail["item"]["name"],
                json.dumps(detail, ensure_ascii=False),
            ),
        )
        for material in detail.get("materials", []):
            if not material.get("file_name"):
                continue  # a reference to government data, or to follow (容缺)
            have = self.db.execute(
                "SELECT 1 FROM materials WHERE case_no = ? AND code = ?", (no, material["code"])
            ).fetchone()
            if have:
                continue
            path = f"/integration/cases/{quote(no, safe='')}/materials/{quote(material['code'])}"
            content = self._get(path).content
            self.db.execute(
                "INSERT INTO materials VALUES (?, ?, ?, ?)",
                (no, material["code"], material["name"], content),
            )

    def sync(self) -> int:
        """Bring the mirror up to date; how many cases were (re)fetched."""
        fetched = 0
        with self.lock:
            cursor = self._cursor()
            while True:
                params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
                page = self._get("/integration/cases", **params).json()
                for item in page["items"]:
                    if item["version"] > self.local_version(item["case_no"]):
                        no = quote(item["case_no"], safe="")
                        self._store(self._get(f"/cases/{no}").json())
                        fetched += 1
                cursor = page["resume_cursor"]
                if cursor:
                    self.db.execute("INSERT OR REPLACE INTO state VALUES ('cursor', ?)", (cursor,))
                self.db.commit()
                if not page["next_cursor"]:
                    return fetched

    def refresh(self, case_no: str, version: int = 0) -> bool:
        """Fetch one case now (a webhook named it); whether the mirror changed."""
        with self.lock:
            if version and version <= self.local_version(case_no):
                return False
            self._store(self._get(f"/cases/{quote(case_no, safe='')}").json())
            self.db.commit()
            return True

    def act(self, case_no: str, command: str, body: dict[str, Any] | None = None) -> Any:
        """Record a step on the platform; the mirror takes the new version."""
        with self.lock:
            version = self.local_version(case_no)
            answer = self.http.post(
                f"{self.base}/cases/{quote(case_no, safe='')}/{command}",
                json=body or {},
                headers={"If-Match": f'"{version}"'},
                timeout=30,
            )
            if answer.status_code == 200:
                self._store(answer.json())
                self.db.commit()
            return answer

    def cases(self) -> list[tuple[str, int, str]]:
        with self.lock:
            return list(
                self.db.execute("SELECT case_no, version, status FROM cases ORDER BY case_no")
            )

    def materials(self) -> list[tuple[str, str]]:
        with self.lock:
            return list(self.db.execute("SELECT case_no, code FROM materials ORDER BY 1, 2"))


class WebhookReceiver:
    """Verifies the platform's webhooks and syncs the mirror on each one."""

    def __init__(self, client: DepartmentClient, secret: str, *, tolerance: int = 300) -> None:
        self.client = client
        self.secret = secret.encode("utf-8")
        self.tolerance = tolerance
        self.seen: set[str] = set()
        self.accepted: list[dict[str, Any]] = []
        self.refused: list[str] = []

    def verify(self, headers: dict[str, str], body: bytes, now: float | None = None) -> str:
        """``""`` when the delivery is genuine and new, else why not."""
        fields = dict(
            p.split("=", 1) for p in headers.get("Tongban-Signature", "").split(",") if "=" in p
        )
        try:
            timestamp = int(fields.get("t", ""))
        except ValueError:
            return "no timestamp"
        if abs((now or time.time()) - timestamp) > self.tolerance:
            return "stale timestamp"
        signed = f"{timestamp}.".encode("ascii") + body
        expected = hmac.new(self.secret, signed, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, fields.get("v1", "")):
            return "bad signature"
        delivery = headers.get("Tongban-Delivery", "")
        if not delivery or delivery in self.seen:
            return "replayed delivery"
        self.seen.add(delivery)
        return ""

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        headers = {
            "Tongban-Signature": environ.get("HTTP_TONGBAN_SIGNATURE", ""),
            "Tongban-Delivery": environ.get("HTTP_TONGBAN_DELIVERY", ""),
        }
        problem = self.verify(headers, body)
        if problem:
            self.refused.append(problem)
            start_response("401 Unauthorized", [("Content-Type", "text/plain")])
            return [problem.encode()]
        event = json.loads(body)
        self.accepted.append(event)
        # Answer at once and fetch beside it: the platform waits for the answer.
        # A case event names the case and its version: fetch that case now
        # (the feed shows a change only once it has settled).
        data = event.get("data", {})
        if data.get("case_no"):  # this mirror keeps cases; 12345 orders are not kept
            threading.Thread(
                target=self.client.refresh,
                args=(data["case_no"], int(data.get("version") or 0)),
                daemon=True,
            ).start()
        start_response("204 No Content", [])
        return [b""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--db", default="department-mirror.sqlite3")
    parser.add_argument("--webhook-port", type=int, default=0)
    parser.add_argument("--webhook-secret", default="")
    parser.add_argument("--poll-seconds", type=int, default=60)
    args = parser.parse_args()
    client = DepartmentClient(base_url=args.base_url, token=args.token, db_path=args.db)
    if args.webhook_port and args.webhook_secret:
        receiver = WebhookReceiver(client, args.webhook_secret)
        server = make_server("127.0.0.1", args.webhook_port, receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    while True:
        client.sync()
        time.sleep(args.poll_seconds)


if __name__ == "__main__":
    main()
