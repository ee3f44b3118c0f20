"""The database parts of ``bench/credit.py --database`` (issue 17). Not a test.

Rows are written with COPY on PostgreSQL (``bench.common.copy_rows``) and with
``bulk_create`` elsewhere; every bench row's code carries its own prefix, and a
rerun deletes the previous run's rows first.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.common import copy_rows, percentiles
from tongban.core import clock
from tongban.core.models import DrawRecord
from tongban.credit import selectors
from tongban.credit.models import (
    ClassChange,
    CreditList,
    CreditRating,
    CreditRecord,
    ListEntry,
    ListKind,
    ListMeasure,
    Measure,
)
from tongban.credit.services.recompute import class_recompute_all
from tongban.org.models import Department

NOW = clock.now()
TODAY = clock.local_date(NOW)


def _rows(model: Any, columns: Sequence[str], rows: list[Sequence[Any]]) -> None:
    """COPY on PostgreSQL, bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        fields = {f.attname: f.column for f in model._meta.concrete_fields}
        copy_rows(model._meta.db_table, [fields[c] for c in columns], rows)
        return
    model.objects.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=5000
    )


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _market() -> Department:
    found = Department.objects.filter(name="南京市市场监督管理局").first()
    if found is None:
        from tongban.org.demo import demo_org_load

        demo_org_load()
        found = Department.objects.get(name="南京市市场监督管理局")
    return found


def _bench_list() -> CreditList:
    market = _market()
    black, _ = CreditList.objects.get_or_create(
        code="bench-black",
        defaults={
            "name": "基准测试失信名单",
            "kind": ListKind.BLACK,
            "department": market,
            "legal_basis": "基准测试",
            "way_out": "基准测试",
        },
    )
    for measure in (Measure.COMMITMENT_INTAKE, Measure.TOLERANCE_INTAKE):
        ListMeasure.objects.get_or_create(
            credit_list=black, measure=measure, defaults={"description": "不适用"}
        )
    return black


def _entries(black: CreditList, codes: Sequence[str]) -> None:
    ListEntry.objects.filter(credit_list=black).delete()
    columns = (
        "credit_list_id", "subject_kind", "subject_code", "subject_name", "reason",
        "legal_basis", "listed_on", "valid_until", "status", "removed_reason", "created_by",
        "created_at",
    )  # fmt: skip
    rows = [
        (black.pk, "entity", code, "基准主体", "基准", "基准", TODAY - dt.timedelta(days=30),
         TODAY + dt.timedelta(days=300), "active", "", "bench", NOW)
        for code in codes
    ]  # fmt: skip
    _rows(ListEntry, columns, rows)


def _timed(calls: Sequence[str], work: Any) -> dict[str, float]:
    samples = []
    for code in calls:
        start = time.perf_counter()
        work(code)
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def bench_intake(entries: int, calls: int) -> dict[str, Any]:
    black = _bench_list()
    listed = [f"91320100L{i:09d}" for i in range(entries)]
    _entries(black, listed)
    _analyze()
    unlisted = [f"91320100U{i:09d}" for i in range(calls)]
    some_listed = random.Random(3).sample(listed, min(calls, len(listed)))
    measure = Measure.COMMITMENT_INTAKE
    selectors.lists_with_measure(ListKind.BLACK, measure)  # warm the per-process cache
    for code in unlisted[:50]:  # warm the connection and the statement cache
        selectors.restrictions(code, measure=measure, today=TODAY)
    with CaptureQueriesContext(connection) as one:
        selectors.restrictions(unlisted[0], measure=measure, today=TODAY)
    out: dict[str, Any] = {
        "entries": entries,
        "queries_unlisted": len(one.captured_queries),
        "unlisted": _timed(
            unlisted, lambda c: selectors.restrictions(c, measure=measure, today=TODAY)
        ),
        "listed": _timed(
            some_listed, lambda c: selectors.restrictions(c, measure=measure, today=TODAY)
        ),
        # What every call ran before: the detailed query with its two subqueries.
        "earlier_query_unlisted": _timed(
            unlisted,
            lambda c: list(selectors._entries(c, ListKind.BLACK, measure, TODAY)),
        ),
    }
    if connection.vendor == "postgresql":
        ids = selectors.lists_with_measure(ListKind.BLACK, measure)
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT 1 FROM credit_listentry WHERE subject_code = %s"
                " AND status = %s AND listed_on <= %s AND valid_until >= %s"
                f" AND credit_list_id IN ({marks}) LIMIT 1",
                [unlisted[1], "active", TODAY, TODAY, *ids],
            )
            out["plan"] = " / ".join(row[0].strip() for row in cursor.fetchall())
    return out


def bench_recompute(subjects: int) -> dict[str, Any]:
    black = _bench_list()
    have = CreditRating.objects.filter(subject_code__startswith="91320100R").count()
    if have == subjects:  # a previous run's rows: put the ratings back as they were loaded
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM credit_classchange WHERE subject_code LIKE %s", ["91320100R%"]
            )
            cursor.execute(
                "UPDATE credit_creditrating SET credit_class = 'A', score = 100 "
                "WHERE subject_code LIKE %s",
                ["91320100R%"],
            )
        return _recompute_timed(subjects, CreditRecord.objects.count(), 0.0)
    with connection.cursor() as cursor:
        for table in ("credit_classchange", "credit_creditrecord", "credit_creditrating"):
            cursor.execute(f"DELETE FROM {table} WHERE subject_code LIKE %s", ["91320100R%"])
    rng = random.Random(11)
    codes = [f"91320100R{i:09d}" for i in range(subjects)]
    severities = ["positive", "minor", "general", "serious"]
    ratings = []
    records = []
    ref = 0
    for code in codes:
        ratings.append(("entity", code, "基准主体", "A", 100, "2026.1", NOW))
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3))):
            ref += 1
            at = NOW - dt.timedelta(days=rng.randrange(1500), hours=rng.randrange(24))
            records.append(
                ("entity", code, "基准主体", "penalty", f"bench-{ref}", "基准记录",
                 rng.choice(severities), at, NOW, "bench")
            )  # fmt: skip
    start = time.perf_counter()
    _rows(
        CreditRating,
        ("subject_kind", "subject_code", "subject_name", "credit_class", "score",
         "rule_version", "computed_at"),
        ratings,
    )  # fmt: skip
    _rows(
        CreditRecord,
        ("subject_kind", "subject_code", "subject_name", "source", "ref", "summary",
         "severity", "occurred_at", "recorded_at", "recorded_by"),
        records,
    )  # fmt: skip
    _entries(black, codes[::500])
    _analyze()
    return _recompute_timed(subjects, len(records), time.perf_counter() - start)


def _recompute_timed(subjects: int, records: int, loaded: float) -> dict[str, Any]:
    start = time.perf_counter()
    first = class_recompute_all()
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    second = class_recompute_all()
    second_s = time.perf_counter() - start
    return {
        "subjects": subjects,
        "records": records,
        "load_s": round(loaded, 1),
        "first_run_s": round(first_s, 1),
        "first_changed": first.changed,
        "by_class": first.by_class,
        "class_changes": ClassChange.objects.filter(subject_code__startswith="91320100R").count(),
        "second_run_s": round(second_s, 1),
        "second_changed": second.changed,
    }


def bench_plan_draw(entities: int, inspectors: int = 2_000) -> dict[str, Any]:
    from tongban.sharing.models import BusinessRecord
    from tongban.supervision.inspection_models import InspectionPlan, Inspector
    from tongban.supervision.inspection_runs import plan_draw
    from tongban.supervision.inspections import (
        inspection_item_add,
        plan_create,
        plan_open,
        scope_candidates,
    )

    market = _market()
    health = Department.objects.get(name="南京市卫生健康委员会")
    InspectionPlan.objects.filter(title__startswith="基准").delete()
    reused = (
        BusinessRecord.objects.filter(credit_code__startswith="91320100P").count() == entities
        and Inspector.objects.filter(certificate_no__startswith="BENCH").count() == inspectors
    )
    if not reused:  # a previous run's rows of the same size are used as they are
        _plan_rows(entities, inspectors, market, health)
    food = inspection_item_add(
        department=market, code="bench-food", name="基准食品检查", legal_basis="基准",
        qualification="食品安全",
    )  # fmt: skip
    hygiene = inspection_item_add(
        department=health, code="bench-hygiene", name="基准卫生检查", legal_basis="基准",
        qualification="卫生监督",
    )  # fmt: skip
    plan = plan_create(
        title="基准联合抽查", lead_department=market, departments=[health], items=[food, hygiene],
        scope_region="320100", scope_industry="食品", starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=30), rates={"A": 7, "B": 12, "C": 25, "D": 50},
        actor=None,
    )  # fmt: skip
    plan = plan_open(plan=plan, actor=None)
    start = time.perf_counter()
    strata = scope_candidates(plan)
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    plan = plan_draw(plan=plan, actor=None)
    draw_s = time.perf_counter() - start
    record = DrawRecord.objects.get(pk=plan.entity_draw_id)
    return {
        "entities": entities,
        "reused_rows": reused,
        "strata": {k: len(v) for k, v in sorted(strata.items())},
        "drawn": plan.tasks.count(),
        "candidate_read_s": round(read_s, 2),
        "plan_draw_s": round(draw_s, 2),
        "snapshot_bytes": record.candidates_size,
        "snapshot_count": record.candidates_count,
    }


def _plan_rows(entities: int, inspectors: int, market: Department, health: Department) -> None:
    """The 法人库 rows in scope, their ratings (80 % unrated: class A) and the pool."""
    from tongban.sharing.models import BusinessRecord
    from tongban.supervision.inspection_models import Inspector

    Inspector.objects.filter(certificate_no__startswith="BENCH").delete()
    BusinessRecord.objects.filter(credit_code__startswith="91320100P").delete()
    CreditRating.objects.filter(subject_code__startswith="91320100P").delete()
    rng = random.Random(17)
    codes = [f"91320100P{i:09d}" for i in range(entities)]
    _rows(
        BusinessRecord,
        ("credit_code", "name", "kind", "status", "legal_representative_name",
         "established_on", "registered_capital", "business_scope", "address", "region_code",
         "registration_authority"),
        [(c, f"基准食品店{i}", "有限责任公司", "in_business", "某某", dt.date(2020, 1, 1),
          Decimal("10"), "食品销售；日用百货", "南京市", "320105", "南京市市场监督管理局")
         for i, c in enumerate(codes)],
    )  # fmt: skip
    classes = [("B", 0.12), ("C", 0.06), ("D", 0.02)]
    rated = []
    for code in codes:
        roll = rng.random()
        for cls, share in classes:
            if roll < share:
                rated.append(("entity", code, "基准", cls, 60, "2026.1", NOW))
                break
            roll -= share
    _rows(
        CreditRating,
        ("subject_kind", "subject_code", "subject_name", "credit_class", "score",
         "rule_version", "computed_at"),
        rated,
    )  # fmt: skip
    _rows(
        Inspector,
        ("name", "department_id", "certificate_no", "qualifications", "active"),
        [(f"检查员{i}", (market if i % 2 else health).pk, f"BENCH{i:05d}",
          ["食品安全"] if i % 2 else ["卫生监督"], True) for i in range(inspectors)],
    )  # fmt: skip
    _analyze()
