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
   database's own rate;
3. **takes and calls at 50 windows over HTTP**: ``--windows`` windows (10 per
   hall) each with its own clerk and bearer token; one Python thread per
   window calls the next ticket (``POST …/windows/{id}/call-next``) and
   finishes it (``POST …/tickets/{id}/finish`` with ``If-Match``) in a loop,
   while wrk takes tickets at the kiosks and reads the boards. The queue is
   seeded with waiting tickets first, so a window never waits for a take.

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


def setup_windows(halls: list[int], count: int) -> list[tuple[int, str]]:
    """``count`` windows spread over the halls (W01…), each serving one of the hall's
    two bench themes, each with its own window clerk and bearer token."""
    from django.contrib.auth.hashers import make_password

    from tongban.appointments.models import Theme
    from tongban.identity.models import User
    from tongban.identity.services import token_create
    from tongban.org.models import Hall, Role, StaffAssignment, Window, WindowKind
    from tongban.org.services import staff_assign, window_create

    unusable = make_password(None)
    out: list[tuple[int, str]] = []
    per_hall = max(1, -(-count // len(halls)))
    for hall in Hall.objects.filter(pk__in=halls).select_related("region", "department"):
        themes = list(Theme.objects.filter(hall=hall, code__in=("business", "general")))
        for i in range(per_hall):
            if len(out) >= count:
                break
            number = f"W{i + 1:02d}"
            window = Window.objects.filter(hall=hall, number=number).first() or window_create(
                hall=hall, number=number, name="叫号测试窗口", kind=WindowKind.GENERAL
            )
            themes[i % len(themes)].windows.add(window)
            username = f"halls-clerk-{hall.pk}-{number}"
            clerk = User.objects.filter(username=username).first() or User.objects.create(
                username=username, kind="staff", display_name="窗口人员", password=unusable
            )
            if not StaffAssignment.objects.filter(user=clerk, active=True).exists():
                staff_assign(
                    user_id=clerk.pk,
                    role=Role.WINDOW_CLERK,
                    department=hall.department,
                    region_scope=hall.region,
                    window=window,
                )
            out.append((window.pk, token_create(user=clerk, name="bench")[1]))
    return out


def seed_waiting(themes: list[int], per_theme: int) -> None:
    """Waiting tickets today in every bench theme, written in bulk (not timed)."""
    from django.db import transaction

    from tongban.appointments.models import QueueTicket, Theme, TicketCounter
    from tongban.core import clock

    today = clock.today()
    now = clock.now()
    with transaction.atomic():
        for theme in Theme.objects.filter(pk__in=themes):
            counter, _ = TicketCounter.objects.select_for_update().get_or_create(
                theme=theme, date=today
            )
            first = counter.last + 1
            QueueTicket.objects.bulk_create(
                QueueTicket(
                    hall_id=theme.hall_id,
                    theme=theme,
                    date=today,
                    sequence=n,
                    number=f"{theme.prefix}{n:03d}",
                    source="kiosk",
                    taken_at=now,
                )
                for n in range(first, first + per_theme)
            )
            counter.last = first + per_theme - 1
            counter.save(update_fields=["last"])


def _window_loop(
    port: int, window: int, token: str, until: float, out: dict[str, list[float]], errors: list[str]
) -> None:
    """One window: call the next ticket, finish it, again, on one keep-alive connection."""
    import http.client
    import json

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, float, bytes]:
        started = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        return response.status, (time.perf_counter() - started) * 1000, content

    while time.perf_counter() < until:
        status, ms, content = post(f"/api/v1/appointments/windows/{window}/call-next", b"", auth)
        if status != 200:
            errors.append(f"call {status} {content[:80]!r}")
            time.sleep(0.2)
            continue
        out["call"].append(ms)
        ticket = json.loads(content)
        status, ms, content = post(
            f"/api/v1/appointments/tickets/{ticket['id']}/finish",
            b'{"case_no": ""}',
            {**auth, "If-Match": f'"{ticket["version"]}"'},
        )
        if status != 200:
            errors.append(f"finish {status} {content[:80]!r}")
            continue
        out["finish"].append(ms)
    conn.close()


def _screen_loop(port: int, hall: int, poll: float, until: float, out: list[float]) -> None:
    """One hall screen: GET the board every ``poll`` seconds, as the page's htmx does."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.perf_counter() < until:
        started = time.perf_counter()
        conn.request("GET", f"/api/v1/appointments/halls/{hall}/board")
        conn.getresponse().read()
        out.append((time.perf_counter() - started) * 1000)
        time.sleep(max(0.0, poll - (time.perf_counter() - started)))
    conn.close()


def windows_phase(
    port: int,
    windows: list[tuple[int, str]],
    take: str,
    board: str,
    seconds: int,
    screens: list[int] | None = None,
    poll: float = 2.0,
) -> list[dict[str, object]]:
    """Takes by wrk, calls and finishes by the windows' threads, and the boards
    read either by wrk as fast as it can (``screens`` None) or by one thread per
    screen polling every ``poll`` seconds, as the hall screens do."""
    from bench.common import percentiles

    results: dict[str, dict[str, object]] = {}
    samples: dict[str, list[float]] = {"call": [], "finish": []}
    screen_ms: list[float] = []
    errors: list[str] = []

    def run(name: str, script: str, connections: int) -> None:
        results[name] = wrk_run(port, script, connections=connections, seconds=seconds, threads=1)

    load = os.getloadavg()[0]
    until = time.perf_counter() + seconds
    readers = (
        [threading.Thread(target=run, args=("board", board, 4))]
        if screens is None
        else [
            threading.Thread(target=_screen_loop, args=(port, h, poll, until, screen_ms))
            for h in screens
        ]
    )
    threads = [
        threading.Thread(target=run, args=("take", take, 8)),
        *readers,
        *(
            threading.Thread(target=_window_loop, args=(port, w, t, until, samples, errors))
            for w, t in windows
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows: list[dict[str, object]] = []
    if screens is not None:
        p = percentiles(screen_ms) if screen_ms else {}
        rows.append(
            {
                "what": f"board ({len(screens)} screens polling every {poll:g} s)",
                "req/s": round(len(screen_ms) / seconds, 1),
                "p50 ms": p.get("p50", ""),
                "p95 ms": p.get("p95", ""),
                "p99 ms": p.get("p99", ""),
                "load": round(load, 1),
            }
        )
    for name in ("take", "board") if screens is None else ("take",):
        r = results[name]
        rows.append(
            {
                "what": f"{name} (wrk)",
                "req/s": r["rps"],
                "p50 ms": r["p50"],
                "p95 ms": r["p95"],
                "p99 ms": r["p99"],
                "errors": r["errors"],
                "non-2xx": r["non2xx"],
                "load": round(load, 1),
            }
        )
    for name in ("call", "finish"):
        p = percentiles(samples[name]) if samples[name] else {}
        rows.append(
            {
                "what": f"{name} ({len(windows)} windows)",
                "req/s": round(len(samples[name]) / seconds, 1),
                "p50 ms": p.get("p50", ""),
                "p95 ms": p.get("p95", ""),
                "p99 ms": p.get("p99", ""),
                "errors": len([e for e in errors if e.startswith(name)]),
                "load": round(load, 1),
            }
        )
    rows.append(
        {
            "what": "takes + calls per second",
            "req/s": round(float(results["take"]["rps"]) + len(samples["call"]) / seconds, 1),
            "load": round(os.getloadavg()[0], 1),
        }
    )
    if errors:
        print("first errors:", errors[:5], file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--bookers", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--windows", type=int, default=50, help="windows calling (10 per hall)")
    parser.add_argument(
        "--screens",
        type=int,
        default=0,
        help="phase 3: N hall screens polling the board every --poll s (0: wrk reads at full rate)",
    )
    parser.add_argument("--poll", type=float, default=2.0)
    args = parser.parse_args()
    halls, themes, last = setup(args.database_url)
    windows = setup_windows(halls, args.windows)
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
        seed_waiting(themes, per_theme=args.seconds * 60)
        print(
            markdown(
                f"Takes, calls and board reads at {len(windows)} windows at once",
                windows_phase(
                    args.port,
                    windows,
                    take,
                    board,
                    args.seconds,
                    screens=[halls[i % len(halls)] for i in range(args.screens)]
                    if args.screens
                    else None,
                    poll=args.poll,
                ),
                ["what", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "non-2xx", "load"],
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
