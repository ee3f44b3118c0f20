"""Case handling at province scale, against PostgreSQL (DESIGN §9). Not a test.

On a migrated database with the demo province loaded (``tongban demo load``):

1. seeds ``--cases`` cases (default 1,000,000) with their history over the demo
   province's published items, for ``--persons`` applicants, received over the
   last two years — most concluded, some refused or withdrawn, the last weeks'
   still open — with deadlines computed by ``cases.deadlines`` on the real
   calendar, written with COPY;
2. times each command's service in this process (submit, accept, decide,
   deliver, conclude) and lists the statements of one submission;
3. runs ``bench/case_submit.pgbench`` — the same writes as one submission —
   with pgbench at 1 and 16 clients: the database's own rate;
4. starts gunicorn and, at 1 and 16 concurrent clients, (a) submits only, then
   (b) runs whole cases: submit → accept → decide → deliver → conclude, with a
   "my cases" page and a staff queue page each round, through the public API
   with bearer tokens, ``Idempotency-Key`` and ``If-Match``.

    createdb tongban_cases_bench
    DATABASE_URL=postgres://…/tongban_cases_bench tongban migrate
    DATABASE_URL=postgres://…/tongban_cases_bench tongban demo load
    .venv/bin/python bench/case_flow.py --database-url postgres://…/tongban_cases_bench

Seeded cases have no material or document rows (no list reads them); cases
made by the run have everything the application writes.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402  # after the path is set
    copy_rows,
    markdown,
    next_id,
    percentiles,
    request,
    reset_sequence,
    start_gunicorn,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 110
FLOW_COMMANDS = ("submit", "accept", "decide", "deliver", "conclude", "my_cases", "queue")
BASE = "/api/v1/cases"


# --- seeding ---------------------------------------------------------------------------------


def _persons(count: int, start_id: int, today: dt.date) -> Iterator[tuple[Any, ...]]:
    """Persons with real ciphertexts and search tokens (as person_register writes them)."""
    from tongban.core.crypto import encrypt, search_token
    from tongban.core.identifiers import generate_check_digit_resident
    from tongban.core.masking import mask_id_number, mask_phone
    from tongban.identity.selectors import ID_NUMBER_CONTEXT, PHONE_CONTEXT

    rng = random.Random(7)
    assert start_id + count <= 250_000, "birth dates would pass 1992"
    regions = ["320102", "320104", "320115", "320106", "360702", "360781", "360703"]
    now = dt.datetime.now(dt.UTC)
    for n in range(count):
        # (birth date, sequence number) differ for every person id: unique ID numbers.
        m = start_id + n
        born = dt.date(1960, 1, 1) + dt.timedelta(days=(m // 1000) * 47)
        region = regions[m % len(regions)]
        first17 = f"{region}{born:%Y%m%d}{m % 1000:03d}"
        number = first17 + generate_check_digit_resident(first17)
        phone = f"13{n % 10}{n:08d}"[-11:]
        yield (
            start_id + n,
            rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
            encrypt(number, context=ID_NUMBER_CONTEXT),
            search_token(number, context=ID_NUMBER_CONTEXT),
            mask_id_number(number),
            born,
            "male" if int(number[16]) % 2 else "female",
            region,
            encrypt(phone, context=PHONE_CONTEXT),
            search_token(phone, context=PHONE_CONTEXT),
            mask_phone(phone),
            now,
        )


PERSON_COLUMNS = (
    "id",
    "name",
    "id_number_enc",
    "id_number_token",
    "id_number_masked",
    "birth_date",
    "sex",
    "region_code",
    "phone_enc",
    "phone_token",
    "phone_masked",
    "created_at",
)

CASE_COLUMNS = (
    "id",
    "case_no",
    "version",
    "rules",
    "region_path",
    "applicant_name",
    "channel",
    "situation",
    "form_data",
    "status",
    "received_at",
    "received_on",
    "accepted_on",
    "deemed_accepted",
    "refused_on",
    "extension_days",
    "extension_reason",
    "decided_on",
    "delivered_on",
    "concluded_at",
    "withdrawn_at",
    "acceptance_deadline",
    "decision_deadline",
    "delivery_deadline",
    "outcome",
    "decision_reason",
    "decision_basis",
    "delivery_method",
    "tracking_no",
    "commitment",
    "created_at",
    "updated_at",
    "applicant_person_id",
    "department_id",
    "guide_version_id",
    "service_item_id",
    "tracking_code",
    "exemptions",
    "form_secret",
)

EVENT_COLUMNS = (
    "id",
    "case_id",
    "at",
    "actor_label",
    "action",
    "from_status",
    "to_status",
    "reason",
    "details",
)


@dataclass
class ItemInfo:
    pk: int
    region: str
    region_path: str
    department: int
    version: int
    rules: str  # the rules snapshot as JSON text (the same for every case of the item)
    limit: Any  # deadlines.TimeRule


def _items() -> list[ItemInfo]:
    from tongban.cases.deadlines import TimeRule
    from tongban.cases.services.intake import rules_snapshot
    from tongban.catalog.content import GuideContent
    from tongban.catalog.models import ServiceItem

    out = []
    for item in ServiceItem.objects.filter(status="active").select_related("current_version"):
        guide = GuideContent.model_validate(item.current_version.content)
        rules = rules_snapshot(guide, item)
        limit = rules["promised_limit"]
        out.append(
            ItemInfo(
                item.pk,
                item.region_id,
                item.region_path,
                item.department_id,
                item.current_version_id,
                json.dumps(rules, ensure_ascii=False),
                TimeRule(limit["value"], limit["unit"]),
            )
        )
    return out


def _status_for(age: int, rng: random.Random) -> str:
    """A plausible state for a case received ``age`` calendar days ago."""
    if age >= 45:
        roll = rng.random()
        return "concluded" if roll < 0.94 else "refused" if roll < 0.98 else "withdrawn"
    if age < 2:
        return "submitted"
    if age < 4:
        return "accepted"
    if age < 20:
        return "under_review"
    if age < 25:
        return "decided"
    if age < 30:
        return "delivered"
    return "concluded"


STEPS = {  # the transitions behind each state, after "submit"
    "submitted": [],
    "refused": [("refuse", "submitted", "refused")],
    "withdrawn": [("withdraw", "submitted", "withdrawn")],
    "accepted": [("accept", "submitted", "accepted")],
    "under_review": [
        ("accept", "submitted", "accepted"),
        ("start_review", "accepted", "under_review"),
    ],
    "suspended": [
        ("accept", "submitted", "accepted"),
        ("start_review", "accepted", "under_review"),
        ("suspend", "under_review", "suspended"),
    ],
    "decided": [("accept", "submitted", "accepted"), ("decide", "accepted", "decided")],
    "delivered": [
        ("accept", "submitted", "accepted"),
        ("decide", "accepted", "decided"),
        ("deliver", "decided", "delivered"),
    ],
    "concluded": [
        ("accept", "submitted", "accepted"),
        ("decide", "accepted", "decided"),
        ("deliver", "decided", "delivered"),
        ("conclude", "delivered", "concluded"),
    ],
}


def seed(*, cases: int, persons: int, today: dt.date) -> dict[str, Any]:
    """COPY persons, cases and their history; returns counts and timings."""
    from django.db import connection

    from tongban.cases import deadlines
    from tongban.cases.models import Case, CaseEvent, CaseNumberSequence
    from tongban.core.calendar import get_calendar
    from tongban.core.errors import DomainError
    from tongban.identity.models import Person

    started = time.perf_counter()
    cal = get_calendar()
    items = _items()
    first_person = next_id(Person._meta.db_table)
    copy_rows(Person._meta.db_table, PERSON_COLUMNS, _persons(persons, first_person, today))
    reset_sequence(Person._meta.db_table)
    names = dict(
        Person.objects.filter(pk__gte=first_person).values_list("pk", "name").iterator(10000)
    )
    person_ids = sorted(names)
    persons_done = time.perf_counter()

    rng = random.Random(11)
    counters: Counter[tuple[str, dt.date]] = Counter()
    derived_cache: dict[Any, Any] = {}
    case_id = next_id(Case._meta.db_table)
    event_id = next_id(CaseEvent._meta.db_table)
    statuses: Counter[str] = Counter()

    def derived(facts: Any, rule: Any) -> Any:
        key = (facts, rule)
        if key not in derived_cache:
            try:
                derived_cache[key] = deadlines.recompute(facts, rule, cal, today=today)
            except DomainError:  # a date beyond the calendar's years
                derived_cache[key] = None
        return derived_cache[key]

    def working_after(day: dt.date, n: int) -> dt.date:
        """``n`` working days after ``day``, but never after today (a fact, not a deadline)."""
        try:
            return min(today, cal.add_working_days(day, n)) if n > 0 else day
        except DomainError:  # past the calendar's last year: later than today anyway
            return today

    def batch(size: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        nonlocal case_id, event_id
        rows, events = [], []
        for _ in range(size):
            item = rng.choice(items)
            person = rng.choice(person_ids)
            age = rng.randint(0, 729)
            received_on = today - dt.timedelta(days=age)
            received_at = dt.datetime.combine(
                received_on, dt.time(1 + rng.randint(0, 8), rng.randint(0, 59)), tzinfo=dt.UTC
            )
            status = _status_for(age, rng)
            statuses[status] += 1
            steps = STEPS[status]
            actions = [s[0] for s in steps]
            accepted_on = (
                working_after(received_on, rng.randint(0, 2)) if "accept" in actions else None
            )
            decided_on = (
                min(today, working_after(accepted_on, rng.randint(1, max(1, item.limit.limit))))
                if accepted_on and "decide" in actions
                else None
            )
            delivered_on = (
                min(today, working_after(decided_on, rng.randint(0, 3)))
                if decided_on and "deliver" in actions
                else None
            )
            refused_on = working_after(received_on, 1) if status == "refused" else None
            facts = deadlines.CaseClockFacts(
                received=received_on,
                accepted_on=accepted_on,
                deemed=False,
                refused_on=min(today, refused_on) if refused_on else None,
                supplement_requested_on=None,
                supplement_completed_on=None,
                suspensions=(),
                extension=None,
                decided_on=decided_on,
                delivered_on=delivered_on,
            )
            d = derived(facts, item.limit)
            counters[(item.region, received_on)] += 1
            case_no = f"{item.region}{received_on:%Y%m%d}{counters[(item.region, received_on)]:06d}"
            concluded_at = (
                dt.datetime.combine(delivered_on, dt.time(9), tzinfo=dt.UTC)
                if status == "concluded" and delivered_on
                else None
            )
            rows.append(
                (
                    case_id,
                    case_no,
                    1 + len(steps),
                    item.rules,
                    item.region_path,
                    names[person],
                    rng.choice(("online", "online", "online", "window", "mobile")),
                    "",
                    "{}",
                    status,
                    received_at,
                    received_on,
                    accepted_on,
                    False,
                    facts.refused_on,
                    0,
                    "",
                    decided_on,
                    delivered_on,
                    concluded_at,
                    received_at + dt.timedelta(days=1) if status == "withdrawn" else None,
                    d.acceptance_deadline if d else None,
                    d.decision_deadline if d else None,
                    d.delivery_deadline if d else None,
                    "granted" if decided_on else "",
                    "符合法定条件" if decided_on else "",
                    "《中华人民共和国行政许可法》第三十八条" if decided_on else "",
                    "electronic" if delivered_on else "",
                    "",
                    False,
                    received_at,
                    received_at,
                    person,
                    item.department,
                    item.version,
                    item.pk,
                    "".join(rng.choices("ABCDEFGHJKMNPQRSTUVWXYZ23456789", k=8)),  # 查询码
                    "[]",
                    "{}",
                )
            )
            when = received_at
            events.append((event_id, case_id, when, "申请人", "submit", "", "submitted", "", "{}"))
            event_id += 1
            for action, frm, to in steps:
                when = when + dt.timedelta(hours=rng.randint(2, 60))
                events.append((event_id, case_id, when, "工作人员", action, frm, to, "", "{}"))
                event_id += 1
            case_id += 1
        return rows, events

    size = 50_000
    done = 0
    while done < cases:
        rows, events = batch(min(size, cases - done))
        copy_rows(Case._meta.db_table, CASE_COLUMNS, rows)
        copy_rows(CaseEvent._meta.db_table, EVENT_COLUMNS, events)
        done += len(rows)
        print(f"  {done:,} cases", flush=True)
    reset_sequence(Case._meta.db_table)
    reset_sequence(CaseEvent._meta.db_table)
    copy_rows(
        CaseNumberSequence._meta.db_table,
        ("region_code", "day", "last"),
        ((region, day, last) for (region, day), last in counters.items() if day != today),
    )
    # Today's counters continue from the seeded cases of today.
    with connection.cursor() as cur:
        for (region, day), last in counters.items():
            if day == today:
                cur.execute(
                    "INSERT INTO cases_casenumbersequence (region_code, day, last) "
                    "VALUES (%s, %s, %s) ON CONFLICT (region_code, day) "
                    "DO UPDATE SET last = GREATEST(cases_casenumbersequence.last, EXCLUDED.last)",
                    [region, day, last],
                )
        cur.execute("ANALYZE")
    return {
        "persons": persons,
        "cases": cases,
        "statuses": dict(statuses.most_common()),
        "persons_s": round(persons_done - started, 1),
        "total_s": round(time.perf_counter() - started, 1),
    }


# --- accounts and the item the run applies for ----------------------------------------------


@dataclass
class Actors:
    citizens: list[str]  # bearer tokens
    clerk: str
    reviewer: str
    item_code: str
    form: dict[str, Any]
    materials: list[dict[str, str]]
    extra: dict[str, Any] = field(default_factory=dict)


def prepare_actors(citizen_count: int) -> Actors:
    """Bench citizens (accounts on seeded persons), tokens for them and for the
    demo 南京 clerk and reviewer, and a promised-time item of 南京市市场监督管理局."""
    from django.db.models import Count

    from tongban.cases.models import Case
    from tongban.catalog.content import FieldType, GuideContent, MaterialSource
    from tongban.catalog.models import ServiceItem
    from tongban.catalog.situations import materials_for
    from tongban.core.crypto import decrypt
    from tongban.core.identifiers import generate_credit_code
    from tongban.identity.models import Person, User
    from tongban.identity.selectors import ID_NUMBER_CONTEXT
    from tongban.identity.services import token_create

    item = next(
        i
        for i in ServiceItem.objects.filter(
            status="active", region_id="320100", department__name__endswith="市场监督管理局"
        )
        .select_related("current_version")
        .order_by("implementation_code")
        if GuideContent.model_validate(i.current_version.content).handling.value == "promised"
    )
    guide = GuideContent.model_validate(item.current_version.content)
    # The busiest applicants get accounts: their "my cases" has the most rows.
    persons = list(
        Case.objects.values_list("applicant_person_id", flat=True)
        .annotate(n=Count("id"))
        .filter(applicant_person_id__isnull=False)
        .order_by("-n")[:citizen_count]
    )
    tokens = []
    for n, pk in enumerate(persons):
        user, _ = User.objects.get_or_create(
            username=f"bench_citizen{n}",
            defaults={
                "kind": "citizen",
                "person_id": pk,
                "display_name": "测试",
                "real_name_level": 1,
            },
        )
        tokens.append(token_create(user=user, name="bench")[1])
    clerk = token_create(user=User.objects.get(username="nj_clerk"), name="bench")[1]
    reviewer = token_create(user=User.objects.get(username="nj_reviewer"), name="bench")[1]
    someone = Person.objects.get(pk=persons[0])
    id_number = decrypt(someone.id_number_enc, context=ID_NUMBER_CONTEXT)
    values = {
        FieldType.ID_NUMBER: id_number,
        FieldType.CREDIT_CODE: generate_credit_code("9132010270000001"),
        FieldType.PHONE: "13812345678",
        FieldType.NUMBER: "100",
        FieldType.DATE: "2026-01-05",
        FieldType.CHECKBOX: True,
    }
    form = {}
    for spec in guide.form:
        if not spec.required:
            continue
        if spec.type == FieldType.SELECT:
            form[spec.code] = spec.options[0]
        else:
            form[spec.code] = values.get(spec.type, "南京市玄武区中山路 1 号")
    materials = [
        {
            "code": m.code,
            "kind": "upload",
            "file_name": f"{m.name}.pdf",
            "file_base64": base64.b64encode(PDF).decode(),
        }
        for m in materials_for(guide, None)
        if m.source == MaterialSource.APPLICANT and not m.exempt
    ]
    return Actors(tokens, clerk, reviewer, item.implementation_code, form, materials)


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


def summarize_statements(statements: list[str]) -> str:
    kinds: Counter[str] = Counter()
    for sql in statements:
        match = re.match(
            r'\s*(INSERT INTO|UPDATE|SELECT .*? FROM|SAVEPOINT|RELEASE|DELETE FROM)\s*"?(\w*)', sql
        )
        verb = (match.group(1).split()[0] if match else sql.split()[0]).upper()
        table = match.group(2) if match else ""
        kinds[f"{verb} {table}".strip()] += 1
    return ", ".join(f"{k} ×{n}" for k, n in kinds.items())


# --- pgbench -----------------------------------------------------------------------------------


def run_pgbench(
    database_url: str, template: int, seconds: int, clients: list[int]
) -> list[dict[str, Any]]:
    """The submission's writes with pgbench; audit rows into bench_* copies."""
    from django.db import connection

    from tongban.identity.models import User

    user = User.objects.get(username="bench_citizen0")
    pgbench = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    with connection.cursor() as cur:
        cur.execute(
            "DROP TABLE IF EXISTS bench_auditevent, bench_auditchainhead;"
            "CREATE TABLE bench_auditevent (LIKE core_auditevent INCLUDING ALL);"
            "CREATE TABLE bench_auditchainhead (LIKE core_auditchainhead INCLUDING ALL);"
            "INSERT INTO bench_auditchainhead SELECT * FROM core_auditchainhead;"
        )
    connection.close()
    rows = []
    for c in clients:
        out = subprocess.run(
            [
                pgbench,
                "-n",
                "-f",
                str(ROOT / "bench" / "case_submit.pgbench"),
                "-c",
                str(c),
                "-j",
                str(min(c, 2)),
                "-T",
                str(seconds),
                "-D",
                f"template={template}",
                "-D",
                f"person={user.person_id}",
                "-D",
                f"user={user.pk}",
                database_url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        tps = float(re.search(r"tps = ([\d.]+)", out).group(1))  # type: ignore[union-attr]
        latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))  # type: ignore[union-attr]
        failed = re.search(r"number of failed transactions: (\d+)", out)
        rows.append(
            {
                "clients": c,
                "tps": round(tps, 1),
                "latency_avg_ms": latency,
                "failed": failed.group(1) if failed else "0",
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
            "DELETE FROM core_outboxmessage WHERE subscriber = 'pgbench';"
            "DELETE FROM core_notification WHERE object_id LIKE 'pgbench-%%';"
            "DELETE FROM django_tasks_database_dbtaskresult WHERE task_path = 'pgbench';"
            "DELETE FROM core_idempotencyrecord WHERE owner = 'pgbench';"
            "DROP TABLE bench_auditevent, bench_auditchainhead;"
        )
    return rows


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--citizens", type=int, default=64)
    parser.add_argument("--direct-runs", type=int, default=50)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--submissions", type=int, default=3000, help="per concurrency level")
    parser.add_argument("--rounds", type=int, default=400, help="whole cases per level")
    parser.add_argument("--clients", default="1,16")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url (or DATABASE_URL) must point at a PostgreSQL database")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from django.db import connection

    from tongban.core import clock

    today = clock.today()
    levels = [int(c) for c in args.clients.split(",")]
    if not args.skip_seed:
        print(f"seeding {args.cases:,} cases for {args.persons:,} persons …", flush=True)
        print(
            json.dumps(
                seed(cases=args.cases, persons=args.persons, today=today), ensure_ascii=False
            )
        )
    if args.seed_only:
        return
    actors = prepare_actors(args.citizens)
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg_version = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM cases_case")
        case_count = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM cases_caseevent")
        event_count = cur.fetchone()[0]
    print(
        f"\n{dt.datetime.now(dt.UTC).date().isoformat()}  nproc={os.cpu_count()}  "
        f"{pg_version.split(' on ')[0]}  cases={case_count:,}  history rows={event_count:,}"
    )
    if args.explain:
        explain_reads()
    direct, statements, template = run_direct(args.direct_runs, actors)
    print(
        markdown(
            "services in process (ms)", direct, ["command", "n", "p50", "p95", "p99", "mean", "max"]
        )
    )
    print(f"one submission: {len(statements)} statements: {summarize_statements(statements)}\n")
    pg = run_pgbench(args.database_url, template, args.pgbench_seconds, levels)
    print(
        markdown(
            "pgbench, bench/case_submit.pgbench", pg, ["clients", "tps", "latency_avg_ms", "failed"]
        )
    )
    connection.close()
    process = start_gunicorn(
        args.database_url,
        args.port,
        args.workers,
        ready=lambda port: request(port, "GET", "/api/v1/calendar/days/2026-10-01")[0] == 200,
    )
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:  # warm every worker
            list(
                pool.map(
                    lambda _: request(
                        args.port, "GET", "/api/v1/catalog/suggest?q=%E8%90%A5%E4%B8%9A"
                    ),
                    range(32),
                )
            )
        submit_rows = [run_submissions(args.port, actors, c, args.submissions) for c in levels]
        flow_rows = [row for c in levels for row in run_flow(args.port, actors, c, args.rounds)]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    for row in submit_rows:
        match = next((p for p in pg if p["clients"] == row["clients"]), None)
        row["pgbench_tps"] = match["tps"] if match else ""
        row["ratio"] = round(row["throughput_rps"] / match["tps"], 2) if match else ""
    print(
        markdown(
            f"HTTP submissions only, gunicorn -w {args.workers} (ms)",
            submit_rows,
            [
                "clients",
                "n",
                "p50",
                "p95",
                "p99",
                "mean",
                "max",
                "throughput_rps",
                "pgbench_tps",
                "ratio",
                "errors",
            ],
        )
    )
    print(
        markdown(
            f"HTTP whole cases, gunicorn -w {args.workers} (ms)",
            flow_rows,
            [
                "clients",
                "command",
                "n",
                "p50",
                "p95",
                "p99",
                "mean",
                "max",
                "throughput_rps",
                "errors",
            ],
        )
    )


if __name__ == "__main__":
    main()
