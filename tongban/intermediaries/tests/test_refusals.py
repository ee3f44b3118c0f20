"""The issue's bad inputs, each refused with its code, logged, and nothing changed: a bid
after the deadline, an opening before time, a draw re-run, a black-listed party taking
part anywhere (sign-up, a consortium member restricted after forming, a tender bid,
a buyer's direct choice), a purchase with a designated agency."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from tongban.core import draws
from tongban.core.errors import DomainError
from tongban.core.models import DrawRecord
from tongban.credit.models import CreditList, ListKind, ListMeasure, Measure
from tongban.credit.services.lists import list_entry_add
from tongban.intermediaries import sealing
from tongban.intermediaries.models import (
    Purchase,
    PurchaseSignup,
    PurchaseStatus,
    SignupStatus,
    Tender,
    TenderBid,
)
from tongban.intermediaries.services import (
    agency_penalty_record,
    consortium_form,
    purchase_draw_run,
    purchase_select,
    purchase_signup,
)
from tongban.intermediaries.services.opening import bids_decrypt_batch
from tongban.intermediaries.services.trading import (
    bid_decrypt,
    bid_submit,
    bid_submit_sealed,
    tender_opening_start,
)
from tongban.intermediaries.tests.conftest import CLOSES, T0
from tongban.intermediaries.tests.helpers import publish
from tongban.intermediaries.tests.test_trading import DEADLINE, _bids, _tender
from tongban.org.models import Department

AFTER = CLOSES + dt.timedelta(minutes=1)


def refused(caplog, code: str, attempt) -> DomainError:
    caplog.clear()
    with (
        caplog.at_level(logging.WARNING, logger="tongban.intermediaries"),
        pytest.raises(DomainError) as exc,
    ):
        attempt()
    assert exc.value.code == code, exc.value.detail
    assert any(code in r.getMessage() for r in caplog.records), f"{code} was not logged"
    return exc.value


def _black_list(code: str, measure: str) -> None:
    listed = CreditList.objects.create(
        code=f"bl-{measure}",
        name="失信名单",
        kind=ListKind.BLACK,
        department=Department.objects.get(name="赣州市市场监督管理局"),
        legal_basis="《招标投标法实施条例》第六十七条",
        way_out="期满移出。",
    )
    ListMeasure.objects.create(credit_list=listed, measure=measure, description="限制")
    list_entry_add(
        list_code=f"bl-{measure}",
        subject_kind="entity",
        subject_code=code,
        reason="串通投标",
        legal_basis="第六十七条",
        valid_until=dt.date(2028, 1, 1),
        actor=None,
        now=T0,
    )


def test_a_late_bid_and_an_early_opening_are_refused_logged_and_change_nothing(world, caplog):
    tender = _tender(world)
    entity = world.agencies[0].legal_entity
    sealed = sealing.seal(
        b"{}", scheme=tender.key_scheme, public=tender.opening_public_key, aad=b"x"
    )
    for attempt in (
        lambda: bid_submit(tender=tender, bidder=entity, price_fen=1, proposal="", now=DEADLINE),
        lambda: bid_submit_sealed(
            tender=tender,
            bidder=entity,
            envelope=sealed.envelope,
            code_hash=sealed.code_hash,
            now=DEADLINE + dt.timedelta(days=1),
        ),
    ):
        refused(caplog, "bid_deadline_passed", attempt)
    assert not TenderBid.objects.filter(tender=tender).exists()

    codes = _bids(world, tender)
    bid = TenderBid.objects.filter(tender=tender).earliest("pk")
    early = DEADLINE - dt.timedelta(minutes=1)
    refused(caplog, "opening_not_yet", lambda: tender_opening_start(tender=tender, now=early))
    refused(
        caplog,
        "opening_not_yet",
        lambda: bid_decrypt(bid=bid, decryption_code=codes[bid.pk], now=early),
    )
    by_bidder = {b.bidder_code: codes[b.pk] for b in TenderBid.objects.filter(tender=tender)}
    refused(
        caplog,
        "opening_not_yet",
        lambda: bids_decrypt_batch(tender=tender, codes=by_bidder, now=early),
    )
    assert Tender.objects.get(pk=tender.pk).status == "bidding"
    assert set(TenderBid.objects.filter(tender=tender).values_list("status", flat=True)) == {
        "sealed"
    }
    tender_opening_start(tender=tender, now=DEADLINE)  # at the time itself it opens


def test_a_draw_cannot_be_run_again_and_the_refusal_is_logged(world, caplog):
    purchase = publish(world, method="random")
    for i, agency in enumerate(world.agencies[:3]):
        purchase_signup(purchase=purchase, agency=agency, now=T0 + dt.timedelta(hours=i))
    purchase = purchase_draw_run(purchase=purchase, now=AFTER)
    record = DrawRecord.objects.get(public_id=str(purchase.draw_public_id))
    seed, result = record.seed, record.result
    refused(
        caplog, "purchase_invalid_state", lambda: purchase_draw_run(purchase=purchase, now=AFTER)
    )
    with pytest.raises(DomainError) as exc:  # the engine: other inputs are no re-roll either
        draws.draw_run(
            record, candidates=list(draws.draw_candidates(record) or [])[1:], k=1, actor=None
        )
    assert exc.value.code == "draw_already_run"
    record.refresh_from_db()
    assert (record.seed, record.result) == (seed, result)
    assert Purchase.objects.get(pk=purchase.pk).status == PurchaseStatus.PUBLICITY


def test_a_black_listed_party_is_refused_wherever_it_takes_part(world, caplog):
    a0, a1, a2 = world.agencies[:3]
    consortium = consortium_form(lead=a1, members=[a2], name="金陵联合体", now=T0)
    direct = publish(world, method="direct")
    purchase_signup(purchase=direct, agency=a0, now=T0)
    purchase_signup(purchase=direct, agency=a1, now=T0)
    # a0 is black-listed for intermediary work, a2 suspended (after forming the consortium),
    # and a0 black-listed for bidding as well.
    _black_list(a0.credit_code, Measure.MARKETPLACE)
    _black_list(a0.credit_code, Measure.BIDDING)
    agency_penalty_record(
        agency=a2,
        kind="suspension",
        reason="出具虚假报告",
        decided_by="江苏省生态环境厅",
        region_code="320000",
        starts_at=T0,
        now=T0,
    )
    other = publish(world, method="random")
    refused(caplog, "agency_restricted", lambda: purchase_signup(purchase=other, agency=a0, now=T0))
    refused(
        caplog,
        "agency_restricted",
        lambda: purchase_signup(purchase=other, agency=a1, consortium=consortium, now=T0),
    )
    refused(
        caplog,
        "agency_restricted",
        lambda: consortium_form(lead=a1, members=[a0], name="新联合体", now=T0),
    )
    assert not PurchaseSignup.objects.filter(purchase=other).exists()
    tender = _tender(world)
    refused(
        caplog,
        "agency_restricted",
        lambda: bid_submit(tender=tender, bidder=a0.legal_entity, price_fen=1, proposal="", now=T0),
    )
    assert not TenderBid.objects.filter(tender=tender).exists()
    # The buyer cannot choose a0 directly: at selection it is excluded, not a candidate.
    a0_signup = PurchaseSignup.objects.get(purchase=direct, agency=a0)
    refusal = refused(
        caplog,
        "agency_restricted",
        lambda: purchase_select(
            purchase=direct, signup_id=a0_signup.pk, reason="经验丰富", actor=world.buyer, now=AFTER
        ),
    )
    assert "失信名单" in refusal.detail
    assert PurchaseSignup.objects.get(pk=a0_signup.pk).status != SignupStatus.SELECTED
    assert Purchase.objects.get(pk=direct.pk).selected is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"restrictions": {"designated_agency": ["91320100MA1XXXXXXX"]}},
        {"description": "请指定机构：苏环评咨询有限公司承担。"},
    ],
)
def test_a_designated_agency_is_refused_logged_and_nothing_is_saved(world, caplog, overrides):
    before = Purchase.objects.count()
    refused(caplog, "purchase_designated_agency", lambda: publish(world, **overrides))
    assert Purchase.objects.count() == before
