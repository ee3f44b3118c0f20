"""Indicators board bench (issue 15): seed N cases, M ratings and K 12345 orders
by SQL (``INSERT … SELECT`` over ``generate_series``, cloning one template row
of each table, spread over the demo's items, departments, windows and months
of 2026), then time the full rollup rebuild (events per second), the
scheduler's three-month refresh, and the board for a city-month and a
province-year: the selector alone and the whole page (render included).

    DATABASE_URL=postgres://…/bench DJANGO_SETTINGS_MODULE=config.settings.local \\
        python -m bench.board --cases 1000000 --orders 2000000

Needs PostgreSQL with the demo loaded (``tongban migrate``, ``tongban demo
load``). Targets (issue 15): board p95 ≤ 500 ms; rollups ≥ 2,000 events/s.
Reports; it is not a test. Record the figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.common import percentiles  # noqa: E402
from tongban.analytics import selectors, services  # noqa: E402
from tongban.analytics.models import Rollup  # noqa: E402
from tongban.cases.models import Case  # noqa: E402
from tongban.catalog.models import ServiceItem, ServiceItemStatus  # noqa: E402
from tongban.core.clock import SHANGHAI  # noqa: E402
from tongban.evaluation.models import Rating  # noqa: E402
from tongban.hotline.models import WorkOrder  # noqa: E402
from tongban.identity.models import User  # noqa: E402
from tongban.identity.services import staff_account_create  # noqa: E402
from tongban.org.models import Department, Region, Role, Window  # noqa: E402
from tongban.org.services import staff_assign  # noqa: E402

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=SHANGHAI)
START = dt.date(2026, 1, 1)
DAYS = 330  # received from 1 Jan to 26 Nov 2026


def _columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column != "id"]


def _clone(model: Any, template_id: int, n: int, overrides: dict[str, str], *, prefix: str) -> None:
    """INSERT n copies of one row, each column from ``overrides`` (SQL over g,
    the series number, and the CTE ``pool`` p) or else the template's."""
    table = model._meta.db_table
    cols = _columns(model)
    # psycopg placeholders: a modulo in the expressions is written %%.
    select = ", ".join(overrides.get(c, f"t.{c}") for c in cols).replace("%", "%%")
    sql = (
        f"{prefix} INSERT INTO {table} ({', '.join(cols)}) "
        f"SELECT {select} FROM {table} t CROSS JOIN generate_series(1, %s) g "
        f"JOIN pool p ON p.idx = g %% (SELECT count(*) FROM pool) WHERE t.id = %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [n, template_id])


def _pool_cte(rows: list[tuple[Any, ...]], names: str) -> str:
    values = ", ".join(
        "(" + ", ".join([str(i)] + [f"'{v}'" if isinstance(v, str) else str(v) for v in row]) + ")"
        for i, row in enumerate(rows)
    )
    return f"WITH pool (idx, {names}) AS (VALUES {values})"


def seed(cases: int, ratings_share: float, orders: int) -> dict[str, int]:
    items = list(
        ServiceItem.objects.filter(status=ServiceItemStatus.ACTIVE, current_version__isnull=False)
        .order_by("pk")
        .values_list("pk", "current_version_id", "department_id", "region_path")[:400]
    )
    windows = list(Window.objects.values_list("pk", flat=True)[:20]) or [0]
    item = ServiceItem.objects.get(pk=items[0][0])
    Case.objects.filter(case_no="BENCH-TEMPLATE").delete()
    WorkOrder.objects.filter(order_no="BENCH-ORDER").delete()
    template = Case.objects.create(
        case_no="BENCH-TEMPLATE",
        service_item=item,
        guide_version_id=items[0][1],
        rules={"promised_limit": {"value": 10, "unit": "working_days"}},
        department_id=item.department_id,
        region_path=item.region_path,
        applicant_name="基准测试",
        channel="online",
        status="concluded",
        received_at=NOW,
        received_on=NOW.date(),
        created_at=NOW,
        updated_at=NOW,
    )
    pool = [(i, v, d, p, windows[n % len(windows)]) for n, (i, v, d, p) in enumerate(items)]
    day = f"(date '{START}' + (g % {DAYS}))"
    concluded = "(g % 10 <> 0)"
    # Resumable: the cases of an interrupted run are kept.
    cases -= Case.objects.filter(case_no__startswith="B0").count()
    _clone(
        Case,
        template.pk,
        max(cases, 0),
        {
            "case_no": "'B' || lpad(g::text, 10, '0')",
            "service_item_id": "p.item_id",
            "guide_version_id": "p.version_id",
            "department_id": "p.dept_id",
            "region_path": "p.path",
            "channel": "CASE WHEN g % 3 = 0 THEN 'window' ELSE 'online' END",
            "window_id": "CASE WHEN g % 3 = 0 THEN p.window_id ELSE NULL END",
            "status": f"CASE WHEN {concluded} THEN 'concluded' ELSE 'under_review' END",
            "received_on": day,
            "received_at": f"({day} + time '10:00') AT TIME ZONE 'Asia/Shanghai'",
            "accepted_on": day,
            "decision_deadline": f"({day} + 14)",
            "decided_on": f"CASE WHEN {concluded} THEN {day} + (g % 17) END",
            "concluded_at": (
                f"CASE WHEN {concluded} THEN ({day} + (g % 17) + time '16:00') "
                "AT TIME ZONE 'Asia/Shanghai' END"
            ),
            "delivery_method": "CASE WHEN g % 4 = 0 THEN 'window' ELSE 'electronic' END",
        },
        prefix=_pool_cte(pool, "item_id, version_id, dept_id, path, window_id"),
    )
    rater = User.objects.filter(kind="citizen").order_by("pk").first()
    assert rater is not None, "load the demo first"
    with connection.cursor() as cur:
        # 好差评 on a share of the concluded cases, one per case (一事一评).
        cur.execute(
            """
            INSERT INTO evaluation_rating (subject_kind, subject_no, case_id, work_order_id,
                channel, level, score, is_bad, reasons, text, rater_id, service_item_id,
                department_id, window_id, region_path, rated_at, excluded, changed_at,
                previous_level)
            SELECT 'case', c.case_no, c.id, NULL, 'online',
                (ARRAY['very_satisfied','satisfied','basically_satisfied','dissatisfied',
                       'very_dissatisfied'])[1 + c.id %% 5],
                5 - c.id %% 5, c.id %% 5 >= 3, '[]'::jsonb, '', %s, c.service_item_id,
                c.department_id, c.window_id, c.region_path, c.concluded_at + interval '1 day',
                false, NULL, ''
            FROM cases_case c
            WHERE c.status = 'concluded' AND c.case_no LIKE 'B0%%' AND (c.id %% 100) < %s
                AND NOT EXISTS (SELECT 1 FROM evaluation_rating r WHERE r.case_id = c.id)
            """,
            [rater.pk, int(ratings_share * 100)],
        )
    region = Region.objects.get(code="320102")
    dept = Department.objects.filter(region__code="320100").order_by("pk").first()
    assert dept is not None
    order = WorkOrder.objects.create(
        order_no="BENCH-ORDER",
        channel="phone",
        kind="request",
        status="revisited",
        title="基准",
        content="基准测试工单",
        region=region,
        region_path=region.path,
        department=dept,
        registered_at=NOW,
        created_at=NOW,
        updated_at=NOW,
    )
    regions = list(
        Region.objects.filter(path__startswith="/320000/", level="county").values_list(
            "pk", "path"
        )[:12]
    )
    depts = list(
        Department.objects.filter(region__path__startswith="/320000/").values_list("pk", flat=True)[
            :12
        ]
    )
    opool = [(r, p, depts[n % len(depts)]) for n, (r, p) in enumerate(regions)]
    reg = (
        f"((date '{START}' + (g % {DAYS})) + time '09:00') AT TIME ZONE 'Asia/Shanghai'"
        " + (g % 600) * interval '1 minute'"
    )
    _clone(
        WorkOrder,
        order.pk,
        orders,
        {
            "order_no": "'H' || lpad(g::text, 10, '0')",
            "region_id": "p.region_id",
            "region_path": "p.path",
            "department_id": "p.dept_id",
            "registered_at": reg,
            "created_at": reg,
            "updated_at": reg,
            "first_dispatched_at": f"{reg} + (g % 3) * interval '1 day'",
            "replied_at": f"{reg} + (2 + g % 9) * interval '1 day'",
            "satisfaction": "1 + g % 5",
        },
        prefix=_pool_cte(opool, "region_id, path, dept_id"),
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "cases": Case.objects.count(),
        "ratings": Rating.objects.count(),
        "orders": WorkOrder.objects.count(),
    }


def _supervisor() -> User:
    user = User.objects.filter(username="bench_board").first()
    if user is None:
        user = staff_account_create(
            username="bench_board", display_name="基准监察", password="Bench-2026-board"
        )
        province = Region.objects.get(code="320000")
        dept = Department.objects.filter(region=province).order_by("pk").first()
        assert dept is not None
        staff_assign(user_id=user.pk, role=Role.SUPERVISOR, department=dept, region_scope=province)
    return user


def _time(fn: Any, n: int) -> dict[str, float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def rebuild_and_refresh() -> None:
    events = Case.objects.count() * 2 + Rating.objects.count() + WorkOrder.objects.count()
    started = time.perf_counter()
    result = services.board_rollups_rebuild(periods=None, now=NOW)
    rebuild = time.perf_counter() - started
    print(
        f"full rebuild: {result.months} months, {result.rows} rows, {rebuild:.1f} s, "
        f"{events / rebuild:,.0f} events/s (each case counted received and concluded)"
    )
    started = time.perf_counter()
    services.board_rollups_refresh(now=NOW)
    print(f"refresh (3 months): {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=2_000_000)
    parser.add_argument("--ratings-share", type=float, default=0.5)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--no-rebuild", action="store_true")
    args = parser.parse_args()
    if not args.no_seed:
        started = time.perf_counter()
        counts = seed(args.cases, args.ratings_share, args.orders)
        print(f"seeded {counts} in {time.perf_counter() - started:.0f} s")
    if not args.no_rebuild:
        rebuild_and_refresh()
    print(f"rollup rows: {Rollup.objects.count()}")
    user = _supervisor()
    today = NOW.date()
    for label, region, period in (
        ("city-month", "320100", "2026-06"),
        ("province-year", "320000", "2026"),
    ):
        stats = _time(
            lambda r=region, p=period: selectors.board_for_staff(
                user=user, region_code=r, period=p, today=today
            ),
            args.runs,
        )
        print(f"selector {label}: {stats}")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for label, url in (
        ("city-month", "/workbench/board/?region=320100&period=2026-06"),
        ("province-year", "/workbench/board/?region=320000&period=2026"),
        ("public province-year", "/figures/?region=320000&period=2026"),
    ):
        assert client.get(url).status_code == 200, url
        stats = _time(lambda u=url: client.get(u), args.runs)
        print(f"page {label}: {stats}")


if __name__ == "__main__":
    main()
