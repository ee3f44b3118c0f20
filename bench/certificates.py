"""Electronic certificates at scale: online verification and the offline QR check.
Not a test.

On a migrated database with the demo province loaded (``tongban demo load``):

1. issues a few real certificates through ``certificate_issue`` (signed,
   rendered, sealed) and times it;
2. seeds ``--certificates`` more rows (default 1,000,000) with ``bulk_create``:
   real identifiers with check characters and real signed QR payloads (one
   SM2 signature is made per distinct claim set and reused: signing a million
   payloads in pure Python would take hours and is not what is measured),
   no PDF files;
3. times in this process, for random certificates:
   - ``certificate_verify`` (online, by identifier),
   - ``certificate_verify_qr`` (signature against the published keys, then
     the status online),
   - ``offline.verify_qr`` with the published keys in memory (SM2 and
     Ed25519): what a scanner app does;
   - ``certificate_find_valid`` for a holder (what intake's 免于提交 adds);

and prints Markdown tables for docs/performance.md (the issue's targets:
online p95 ≤ 20 ms, offline ≤ 2 ms).

    DATABASE_URL=postgres://…/tongban_cert_bench tongban migrate && … tongban demo load
    .venv/bin/python bench/certificates.py --database-url postgres://… --certificates 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import markdown, percentiles  # noqa: E402  # after the path is set

BATCH = 5000


def timed(fn: Callable[[], Any], n: int) -> dict[str, float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def seed(count: int) -> list[tuple[str, str]]:
    """``count`` certificates of 营业执照 for generated businesses; returns
    (identifier, holder credit code) samples."""
    from django.db import transaction

    from tongban.certificates.face import face_encrypt
    from tongban.certificates.holders import entity_key
    from tongban.certificates.identifiers import identifier_make, identifier_parse
    from tongban.certificates.models import Certificate, CertificateSerial, CertificateType
    from tongban.certificates.services.issue import qr_payload
    from tongban.core import clock
    from tongban.core.identifiers import generate_credit_code
    from tongban.org.models import Department

    department = Department.objects.get(name="南京市市场监督管理局")
    kind = CertificateType.objects.get(name="营业执照")
    now = clock.now()
    year = 2020
    start = (
        CertificateSerial.objects.filter(
            type_code=kind.code, issuer_code=department.credit_code, year=year
        )
        .values_list("last", flat=True)
        .first()
        or 0
    )
    template = Certificate(
        certificate_type=kind,
        issuing_department=department,
        holder_kind="entity",
        holder_name="南京基准测试有限公司",
        holder_code_masked="",
        valid_from=dt.date(2020, 1, 1),
        issued_at=now,
        created_at=now,
    )
    template.identifier = identifier_make(
        type_code=kind.code, issuer_code=department.credit_code, year=year, number=1, version=1
    )
    payload, key_id, algorithm = qr_payload(template, now=now)  # one signature, reused
    face = face_encrypt({"entity_name": "南京基准测试有限公司"})
    samples = []
    rows = []
    written = 0
    for i in range(start + 1, start + count + 1):
        code = generate_credit_code(f"91320100B{i:07d}")
        identifier = identifier_make(
            type_code=kind.code, issuer_code=department.credit_code, year=year, number=i, version=1
        )
        rows.append(
            Certificate(
                identifier=identifier,
                lineage=identifier_parse(identifier).lineage,
                version=1,
                certificate_type=kind,
                issuing_department=department,
                holder_kind="entity",
                holder_key=entity_key(code),
                holder_name="南京基准测试有限公司",
                holder_code_masked=code,
                face_enc=face,
                face_public={},
                valid_from=dt.date(2020, 1, 1),
                issued_at=now,
                key_id=key_id,
                algorithm=algorithm,
                qr_payload=payload,
                created_at=now,
            )
        )
        if random.random() < 0.001:
            samples.append((identifier, code))
        if len(rows) >= BATCH:
            with transaction.atomic():
                Certificate.objects.bulk_create(rows)
            written += len(rows)
            rows = []
            if written % 100_000 == 0:
                print(f"  {written} seeded", file=sys.stderr)
    if rows:
        with transaction.atomic():
            Certificate.objects.bulk_create(rows)
    CertificateSerial.objects.update_or_create(
        type_code=kind.code,
        issuer_code=department.credit_code,
        year=year,
        defaults={"last": start + count},
    )
    return samples or [(template.identifier, "")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--certificates", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from django.apps import apps
    from django.db import connection

    from tongban.certificates import offline, selectors, signing
    from tongban.certificates.models import Certificate
    from tongban.certificates.services import certificate_issue
    from tongban.core import clock
    from tongban.org.models import Department

    LegalEntity = apps.get_model("identity", "LegalEntity")
    entity = LegalEntity.objects.first()
    department = Department.objects.get(name="南京市市场监督管理局")
    issue = timed(
        lambda: certificate_issue(
            certificate_type="营业执照",
            holder_entity=entity,
            face={"entity_type": "有限责任公司"},
            issuing_department=department,
            valid_from=dt.date(2026, 1, 1),
        ),
        5,
    )
    print(f"seeding {args.certificates} certificates …", file=sys.stderr)
    started = time.perf_counter()
    samples = seed(args.certificates) if args.certificates else []
    seeded_s = time.perf_counter() - started
    total = Certificate.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE certificates_certificate")
    today = clock.today()
    picks = [random.choice(samples) for _ in range(args.samples)]
    some = Certificate.objects.filter(identifier=picks[0][0]).first() if picks else None
    payload = some.qr_payload if some else Certificate.objects.first().qr_payload  # type: ignore[union-attr]
    keys = selectors.published_key_map()
    it = iter(picks * 2)
    rows = [
        {"step": "certificate_issue (sign, render, seal)", **issue},
        {
            "step": "verify online by identifier",
            **timed(
                lambda: selectors.certificate_verify(identifier=next(it)[0], today=today),
                args.samples,
            ),
        },
        {
            "step": "verify QR (signature + status)",
            **timed(
                lambda: selectors.certificate_verify_qr(payload=payload, today=today), args.samples
            ),
        },
        {
            "step": "offline QR check, SM2",
            **timed(lambda: offline.verify_qr(payload, keys), args.samples),
        },
    ]
    pair = signing.generate("Ed25519")
    body = offline.canonical_body(
        {
            "a": "Ed25519",
            "k": "e",
            "id": some.identifier if some else "",
            "t": "营业执照",
            "h": "",
            "o": "",
            "f": "2020-01-01",
            "u": "",
        }
    )
    ed_signature = signing.sign("Ed25519", pair.private, pair.public, offline.DOMAIN + body)
    ed_payload = f"TB1.{offline.b64url(body)}.{offline.b64url(ed_signature)}"
    ed_keys = {"e": offline.PublishedKey("e", "Ed25519", pair.public)}
    rows.append(
        {
            "step": "offline QR check, Ed25519",
            **timed(lambda: offline.verify_qr(ed_payload, ed_keys), args.samples),
        }
    )
    holders = iter(picks * 2)

    class _Entity:
        def __init__(self, code: str) -> None:
            self.credit_code = code
            self.name = ""

    rows.append(
        {
            "step": "certificate_find_valid (intake)",
            **timed(
                lambda: selectors.certificate_find_valid(
                    type_name_or_code="营业执照",
                    holder_entity=_Entity(next(holders)[1]),
                    today=today,
                ),
                args.samples,
            ),
        }
    )
    seeded = f"seeded {args.certificates} in {seeded_s:.0f} s"
    print(f"\n{connection.vendor}, {total} certificates ({seeded})\n")
    print(markdown("Certificates (ms)", rows, ["step", "n", "p50", "p95", "p99", "mean", "max"]))


if __name__ == "__main__":
    main()
