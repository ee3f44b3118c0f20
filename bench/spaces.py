"""个人空间 / 企业空间 at scale, and 惠企政策 matching. Not a test.

On a migrated database, builds the spaces' test world (a business, its legal
representative and agent, a published item), clones ``--cases`` cases of the
business (rows copied from one real submission, so every column is as intake
writes it; one in a hundred waits for a supplement and one in a hundred has a
deferred material, so the reminders have something to find), seeds
``--entities`` 法人库 records with a classification (about 100 districts of
江苏 and 200 GB/T 4754 小类), then times in this process, with Django's test
client (no network):

1. the business account's 我的空间 (``/my/``) and its 企业空间
   (``/my/business/<code>/``), ``--requests`` each after a warm-up, and on
   PostgreSQL the plans of the reminders' read and the per-agent count;
2. matching ``--policies`` policies of mixed reach against the entities:
   ``--match batch`` in one pass (``policies.batch.policy_match_all``, what
   ``tongban policies match`` runs) or ``--match each`` (``policy_match_run``
   per policy).

A second run on the same database reuses the world, the cases and the
entities (``--fresh-policies`` deletes the policies and matches first).
Prints Markdown tables for docs/performance.md with the load average.

    DATABASE_URL=postgres://…/tb_spaces .venv/bin/tongban migrate
    .venv/bin/python bench/spaces.py --database-url postgres://…/tb_spaces
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import markdown, percentiles  # noqa: E402  # after the path is set

BATCH = 5000
# About 100 districts: 13 cities of 江苏 with 8 districts each.
REGIONS = tuple(f"32{city:02d}{district:02d}" for city in range(1, 14) for district in range(2, 10))
# 200 小类 in 20 门类 (synthetic codes in the GB/T 4754 shape).
SECTIONS = "ABCDEFGHIJKLMNOPQRST"
INDUSTRIES = tuple(
    f"{s}{10 + i * 4 + j // 5:02d}{j % 5 + 1}{j % 3}"
    for i, s in enumerate(SECTIONS)
    for j in range(10)
)
SIZES = ("large", "medium", "small", "micro")
SIZE_WEIGHTS = (1, 4, 30, 65)
CREDITS = ("A", "B", "M", "C", "D")


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def clone_cases(count: int) -> str:
    """``count`` cases of the bench business by its agent; the business's credit code."""
    from tongban.cases.models import Case, CaseStatus
    from tongban.identity.models import User
    from tongban.spaces.tests.conftest import build_space

    existing = User.objects.filter(username="tb_boss").first()
    if existing is not None:  # a second run on the same database
        from tongban.identity.selectors import legal_entities_for_user

        return legal_entities_for_user(user=existing).get().credit_code
    space = build_space()
    agent = space.agent.person
    assert agent is not None
    case = space.submit(person=agent, entity=space.company, by=space.agent)
    template = Case.objects.get(pk=case.pk)
    made = 0
    while made < count:
        rows = []
        for i in range(made, min(count, made + BATCH)):
            template.pk = None
            template.case_no = f"BENCH{i:019d}"
            template.received_at = case.received_at - dt.timedelta(minutes=i)
            row = Case(
                **{f.attname: getattr(template, f.attname) for f in Case._meta.concrete_fields}
            )
            if i % 100 == 7:
                row.status = CaseStatus.SUPPLEMENT_REQUESTED
            elif i % 100 == 57:
                row.deferred_due_on = case.received_at.date() + dt.timedelta(days=30)
            rows.append(row)
        Case.objects.bulk_create(rows)
        made += len(rows)
    return space.company.credit_code


def seed_entities(count: int) -> int:
    """``count`` 法人库 records (one in twenty cancelled) with a classification;
    with COPY on PostgreSQL (a million rows in about a minute), else bulk_create."""
    from django.db import connection

    from tongban.core import clock
    from tongban.core.identifiers import generate_credit_code
    from tongban.policies.models import BusinessClassification
    from tongban.sharing.models import BusinessRecord

    have = BusinessRecord.objects.filter(credit_code__startswith="92").count()
    rng = random.Random(4754 + have)
    now = clock.now()
    made = have
    step = BATCH * 10 if connection.vendor == "postgresql" else BATCH
    while made < count:
        rows = []
        for i in range(made, min(count, made + step)):
            region = REGIONS[i % len(REGIONS)]
            established = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9500))
            rows.append(
                (
                    generate_credit_code(f"92{region}{i:08d}"),
                    f"压测个体工商户{i}",
                    "in_business" if i % 20 else "cancelled",
                    established,
                    region,
                    rng.choice(INDUSTRIES),
                    rng.choices(SIZES, SIZE_WEIGHTS)[0],
                    rng.choice(CREDITS),
                )
            )
        if connection.vendor == "postgresql":
            _copy_entities(rows, now)
        else:
            records = [
                BusinessRecord(
                    credit_code=code,
                    name=name,
                    kind="个体工商户",
                    status=status,
                    legal_representative_name="张伟",
                    established_on=established,
                    registered_capital=Decimal("10.00"),
                    business_scope="经营",
                    address="地址",
                    region_code=region,
                    registration_authority="市场监督管理局",
                )
                for code, name, status, established, region, *_ in rows
            ]
            BusinessRecord.objects.bulk_create(records)
            ids = dict(
                BusinessRecord.objects.filter(
                    credit_code__in=[r.credit_code for r in records]
                ).values_list("credit_code", "pk")
            )
            BusinessClassification.objects.bulk_create(
                [
                    BusinessClassification(
                        business_id=ids[row[0]],
                        industry_code=row[5],
                        size_class=row[6],
                        credit_class=row[7],
                        updated_at=now,
                    )
                    for row in rows
                ]
            )
        made += len(rows)
    return made - have


def _copy_entities(rows: Sequence[tuple[Any, ...]], now: dt.datetime) -> None:
    """The records and their classifications of ``rows`` with COPY (PostgreSQL)."""
    from django.db import connection, transaction

    from tongban.policies.models import BusinessClassification
    from tongban.sharing.models import BusinessRecord

    records = BusinessRecord._meta.db_table
    classes = BusinessClassification._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY {records} (credit_code, name, kind, status, legal_representative_name, "
            "established_on, registered_capital, business_scope, address, region_code, "
            "registration_authority) FROM STDIN"
        ) as copy:
            for code, name, status, established, region, *_ in rows:
                copy.write_row(
                    (code, name, "个体工商户", status, "张伟", established, "10.00", "经营",
                     "地址", region, "市场监督管理局")
                )  # fmt: skip
        cursor.execute(
            f"SELECT credit_code, id FROM {records} WHERE credit_code = ANY(%s)",
            [[row[0] for row in rows]],
        )
        ids = dict(cursor.fetchall())
        with cursor.cursor.copy(
            f"COPY {classes} (business_id, industry_code, size_class, credit_class, updated_at) "
            "FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row((ids[row[0]], row[5], row[6], row[7], now))


def policy_rules(n: int, rng: random.Random) -> dict[str, object]:
    """A policy's rules, of the reach policies have: most for a district or a city
    and a trade, some province-wide for a trade, one in a hundred broad."""
    district = rng.choice(REGIONS)
    industry = rng.choice(INDUSTRIES)
    kind = n % 100
    if kind < 50:  # a district's support for one 大类, small and micro
        return {"region": [district], "industry": [industry[:3]], "size": ["small", "micro"]}
    if kind < 80:  # a city's support for one 门类, young businesses
        return {"region": [district[:4]], "industry": [industry[0]], "min_years": 0,
                "max_years": 3}  # fmt: skip
    if kind < 99:  # a province-wide trade policy for small businesses of the best credit
        return {"region": ["32"], "industry": [industry[:3]], "size": ["small"], "credit": ["A"]}
    return {"region": [district[:4]], "size": ["micro"], "min_years": 20}  # a city's broad one


def explain_plans(code: str) -> str:
    """PostgreSQL's plans of the two reads the indexes are for."""
    from django.db import connection

    from tongban.cases.models import Case, applicant_reminder_q
    from tongban.identity.models import LegalEntity

    if connection.vendor != "postgresql":
        return ""
    entity = LegalEntity.objects.get(credit_code=code)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=366)
    reminders = (
        Case.objects.filter(applicant_reminder_q(), received_at__gte=since)
        .filter(applicant_entity_id=entity.pk)
        .order_by("-received_at")[:50]
    )
    from django.db.models import Count

    counts = (
        Case.objects.filter(applicant_entity=entity, submitted_by_id__in=[1, 2, 3])
        .values_list("submitted_by_id")
        .annotate(n=Count("*"))
    )
    out = []
    for label, queryset in (("reminders", reminders), ("per-agent count", counts)):
        out.append(f"-- {label}\n{queryset.explain(analyze=True)}")
    return "\n".join(out)


def run_pages(code: str, requests: int) -> None:
    from django.test import Client

    from tongban.identity.models import User

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="tb_boss"))
    rows = []
    for label, url in (("我的空间 /my/", "/my/"), ("企业空间", f"/my/business/{code}/")):
        for _ in range(10):
            assert client.get(url).status_code == 200
        samples = []
        for _ in range(requests):
            t = time.perf_counter()
            assert client.get(url).status_code == 200
            samples.append((time.perf_counter() - t) * 1000)
        rows.append({"page": label, **percentiles(samples), "load": load_average()})
    print(markdown("Space pages (ms)", rows, ["page", "n", "p50", "p95", "p99", "max", "load"]))
    print(explain_plans(code))


def run_match(policies: int, mode: str, fresh: bool) -> None:
    from django.db import connection

    from tongban.cases.models import PolicyGrant
    from tongban.catalog.models import ServiceItem
    from tongban.policies.batch import policy_match_all
    from tongban.policies.models import Policy, PolicyMatch
    from tongban.policies.services import policy_create, policy_match_run, policy_publish

    # 免申即享 grants are recorded as cases of an item (the world's published one).
    item = ServiceItem.objects.filter(status="active", current_version__isnull=False).first()
    if fresh:
        PolicyGrant.objects.all().delete()  # the grants' cases stay, as any case does
        if connection.vendor == "postgresql":  # 600,000 rows: one statement, no collector
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {PolicyMatch._meta.db_table}")
        PolicyMatch.objects.all().delete()
        Policy.objects.all().delete()
    rng = random.Random(2027)
    made = []
    for n in range(policies):
        policy = policy_create(
            title=f"压测政策{n}",
            issuer="压测",
            document_no=f"压测〔2027〕{n}号",
            valid_from=dt.date(2020, 1, 1),
            benefits="—",
            rules_raw=policy_rules(n, rng),
            automatic=n % 10 == 0,
            service_item=item if n % 10 == 0 else None,
        )
        made.append(policy_publish(policy=policy))
    load_before = load_average()
    started = time.perf_counter()
    cpu = time.process_time()
    if mode == "batch":
        result = policy_match_all()
        summary = (
            f"{result.policies} policies, {result.businesses_read:,} businesses read, "
            f"{result.tested:,} pairs tested, {result.matched:,} new matches"
        )
    else:
        matched = sum(policy_match_run(policy=p) for p in made)
        summary = f"{len(made)} policies, {matched:,} new matches"
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    print(
        f"match ({mode}): {summary} in {elapsed:.1f} s ({cpu:.1f} s of this process's CPU); "
        f"{PolicyMatch.objects.count():,} matches stored; "
        f"load average before {load_before}, after {load_average()}"
    )
    if mode == "batch":
        phases = dict(result.seconds)
        phases["other"] = elapsed - sum(phases.values())
        print(
            markdown(
                "One pass, by phase (s)",
                [{**{k: f"{v:.1f}" for k, v in phases.items()}, "total": f"{elapsed:.1f}"}],
                [*phases, "total"],
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--policies", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--match", choices=("batch", "each", "none"), default="batch")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--fresh-policies", action="store_true")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()

    started = time.perf_counter()
    code = clone_cases(args.cases)
    seeded_cases = time.perf_counter() - started
    started = time.perf_counter()
    seeded = seed_entities(args.entities)
    seeded_entities = time.perf_counter() - started
    print(
        f"cases ready in {seeded_cases:.1f} s, {seeded} entities seeded in {seeded_entities:.1f} s"
    )
    if not args.skip_pages:
        run_pages(code, args.requests)
    if args.match != "none":
        run_match(args.policies, args.match, args.fresh_policies)


if __name__ == "__main__":
    main()
