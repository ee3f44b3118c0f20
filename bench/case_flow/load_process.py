"""Phase 2: the services in this process, the pgbench twin and the EXPLAIN of the reads."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any

from bench.case_flow.actors import FLOW_COMMANDS, PDF, Actors
from bench.common import (
    ROOT,
    percentiles,
)

# --- in process --------------------------------------------------------------------------------


def run_direct(runs: int, actors: Actors) -> tuple[list[dict[str, Any]], list[str], int]:
    """Each command's service ``runs`` times; the statements of one submission."""
    from django.db import connection

    from tongban.cases import services
    from tongban.cases.services.intake import MaterialInput
    from tongban.catalog.models import ServiceItem
    from tongban.identity.models import User

    item = ServiceItem.objects.get(implementation_code=actors.item_code)
    citizen = User.objects.get(username="bench_citizen0")
    clerk = User.objects.get(username="nj_clerk")
    reviewer = User.objects.get(username="nj_reviewer")
    samples: dict[str, list[float]] = {k: [] for k in FLOW_COMMANDS[:5]}
    statements: list[str] = []
    template = 0

    def timed(name: str, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = call()
        samples[name].append((time.perf_counter() - started) * 1000)
        return result

    for n in range(runs + 3):
        materials = [
            MaterialInput(m["code"], "upload", PDF, m["file_name"]) for m in actors.materials
        ]
        if n == 1:  # the first one warms the caches; the second is listed
            with connection.execute_wrapper(
                lambda ex, sql, params, many, ctx: (
                    statements.append(sql) or ex(sql, params, many, ctx)
                )
            ):
                case = services.case_submit(
                    service_item=item,
                    channel="online",
                    applicant_person=citizen.person,
                    form_data=actors.form,
                    materials=materials,
                    submitted_by=citizen,
                )
            template = case.pk
        else:
            case = timed(
                "submit",
                lambda m=materials: services.case_submit(
                    service_item=item,
                    channel="online",
                    applicant_person=citizen.person,
                    form_data=actors.form,
                    materials=m,
                    submitted_by=citizen,
                ),
            )
        case = timed("accept", lambda c=case: services.case_accept(case_id=c.pk, actor=clerk))
        case = timed(
            "decide",
            lambda c=case: services.case_decide(
                case_id=c.pk,
                actor=reviewer,
                outcome="granted",
                reason="符合法定条件",
                legal_basis="《中华人民共和国行政许可法》第三十八条",
            ),
        )
        case = timed(
            "deliver",
            lambda c=case: services.case_deliver(case_id=c.pk, actor=clerk, method="electronic"),
        )
        timed("conclude", lambda c=case: services.case_conclude(case_id=c.pk, actor=clerk))
    rows = [{"command": k, "statements": "", **percentiles(v[3:])} for k, v in samples.items() if v]
    return rows, statements, template


# --- pgbench -----------------------------------------------------------------------------------


def run_pgbench(
    database_url: str, template: int, seconds: int, clients: list[int]
) -> list[dict[str, Any]]:
    """The submission's statements with pgbench (``bench/case_submit.pgbench``); the
    audit and access-log rows go to bench_* copies of their tables."""
    from django.db import connection

    from tongban.cases.models import Case
    from tongban.identity.models import User
    from tongban.sharing.models import DataResource

    user = User.objects.get(username="bench_citizen0")
    consumer = Case.objects.get(pk=template).department_id
    resource = DataResource.objects.filter(registry="population").order_by("code").first()
    pgbench = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    with connection.cursor() as cur:
        cur.execute(
            "DROP TABLE IF EXISTS bench_auditevent, bench_accesslogentry, bench_accessloghead;"
            "CREATE TABLE bench_auditevent (LIKE core_auditevent INCLUDING ALL);"
            "CREATE TABLE bench_accesslogentry (LIKE sharing_accesslogentry INCLUDING ALL);"
            "CREATE TABLE bench_accessloghead (LIKE sharing_accessloghead INCLUDING ALL);"
            "INSERT INTO bench_accessloghead (subject_token, last_hash, last_seq, count) "
            f"SELECT 'pgbench-' || n, md5('x'), 0, 0 FROM generate_series(0, {max(clients)}) n;"
            "INSERT INTO cases_casenumbersequence (region_code, day, last) "
            "VALUES ('999999', CURRENT_DATE, 0) ON CONFLICT DO NOTHING;"
        )
    connection.close()
    rows = []
    for c in clients:
        load = f"{os.getloadavg()[0]:.1f}"
        out = subprocess.run(
            [pgbench, "-n", "-f", str(ROOT / "bench" / "case_submit.pgbench"),
             "-c", str(c), "-j", str(min(c, 2)), "-T", str(seconds),
             "-D", f"template={template}", "-D", f"person={user.person_id}",
             "-D", f"user={user.pk}", "-D", f"consumer={consumer}",
             "-D", f"resource={resource.pk if resource else 0}", database_url],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        tps = float(re.search(r"tps = ([\d.]+)", out).group(1))  # type: ignore[union-attr]
        latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))  # type: ignore[union-attr]
        failed = re.search(r"number of failed transactions: (\d+)", out)
        rows.append(
            {
                "clients": c,
                "tps": round(tps, 1),
                "latency_avg_ms": latency,
                "failed": failed.group(1) if failed else "0",
                "load": load,
            }
        )
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM cases_caseevent WHERE case_id IN "
            "(SELECT id FROM cases_case WHERE case_no LIKE '999999%%');"
            "DELETE FROM cases_casematerial WHERE case_id IN "
            "(SELECT id FROM cases_case WHERE case_no LIKE '999999%%');"
            "DELETE FROM cases_case WHERE case_no LIKE '999999%%';"
            "DELETE FROM cases_casenumbersequence WHERE region_code = '999999';"
            "DELETE FROM core_outboxmessage WHERE subscriber LIKE 'pgbench%%';"
            "DELETE FROM core_notification WHERE object_id LIKE 'pgbench-%%';"
            "DELETE FROM django_tasks_database_dbtaskresult WHERE task_path = 'pgbench';"
            "DELETE FROM core_idempotencyrecord WHERE owner = 'pgbench';"
            "DROP TABLE bench_auditevent, bench_accesslogentry, bench_accessloghead;"
        )
    return rows


def explain_reads() -> None:
    """EXPLAIN ANALYZE of the queue and "my cases" queries as the selectors build them."""
    from django.db import connection

    from tongban.cases import selectors
    from tongban.identity.models import User

    for label, call in (
        (
            "queue (nj_clerk)",
            lambda: selectors.case_list_for_staff(user=User.objects.get(username="nj_clerk")),
        ),
        (
            "my cases (bench_citizen0)",
            lambda: selectors.case_list_for_applicant(
                user=User.objects.get(username="bench_citizen0")
            ),
        ),
    ):
        queries: list[str] = []

        def capture(
            execute: Any,
            sql: str,
            params: Any,
            many: bool,
            context: Any,
            queries: list[str] = queries,
        ) -> Any:
            queries.append(connection.ops.compose_sql(sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            call()
        page_query = next(q for q in queries if "cases_case" in q and "ORDER BY" in q)
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + page_query)
            print(f"\n{label}:\n" + "\n".join(row[0] for row in cur.fetchall()))
