"""个人空间 / 企业空间 at scale, and 惠企政策 matching. Not a test.

On an empty migrated database, builds the spaces' test world (a business, its
legal representative and agent, a published item), clones ``--cases`` cases
of the business (rows copied from one real submission, so every column is as
intake writes it), seeds ``--entities`` 法人库 records with a classification,
then times in this process, with Django's test client (no network):

1. the business account's 我的空间 (``/my/``) and its 企业空间
   (``/my/business/<code>/``), ``--requests`` each after a warm-up;
2. ``policy_match_run`` of ``--policies`` policies with rules of varied
   selectivity against the entities;

and prints Markdown tables for docs/performance.md.

    DATABASE_URL=sqlite:////tmp/spaces.sqlite3 .venv/bin/tongban migrate
    .venv/bin/python bench/spaces.py --database-url sqlite:////tmp/spaces.sqlite3
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import markdown, percentiles  # noqa: E402  # after the path is set

BATCH = 5000
INDUSTRIES = ("H6210", "H6220", "C1391", "C1310", "I6510", "F5211", "M7320", "E4710")
REGIONS = ("320102", "320104", "320106", "320115", "360702", "360703", "310101", "110105")
SIZES = ("large", "medium", "small", "micro")
CREDITS = ("A", "B", "M", "C", "D")


def clone_cases(count: int) -> str:
    """``count`` cases of the bench business by its agent; the business's credit code."""
    from tongban.cases.models import Case
    from tongban.spaces.tests.conftest import build_space

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
            rows.append(
                Case(
                    **{f.attname: getattr(template, f.attname) for f in Case._meta.concrete_fields}
                )
            )
        Case.objects.bulk_create(rows)
        made += len(rows)
    return space.company.credit_code


def seed_entities(count: int) -> None:
    from tongban.core import clock
    from tongban.core.identifiers import generate_credit_code
    from tongban.policies.models import BusinessClassification
    from tongban.sharing.models import BusinessRecord

    rng = random.Random(4754)
    now = clock.now()
    made = 0
    while made < count:
        records = []
        for i in range(made, min(count, made + BATCH)):
            region = REGIONS[i % len(REGIONS)]
            code = generate_credit_code(f"92{region}{i:08d}")
            records.append(
                BusinessRecord(
                    credit_code=code,
                    name=f"压测个体工商户{i}",
                    kind="个体工商户",
                    status="in_business" if i % 20 else "cancelled",
                    legal_representative_name="张伟",
                    established_on=dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9500)),
                    registered_capital=Decimal("10.00"),
                    business_scope="经营",
                    address="地址",
                    region_code=region,
                    registration_authority="市场监督管理局",
                )
            )
        BusinessRecord.objects.bulk_create(records)
        saved = BusinessRecord.objects.filter(credit_code__in=[r.credit_code for r in records])
        BusinessClassification.objects.bulk_create(
            [
                BusinessClassification(
                    business_id=pk,
                    industry_code=rng.choice(INDUSTRIES),
                    size_class=rng.choice(SIZES),
                    credit_class=rng.choice(CREDITS),
                    updated_at=now,
                )
                for pk in saved.values_list("pk", flat=True)
            ]
        )
        made += len(records)


def policy_rules(n: int) -> dict[str, object]:
    """Rules from broad (a province) to narrow (one industry, size, credit, district)."""
    shapes: list[dict[str, object]] = [
        {"region": ["32"]},
        {"region": ["3201"], "size": ["small", "micro"]},
        {"industry": ["H62"], "region": ["3201"], "min_years": 1, "max_years": 5},
        {"industry": ["C13"], "size": ["micro"], "credit": ["A", "B"], "region": ["320115"]},
        {"industry": ["I"], "credit": ["A"], "min_years": 3},
    ]
    return shapes[n % len(shapes)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--policies", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from django.test import Client

    from tongban.identity.models import User
    from tongban.policies.models import PolicyMatch
    from tongban.policies.services import policy_create, policy_match_run, policy_publish

    started = time.perf_counter()
    code = clone_cases(args.cases)
    seeded_cases = time.perf_counter() - started
    started = time.perf_counter()
    seed_entities(args.entities)
    seeded_entities = time.perf_counter() - started
    print(f"seeded {args.cases} cases in {seeded_cases:.1f} s", end=", ")
    print(f"{args.entities} entities in {seeded_entities:.1f} s")

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="tb_boss"))
    rows = []
    for label, url in (("我的空间 /my/", "/my/"), ("企业空间", f"/my/business/{code}/")):
        for _ in range(10):
            assert client.get(url).status_code == 200
        samples = []
        for _ in range(args.requests):
            t = time.perf_counter()
            assert client.get(url).status_code == 200
            samples.append((time.perf_counter() - t) * 1000)
        rows.append({"page": label, **percentiles(samples)})
    print(
        markdown(
            f"Space pages, a business with {args.cases:,} cases (ms)",
            rows,
            ["page", "n", "p50", "p95", "p99", "max"],
        )
    )

    timings = []
    total = time.perf_counter()
    for n in range(args.policies):
        policy = policy_create(
            title=f"压测政策{n}",
            issuer="压测",
            document_no=f"压测〔2027〕{n}号",
            valid_from=dt.date(2020, 1, 1),
            benefits="—",
            rules_raw=policy_rules(n),
        )
        policy = policy_publish(policy=policy)
        t = time.perf_counter()
        matched = policy_match_run(policy=policy)
        timings.append(
            {
                "policy": n,
                "rules": str(policy_rules(n)),
                "matched": matched,
                "seconds": round(time.perf_counter() - t, 2),
            }
        )
    elapsed = time.perf_counter() - total
    print(
        markdown(
            f"Policy matching against {args.entities:,} entities",
            timings,
            ["policy", "rules", "matched", "seconds"],
        )
    )
    print(f"{args.policies} policies, {PolicyMatch.objects.count()} matches in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
