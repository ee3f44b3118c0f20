"""Data sharing at scale: verifications, intake look-ups and the access log. Not a test.

On a migrated database with the demo province loaded (``tongban demo load``),
seeds ``--persons`` people into the population, household, marriage and
social-insurance registries (real SM4 ciphertexts and HMAC-SM3 tokens) and
``--log-lines`` access-log lines over them with valid per-subject chains, then
times in this process

1. ``sharing_verify`` (identity, marriage, social insurance) for random people;
2. ``sharing_query`` of the marriage resource (granted fields only);
3. three ``sharing_lookup_for_material`` calls (居民身份证, 居民户口簿, 结婚证): what
   "两个免于提交" adds to a submission;
4. the subject's first page of "谁查询了我的数据";
5. appending lines from 4 threads, each about its own subject, and then all
   about the same subject (the per-subject lock);
6. sealing the unsealed lines and verifying every chain and seal;

and prints Markdown tables for docs/performance.md.

    DATABASE_URL=postgres://…/tongban_sharing_bench tongban migrate && … tongban demo load
    .venv/bin/python bench/sharing_verify.py --database-url postgres://… --persons 200000

Rows are written with ``bulk_create`` (SQLite or PostgreSQL); the seeded log
lines are chained exactly as ``access_log_append`` chains them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import markdown, percentiles  # noqa: E402  # after the path is set

BATCH = 5000
MARK = "BENCH"  # the household numbers of seeded people start with this


def _id_number(n: int) -> str:
    from tongban.core.identifiers import generate_check_digit_resident

    # Unique for n below 50 million: 5 regions × 20,000 birth days × 500 orders.
    region = ("320102", "320104", "320106", "360702", "360703")[n % 5]
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(n // 5) % 20000)
    first17 = f"{region}{birth:%Y%m%d}{500 + (n // 100_000) % 500:03d}"  # demo orders are < 100
    return first17 + generate_check_digit_resident(first17)


def seed_registries(persons: int) -> list[str]:
    """``persons`` people (half of them married to each other); their ID numbers."""
    from tongban.core.crypto import encrypt
    from tongban.core.masking import mask_id_number
    from tongban.sharing.models import (
        HouseholdRecord,
        MarriageRecord,
        PopulationRecord,
        SocialInsuranceRecord,
    )
    from tongban.sharing.registries import HOUSEHOLD_ADDRESS_CONTEXT, POPULATION_ID_CONTEXT
    from tongban.sharing.subjects import person_token

    numbers = [_id_number(n) for n in range(persons)]
    assert len(set(numbers)) == persons
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    for start in range(0, persons, BATCH):
        chunk = numbers[start : start + BATCH]
        people = PopulationRecord.objects.bulk_create(
            PopulationRecord(
                id_number_enc=encrypt(num, context=POPULATION_ID_CONTEXT),
                id_number_token=person_token(num),
                id_number_masked=mask_id_number(num),
                name=f"测试{start + i}",
                sex="male" if int(num[16]) % 2 else "female",
                birth_date=dt.date(int(num[6:10]), int(num[10:12]), int(num[12:14])),
                birth_place=num[:6],
                updated_at=now,
            )
            for i, num in enumerate(chunk)
        )
        if not all(p.pk for p in people):  # backends without RETURNING
            by_token = dict(
                PopulationRecord.objects.filter(
                    id_number_token__in=[p.id_number_token for p in people]
                ).values_list("id_number_token", "pk")
            )
            for p in people:
                p.pk = by_token[p.id_number_token]
        HouseholdRecord.objects.bulk_create(
            HouseholdRecord(
                person=p, household_no=f"{MARK}{start + i}", region_code=p.birth_place,
                address_enc=encrypt(f"测试路{i}号", context=HOUSEHOLD_ADDRESS_CONTEXT),
                relation="户主", registered_on=dt.date(2010, 1, 1),
            )
            for i, p in enumerate(people)
        )  # fmt: skip
        MarriageRecord.objects.bulk_create(
            MarriageRecord(
                party_a=people[i], party_b=people[i + 1], registered_on=dt.date(2015, 5, 1),
                certificate_no=f"{MARK}-{start + i}", registry_office="测试婚姻登记处",
            )
            for i in range(0, len(people) - 1, 4)
        )  # fmt: skip
        SocialInsuranceRecord.objects.bulk_create(
            SocialInsuranceRecord(
                person=p, kind="pension", status="active", region_code=p.birth_place,
                since=dt.date(2012, 1, 1), months_paid=120,
            )
            for p in people[::2]
        )  # fmt: skip
    print(f"seeded {persons:,} persons in {time.perf_counter() - started:.1f} s", flush=True)
    return numbers


def seed_log(numbers: list[str], lines: int, consumer: Any) -> float:
    """``lines`` access-log lines over the people, chained per subject; seconds taken."""
    from tongban.core.audit import GENESIS
    from tongban.sharing.access_log import entry_hash
    from tongban.sharing.models import AccessLogEntry, AccessLogHead
    from tongban.sharing.subjects import person_token

    rng = random.Random(7)
    heads: dict[str, tuple[str, int]] = {}
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    step = dt.timedelta(days=399) / max(lines, 1)
    # A quarter of the people are read at all; a hundred of them very often.
    tokens = [person_token(n) for n in numbers[: max(1, len(numbers) // 4)]]
    hot = min(100, len(tokens))
    started = time.perf_counter()
    for start in range(0, lines, BATCH):
        batch = []
        for i in range(start, min(lines, start + BATCH)):
            pick = rng.randrange(hot) if rng.random() < 0.2 else rng.randrange(len(tokens))
            token = tokens[pick]
            prev, count = heads.get(token, (GENESIS, 0))
            entry = AccessLogEntry(
                at=at + step * i, kind="verify", target="marriage", fields=["marital_status"],
                consumer=consumer, consumer_name=consumer.name, actor_label="system",
                purpose="办理业务核验", case_no=f"B{i:012d}", subject_kind="person",
                subject_token=token, subject_label="", outcome="answered", channel="bench",
                prev_hash=prev,
            )  # fmt: skip
            entry.hash = entry_hash(entry)
            heads[token] = (entry.hash, count + 1)
            batch.append(entry)
        AccessLogEntry.objects.bulk_create(batch)
    seqs = dict(
        AccessLogEntry.objects.filter(hash__in=[h for h, _ in heads.values()]).values_list(
            "hash", "seq"
        )
    )
    AccessLogHead.objects.bulk_create(
        (
            AccessLogHead(subject_token=t, last_hash=h, last_seq=seqs[h], count=c)
            for t, (h, c) in heads.items()
        ),
        batch_size=BATCH,
    )
    took = time.perf_counter() - started
    print(f"seeded {lines:,} log lines over {len(heads):,} subjects in {took:.1f} s", flush=True)
    return took


def timed(name: str, calls: int, call: Callable[[int], Any]) -> dict[str, Any]:
    samples = []
    for i in range(calls):
        started = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - started) * 1000)
    return {"operation": name, **percentiles(samples)}


def appends(threads: int, per_thread: int, id_numbers: list[str]) -> dict[str, Any]:
    """Lines per second from ``threads`` threads, thread ``k`` writing about ``id_numbers[k]``."""
    from django.db import connection

    from tongban.sharing.access_log import access_log_append
    from tongban.sharing.subjects import SubjectRef

    errors: list[BaseException] = []

    def work(k: int) -> None:
        subject = SubjectRef.person(id_numbers[k])
        try:
            for _ in range(per_thread):
                access_log_append(
                    kind="verify", target="identity", subject=subject, outcome="answered",
                    purpose="吞吐测试", channel="bench",
                )  # fmt: skip
        except BaseException as exc:  # noqa: BLE001  (reported after the join)
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    took = time.perf_counter() - started
    if errors:
        raise errors[0]
    total = threads * per_thread
    return {"lines": total, "seconds": round(took, 2), "lines_per_s": round(total / took)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--log-lines", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--skip-seed", action="store_true")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from django.db import connection, transaction

    from tongban.identity.models import Person
    from tongban.org.models import Department, Role, StaffAssignment
    from tongban.sharing.access_log import access_log_seal, access_log_verify
    from tongban.sharing.models import AccessGrant, AccessLogEntry, HouseholdRecord
    from tongban.sharing.selectors import DataSubject, access_log_for_subject
    from tongban.sharing.services import (
        access_grant_approve,
        access_grant_request,
        sharing_lookup_for_material,
        sharing_query,
        sharing_verify,
    )
    from tongban.sharing.subjects import SubjectRef, person_token

    market = Department.objects.get(name="南京市市场监督管理局")
    clerk_assignment = (
        StaffAssignment.objects.filter(department=market, active=True, role=Role.REVIEWER)
        .select_related("user")
        .first()
    )
    if clerk_assignment is None:
        raise SystemExit("load the demo first: tongban demo load")
    clerk = clerk_assignment.user
    if args.skip_seed:
        numbers = []
    else:
        numbers = seed_registries(args.persons)
        seed_log(numbers, args.log_lines, market)
    if not numbers:
        from tongban.core.crypto import decrypt
        from tongban.sharing.registries import POPULATION_ID_CONTEXT

        rows = HouseholdRecord.objects.filter(household_no__startswith=MARK).values_list(
            "person__id_number_enc", flat=True
        )[:20000]
        numbers = [decrypt(r, context=POPULATION_ID_CONTEXT) for r in rows]
    for code, fields in (
        ("JS-GA-RK-001", ["name"]),
        ("JS-MZ-HY-001", ["marital_status", "spouse_name"]),
        ("JS-RS-SB-001", ["status", "insurance_kinds"]),
        ("JS-GA-HJ-002", ["region_code"]),
    ):
        from tongban.sharing.models import DataResource

        resource = DataResource.objects.get(code=code)
        if AccessGrant.objects.filter(consumer=market, resource=resource, status="approved"):
            continue
        grant = AccessGrant.objects.filter(
            consumer=market, resource=resource, status="requested"
        ).first() or access_grant_request(
            resource=resource, consumer_department=market, purpose="bench",
            legal_basis="bench", field_codes=fields,
        )  # fmt: skip
        access_grant_approve(grant=grant, field_codes=fields, valid_until=dt.date(2099, 12, 31))
    rng = random.Random(11)
    sample = [rng.choice(numbers) for _ in range(args.calls)]
    names = dict(
        HouseholdRecord.objects.filter(
            person__id_number_token__in=[person_token(n) for n in sample]
        ).values_list("person__id_number_token", "person__name")
    )
    rows = []

    def round_trip(i: int) -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")

    # The machine's own floor: one database round trip from this process.
    rows.append(timed("calibration: SELECT 1", args.calls, round_trip))

    def verify(service: str, params: Callable[[str], dict[str, str]]) -> Callable[[int], Any]:
        def call(i: int) -> Any:
            return sharing_verify(
                consumer_department=market, staff_user=clerk, service=service,
                subject=SubjectRef.person(sample[i]), purpose="办理业务核验",
                case_no=f"V{i}", params=params(sample[i]),
            )  # fmt: skip

        return call

    rows.append(
        timed(
            "verify identity",
            args.calls,
            verify("identity", lambda n: {"name": names.get(person_token(n), "")}),
        )
    )
    rows.append(timed("verify marriage", args.calls, verify("marriage", lambda n: {})))
    rows.append(
        timed("verify social_insurance", args.calls, verify("social_insurance", lambda n: {}))
    )
    rows.append(
        timed(
            "query marriage (2 fields)",
            args.calls,
            lambda i: sharing_query(
                consumer_department=market,
                staff_user=clerk,
                resource_code="JS-MZ-HY-001",
                subject=SubjectRef.person(sample[i]),
                purpose="办理业务核验",
            ),
        )
    )
    applicant = Person.objects.order_by("pk").first()

    def three_lookups(i: int) -> None:
        for hint in ("居民身份证", "居民户口簿", "结婚证"):
            sharing_lookup_for_material(
                material_source_hint=hint, department=market, case_no=f"L{i}",
                applicant_person=applicant,
            )  # fmt: skip

    rows.append(
        timed("intake: 3 look-ups, each committed", max(50, args.calls // 5), three_lookups)
    )

    def in_submission(i: int) -> None:
        with transaction.atomic():  # as when intake calls them inside its transaction
            three_lookups(i)

    rows.append(
        timed("intake: 3 look-ups in one transaction", max(50, args.calls // 5), in_submission)
    )
    busiest = (
        AccessLogEntry.objects.values_list("subject_token", flat=True).order_by("-seq").first()
    )
    subject = DataSubject("me", "本人", "person", busiest or "-")
    rows.append(
        timed(
            "谁查询了我的数据: first page (50)",
            200,
            lambda i: access_log_for_subject(subject=subject, limit=50).items,
        )
    )
    print(markdown(f"In process ({connection.vendor}, {len(numbers):,} persons sampled)", rows,
                   ["operation", "n", "p50", "p95", "p99", "mean", "max"]))  # fmt: skip
    distinct = appends(4, 250, numbers[:4])
    same = appends(4, 250, [numbers[0]] * 4)
    print(markdown("Appends from 4 threads", [
        {"subjects": "4 distinct", **distinct}, {"subjects": "1 shared", **same},
    ], ["subjects", "lines", "seconds", "lines_per_s"]))  # fmt: skip
    started = time.perf_counter()
    seal = access_log_seal(now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5), limit=10**9)
    sealed = time.perf_counter() - started
    started = time.perf_counter()
    result = access_log_verify()
    verified = time.perf_counter() - started
    print(
        f"seal: {seal.count if seal else 0:,} lines in {sealed:.1f} s; "
        f"verify-log: {result.checked:,} lines, {result.seals} seals, ok={result.ok} "
        f"in {verified:.1f} s"
    )


if __name__ == "__main__":
    main()
