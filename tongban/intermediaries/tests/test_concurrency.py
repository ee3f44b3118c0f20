"""Real concurrency on PostgreSQL: parallel draw runs give one result; parallel
decryptions of one bid open it once; one agency's parallel sign-ups make one row."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from tongban.core.errors import DomainError
from tongban.core.models import DrawRecord
from tongban.intermediaries.models import PurchaseHistory, PurchaseSignup, TenderBid
from tongban.intermediaries.services import purchase_draw_run, purchase_signup
from tongban.intermediaries.services.trading import (
    bid_decrypt,
    bid_submit,
    tender_opening_start,
    tender_publish,
)
from tongban.intermediaries.tests import conftest
from tongban.intermediaries.tests.conftest import CLOSES, T0
from tongban.intermediaries.tests.helpers import publish

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (postgres leg)"
    ),
]
AFTER = CLOSES + dt.timedelta(minutes=1)


def _in_threads(count: int, work: Callable[[int], object]) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except DomainError as exc:
            results[i] = exc.code
        except Exception as exc:  # noqa: BLE001  (the test inspects every outcome)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_parallel_draw_runs_and_sign_ups_give_one_result_each():
    world = conftest._seed()
    purchase = publish(world, method="random")
    signed = _in_threads(
        4, lambda i: purchase_signup(purchase=purchase, agency=world.agencies[0], now=T0).pk
    )
    assert sorted(str(r) for r in signed if r == "signup_duplicate") == ["signup_duplicate"] * 3
    for agency in world.agencies[1:3]:
        purchase_signup(purchase=purchase, agency=agency, now=T0)
    runs = _in_threads(
        4,
        lambda i: purchase_draw_run(purchase=purchase, now=AFTER).selected_id,
    )
    assert (
        sorted(str(r) for r in runs if r == "purchase_invalid_state")
        == ["purchase_invalid_state"] * 3
    ), runs
    assert PurchaseSignup.objects.filter(purchase=purchase).count() == 3
    assert DrawRecord.objects.filter(subject=purchase.code, state="drawn").count() == 1
    assert PurchaseHistory.objects.filter(purchase=purchase, to_status="publicity").count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_decryptions_of_one_bid_open_it_once():
    world = conftest._seed()
    tender = tender_publish(
        category="procurement",
        title="终端采购",
        tenderer_name="南京新港开发有限公司",
        tenderer_code=world.buyer_entity.credit_code,
        region_code="320100",
        budget_fen=10**8,
        announcement="采购。",
        bid_deadline=T0 + dt.timedelta(days=2),
        expert_specialty="信息技术",
        expert_count=3,
        min_bids=1,
        now=T0,
    )
    bid, code = bid_submit(
        tender=tender,
        bidder=world.agencies[0].legal_entity,
        price_fen=9 * 10**7,
        proposal="甲",
        now=T0,
    )
    opening = T0 + dt.timedelta(days=2, minutes=1)
    tender_opening_start(tender=tender, now=opening)
    results = _in_threads(
        3, lambda i: bid_decrypt(bid=bid, decryption_code=code, now=opening).status
    )
    assert sorted(map(str, results)) == ["opened", "tender_invalid_state", "tender_invalid_state"]
    assert TenderBid.objects.get(pk=bid.pk).price_fen == 9 * 10**7
