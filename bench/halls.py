"""Appointments and the queue under load (issue 16). Not a test.

On an empty migrated PostgreSQL database: loads the demo halls and their
themes (``demo_appointments_load``), opens the halls for the whole day of the
run, then

1. **the last place**: ``--bookers`` people (1,000 by default) try to book one
   slot of one place at once from ``--threads`` threads, each on its own
   connection, through ``appointment_book``: exactly one must succeed;
2. **kiosk and screen over HTTP**: gunicorn on the same database; wrk (Debian's
   C load generator) takes tickets at the kiosk endpoint of 5 halls while a
   second wrk reads the halls' boards (what the big screens poll), so the
   board's p95 is the delay of a display update; then the same take as a
   pgbench twin (the counter row UPDATE and the ticket INSERT) for the
   database's own rate.

Prints Markdown tables for docs/performance.md.

    createdb halls && DATABASE_URL=postgres://…/halls .venv/bin/tongban migrate
    .venv/bin/python bench/halls.py --database-url postgres://…/halls
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.case_flow.wrk import wrk_run  # noqa: E402
from bench.common import markdown, request, start_gunicorn  # noqa: E402

TAKE = r"""
local themes = {%(themes)s}
local n = 0
request = function()
  n = n + 1
  local theme = themes[(n %% #themes) + 1]
  return wrk.format("POST", "/api/v1/appointments/themes/" .. theme .. "/tickets",
    {["Content-Type"] = "application/json"}, "{}")
end
"""
BOARD = r"""
local halls = {%(halls)s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/appointments/halls/" .. halls[(n %% #halls) + 1] .. "/board")
end
"""


def setup(database_url: str) -> tuple[list[int], list[int], int]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from tongban.appointments.demo import demo_appointments_load
    from tongban.appointments.models import DayKind, SlotRule, Theme
    from tongban.appointments.services import opening_hours_set
    from tongban.org.demo import demo_org_load
    from tongban.org.models import Hall

    demo_org_load()
    demo_appointments_load()
    halls = list(Hall.objects.filter(themes__isnull=False).distinct().order_by("pk")[:5])
    for hall in halls:  # open all day, whatever the hour of the run
        for kind in (DayKind.WORKING, DayKind.REST):
            opening_hours_set(hall=hall, day_kind=kind, periods=[(dt.time(0), dt.time(23, 59))])
    themes = list(
        Theme.objects.filter(hall__in=halls, code__in=("business", "general")).values_list(
            "pk", flat=True
        )
    )
    last = Theme.objects.get(hall=halls[0], code="business")
    SlotRule.objects.filter(theme=last).update(capacity=1)
    return [h.pk for h in halls], themes, last.pk


def bookers(count: int) -> list[int]:
    from django.contrib.auth.hashers import make_password

    from tongban.identity.models import User

    unusable = make_password(None)
    existing = set(User.objects.filter(username__startswith="halls-").values_list("pk", flat=True))
    if len(existing) < count:
        User.objects.bulk_create(
            User(username=f"halls-{i}", kind="citizen", display_name="预约人", password=unusable)
            for i in range(len(existing), count)
        )
    return list(
        User.objects.filter(username__startswith="halls-")
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )


def last_place(theme_id: int, people: list[int], threads: int) -> dict[str, object]:
    """Everyone at once at the one place of the first slot of the next working day."""
    from django.db import connections

    from tongban.appointments import selectors
    from tongban.appointments.models import Appointment
    from tongban.appointments.services import appointment_book
    from tongban.core.errors import DomainError
    from tongban.identity.models import User

    theme = selectors.theme_get(theme_id)
    from tongban.core import clock

    day = clock.today() + dt.timedelta(days=1)
    slots = [s for s in selectors.slots_for(theme, first=day, days=10) if s.open]
    target = slots[0]
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    queue = list(people)
    barrier = threading.Barrier(threads)

    def work() -> None:
        barrier.wait()
        while True:
            with lock:
                if not queue:
                    break
                pk = queue.pop()
            try:
                appointment_book(
                    person=User(pk=pk), theme_id=theme_id, date=target.date, start=target.start
                )
                key = "booked"
            except DomainError as exc:
                key = exc.code
            with lock:
                outcomes[key] = outcomes.get(key, 0) + 1
        connections.close_all()

    started = time.perf_counter()
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds = time.perf_counter() - started
    stored = Appointment.objects.filter(
        date=target.date, slot__start=target.start, theme_id=theme_id
    ).count()
    return {
        "attempts": len(people),
        "threads": threads,
        "booked": outcomes.get("booked", 0),
        "slot_full": outcomes.get("slot_full", 0),
        "other": sum(v for k, v in outcomes.items() if k not in ("booked", "slot_full")),
        "stored": stored,
        "seconds": round(seconds, 1),
    }


def pgbench_twin(
    database_url: str, theme_id: int, hall_id: int, seconds: int, clients: int
) -> float:
    """The take's writes: the day's counter row UPDATE … RETURNING and the ticket INSERT."""
    script = f"""
BEGIN;
UPDATE appointments_ticketcounter SET last = last + 1
  WHERE theme_id = {theme_id} AND date = CURRENT_DATE;
INSERT INTO appointments_queueticket (hall_id, theme_id, date, sequence, number, status, priority,
  source, taken_at, calls, version)
  SELECT {hall_id}, {theme_id}, CURRENT_DATE, last + 100000000, 'T' || last, 'waiting', 0, 'kiosk',
  now(), 0, 1 FROM appointments_ticketcounter WHERE theme_id = {theme_id} AND date = CURRENT_DATE;
INSERT INTO core_auditevent_bench_twin (at) VALUES (now());
END;
"""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS core_auditevent_bench_twin (at timestamptz)")
        cur.execute(
            "INSERT INTO appointments_ticketcounter (theme_id, date, last) "
            "VALUES (%s, CURRENT_DATE, 0) ON CONFLICT DO NOTHING",
            [theme_id],
        )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            [
                "pgbench",
                "-n",
                "-c",
                str(clients),
                "-j",
                "2",
                "-T",
                str(seconds),
                "-f",
                f.name,
                database_url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("tps"))
    return float(line.split("=")[1].split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--bookers", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    halls, themes, last = setup(args.database_url)
    people = bookers(args.bookers)
    print(
        markdown(
            "The last place",
            [last_place(last, people, args.threads)],
            ["attempts", "threads", "booked", "slot_full", "other", "stored", "seconds"],
        )
    )
    server = start_gunicorn(
        args.database_url,
        args.port,
        args.workers,
        lambda port: request(port, "GET", f"/api/v1/appointments/halls/{halls[0]}/board")[0] == 200,
    )
    try:
        rows = []
        results: dict[str, dict[str, object]] = {}

        def run(name: str, script: str, connections: int) -> None:
            results[name] = wrk_run(
                args.port, script, connections=connections, seconds=args.seconds, threads=1
            )

        take = TAKE % {"themes": ", ".join(f'"{t}"' for t in themes)}
        board = BOARD % {"halls": ", ".join(f'"{h}"' for h in halls)}
        both = [
            threading.Thread(target=run, args=("take", take, 8)),
            threading.Thread(target=run, args=("board", board, 8)),
        ]
        load = os.getloadavg()[0]
        for t in both:
            t.start()
        for t in both:
            t.join()
        for name in ("take", "board"):
            r = results[name]
            rows.append(
                {
                    "what": name,
                    "req/s": r["rps"],
                    "p50 ms": r["p50"],
                    "p95 ms": r["p95"],
                    "p99 ms": r["p99"],
                    "errors": r["errors"],
                    "non-2xx": r["non2xx"],
                    "load": round(load, 1),
                }
            )
        twin = pgbench_twin(args.database_url, themes[0], halls[0], args.seconds, 8)
        rows.append(
            {"what": "pgbench twin of take", "req/s": round(twin, 1), "load": round(load, 1)}
        )
        print(
            markdown(
                "Kiosk takes and board reads at once (wrk, 8 connections each)",
                rows,
                ["what", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "non-2xx", "load"],
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
