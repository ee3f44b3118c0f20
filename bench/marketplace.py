"""The marketplace and trading at scale (issue 18). Not a test.

On an empty migrated database (PostgreSQL for the figures in docs/performance.md):

1. **draw** over ``--agencies`` candidates (100,000): the pure ``core.draw.pick``, and
   the whole ``draws.draw_open`` + ``draws.draw_run`` (canonical order, digest, the
   stored candidate list and result);
2. **sealed bids**: ``--bids`` (2,000) bidders each seal a bid through ``bid_submit``;
   then the opening: every bidder's code through ``bids_decrypt_batch`` (one key-ring
   release of the opening key; per bid SM3 of the code, unwrap, SM4-GCM open, in
   Python with no lock held; then per batch of ``--batch`` bids one transaction under
   the tender's lock, one ``bulk_update``, one audit event), timed as a whole, and
   run a second time to show it changes nothing; ``--per-bid N`` also times ``N``
   single ``bid_decrypt`` calls (one transaction each) on a second tender;
3. **the public list** at ``--purchases`` (100,000) purchases: ``GET
   /api/v1/intermediaries/purchases`` (first page, a filtered page, a later page by
   cursor) through the whole Django stack in-process, ``--requests`` times each; p50/p95.

    createdb market && DATABASE_URL=postgres://…/market .venv/bin/tongban migrate
    DATABASE_URL=postgres://…/market .venv/bin/python bench/marketplace.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.common import markdown, percentiles  # noqa: E402
from tongban.core import clock, draw, draws  # noqa: E402
from tongban.core.identifiers import generate_credit_code  # noqa: E402
from tongban.identity.demo import demo_business_accounts_load, demo_identity_load  # noqa: E402
from tongban.identity.models import LegalEntity, Person  # noqa: E402
from tongban.intermediaries.models import (  # noqa: E402
    Purchase,
    SelectionMethod,
    ServiceType,
    Tender,
    TenderBid,
)
from tongban.intermediaries.services import service_type_save  # noqa: E402
from tongban.intermediaries.services.opening import bids_decrypt_batch  # noqa: E402
from tongban.intermediaries.services.trading import (  # noqa: E402
    bid_decrypt,
    bid_submit,
    tender_opening_start,
    tender_publish,
)
from tongban.org.demo import demo_org_load  # noqa: E402
from tongban.org.models import Region  # noqa: E402
from tongban.sharing.demo import demo_registries_load  # noqa: E402


def codes(n: int, prefix: str) -> list[str]:
    return [generate_credit_code(f"{prefix}{i:08d}") for i in range(n)]


def bench_draw(n: int) -> dict[str, object]:
    candidates = codes(n, "91320100")
    seed = draw.new_seed()
    started = time.perf_counter()
    draw.pick(seed, candidates, 1)
    pure = time.perf_counter() - started
    started = time.perf_counter()
    record = draws.draw_open(purpose="bench", subject=f"draw-{time.time_ns()}", actor=None)
    draws.draw_run(record, candidates=candidates, k=1, actor=None)
    whole = time.perf_counter() - started
    return {
        "candidates": n,
        "core.draw.pick (s)": round(pure, 3),
        "draw_open + draw_run, stored (s)": round(whole, 3),
        "target": "≤ 1 s",
    }


def _bidders(n: int) -> list[LegalEntity]:
    person = Person.objects.first()
    assert person is not None
    now = clock.now()
    all_codes = codes(n, "91320200")
    LegalEntity.objects.bulk_create(
        [
            LegalEntity(
                credit_code=c,
                name=f"投标人{i}",
                legal_representative=person,
                region_code="320200",
                created_at=now,
            )
            for i, c in enumerate(all_codes)
        ],
        ignore_conflicts=True,
    )
    return list(LegalEntity.objects.filter(credit_code__in=all_codes).order_by("credit_code"))


def _sealed_tender(entities: list[LegalEntity]) -> tuple[Tender, dict[str, str], float]:
    """A tender past its deadline with one sealed bid per entity, opened by the centre."""
    now = clock.now()
    start = now - dt.timedelta(days=30)
    tender = tender_publish(
        category="construction",
        title=f"基准测试工程 {time.time_ns()}",
        tenderer_name="基准招标人",
        tenderer_code=generate_credit_code("9132010099999999"),
        region_code="320100",
        budget_fen=10**12,
        announcement="基准测试。",
        bid_deadline=now - dt.timedelta(minutes=1),
        expert_specialty="房屋建筑",
        expert_count=3,
        now=start,
    )
    code_of: dict[str, str] = {}
    started = time.perf_counter()
    for i, entity in enumerate(entities):
        bid, secret = bid_submit(
            tender=tender,
            bidder=entity,
            price_fen=10**9 + i,
            proposal="技术方案" * 50,
            now=start + dt.timedelta(seconds=i),
        )
        code_of[bid.bidder_code] = secret
    sealing = time.perf_counter() - started
    tender_opening_start(tender=tender, now=now)
    return tender, code_of, sealing


def bench_bids(n: int, batch: int, per_bid: int) -> dict[str, object]:
    entities = _bidders(n)
    tender, code_of, sealing = _sealed_tender(entities)
    now = clock.now()
    started = time.perf_counter()
    outcome = bids_decrypt_batch(tender=tender, codes=code_of, batch_size=batch, now=now)
    opening = time.perf_counter() - started
    started = time.perf_counter()
    again = bids_decrypt_batch(tender=tender, codes=code_of, batch_size=batch, now=now)
    rerun = time.perf_counter() - started
    opened = TenderBid.objects.filter(tender=tender, status="opened").count()
    row: dict[str, object] = {
        "bids": len(entities),
        "scheme": tender.key_scheme,
        "batch": batch,
        "sealed and stored (s)": round(sealing, 2),
        "opened and decrypted (s)": round(opening, 2),
        "opened": f"{opened} ({outcome.batches} batches)",
        "second run (s)": f"{rerun:.2f}, {again.opened} opened, {again.unchanged} unchanged",
        "per-bid bid_decrypt (ms each)": "—",
        "target": "≤ 30 s",
    }
    if per_bid:
        single, single_codes, _ = _sealed_tender(entities[:per_bid])
        bids = list(TenderBid.objects.filter(tender=single).select_related("tender"))
        started = time.perf_counter()
        for bid in bids:
            bid_decrypt(bid=bid, decryption_code=single_codes[bid.bidder_code], now=now)
        row["per-bid bid_decrypt (ms each)"] = round(
            (time.perf_counter() - started) * 1000 / len(bids), 1
        )
    return row


def load_purchases(n: int) -> int:
    have = Purchase.objects.count()
    if have >= n:
        return have
    service_type = ServiceType.objects.get(code="eia")
    regions = list(Region.objects.filter(level="county")[:20]) or list(Region.objects.all()[:5])
    buyer = LegalEntity.objects.first()
    methods = SelectionMethod.values
    base = clock.now() - dt.timedelta(days=400)
    batch = []
    for i in range(have, n):
        region = regions[i % len(regions)]
        published = base + dt.timedelta(minutes=5 * i)
        batch.append(
            Purchase(
                code=f"ZB{i:010d}",
                title=f"基准采购 {i}",
                service_type=service_type,
                buyer_entity=buyer,
                buyer_name="基准采购人",
                region=region,
                region_path=region.path,
                budget_fen=1_000_000 + i,
                service_days=20,
                method=methods[i % len(methods)],
                description="基准测试。",
                status="rated" if i % 3 else "signup",
                published_at=published,
                signup_closes_at=published + dt.timedelta(days=5),
            )
        )
        if len(batch) == 5000:
            Purchase.objects.bulk_create(batch)
            batch = []
    Purchase.objects.bulk_create(batch)
    return Purchase.objects.count()


def bench_list(requests: int) -> list[dict[str, object]]:
    client = Client(HTTP_HOST="localhost")
    first = client.get("/api/v1/intermediaries/purchases").json()
    cursor = first["next_cursor"]
    for _ in range(50):  # a page well inside the list
        cursor = client.get("/api/v1/intermediaries/purchases", {"cursor": cursor}).json()[
            "next_cursor"
        ]
    rows = []
    for label, params in (
        ("first page", {}),
        ("method=random", {"method": "random"}),
        ("page 52 (cursor)", {"cursor": cursor}),
    ):
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get("/api/v1/intermediaries/purchases", params)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        rows.append({"request": label, **percentiles(samples), "target p95": "≤ 100 ms"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--bids", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--per-bid", type=int, default=0)
    parser.add_argument("--purchases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", choices=["draw", "bids", "list"], default=None)
    args = parser.parse_args()
    demo_org_load()
    demo_identity_load()
    demo_registries_load()
    demo_business_accounts_load()
    service_type_save(code="eia", name="环境影响评价", approval_items=["环评"])
    print(f"database: {connection.vendor}")
    if args.only in (None, "draw"):
        keys = ["candidates", "core.draw.pick (s)", "draw_open + draw_run, stored (s)", "target"]
        print(markdown("Random draw", [bench_draw(args.agencies)], keys), end="\n\n")
    if args.only in (None, "bids"):
        row = bench_bids(args.bids, args.batch, args.per_bid)
        print(markdown("Sealed bids", [row], list(row)), end="\n\n")
    if args.only in (None, "list"):
        total = load_purchases(args.purchases)
        keys = ["request", "n", "p50", "p95", "p99", "max", "target p95"]
        title = f"Public purchase list at {total:,} purchases (ms)"
        print(markdown(title, bench_list(args.requests), keys))


if __name__ == "__main__":
    main()
