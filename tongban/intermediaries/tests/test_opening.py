"""Opening in batches (开标批量解密): bids open a batch per transaction, a bid that does not
decrypt is recorded invalid, a wrong code leaves the bid sealed, each batch is
all-or-nothing, and running it again changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.intermediaries.models import BidStatus, TenderBid
from tongban.intermediaries.services import opening
from tongban.intermediaries.services.opening import bids_decrypt_batch
from tongban.intermediaries.services.trading import bid_decrypt, tender_opening_start
from tongban.intermediaries.tests.conftest import PASSWORD
from tongban.intermediaries.tests.test_trading import DEADLINE, OPENING, SECRET, _bids, _tender


def _codes_by_bidder(tender, codes_by_pk):
    return {b.bidder_code: codes_by_pk[b.pk] for b in TenderBid.objects.filter(tender=tender)}


def _batch_events(tender):
    return AuditEvent.objects.filter(
        object_id=tender.code, action="trading.bids_decrypt_batch"
    ).count()


def test_bids_open_in_batches_and_a_second_run_changes_nothing(world):
    tender = _tender(world)
    codes = _codes_by_bidder(tender, _bids(world, tender))
    first, second, third = sorted(codes)
    tender = tender_opening_start(tender=tender, now=OPENING)
    # The third envelope was altered in the database: it is recorded invalid, not refused.
    altered = TenderBid.objects.get(tender=tender, bidder_code=third)
    TenderBid.objects.filter(pk=altered.pk).update(envelope=altered.envelope[:-8] + "AAAAAAA=")
    given = {**codes, second: "22" * 16, "91320100MA00000000": "33" * 16}

    outcome = bids_decrypt_batch(tender=tender, codes=given, batch_size=2, now=OPENING)

    assert (outcome.opened, outcome.invalid, outcome.unchanged) == (1, 1, 0)
    assert outcome.wrong_code == [second] and outcome.unknown == ["91320100MA00000000"]
    bids = {b.bidder_code: b for b in TenderBid.objects.filter(tender=tender)}
    assert bids[second].status == BidStatus.SEALED and bids[second].price_fen is None
    assert bids[third].status == BidStatus.INVALID
    assert bids[third].invalid_reason == "投标文件无法解密"
    opened = bids[first]
    assert opened.status == BidStatus.OPENED and opened.confirmed_at == OPENING
    assert opened.price_fen is not None and opened.proposal in (SECRET, "方案1", "方案2")
    assert outcome.batches == _batch_events(tender) == 2

    # The bidder who mistyped gives the right code; the first run again changes nothing.
    again = bids_decrypt_batch(tender=tender, codes=codes, batch_size=2, now=OPENING)
    assert (again.opened, again.invalid, again.unchanged, again.wrong_code) == (1, 0, 2, [])
    assert TenderBid.objects.get(pk=bids[second].pk).status == BidStatus.OPENED
    third_run = bids_decrypt_batch(tender=tender, codes=codes, now=OPENING)
    assert (third_run.opened, third_run.invalid, third_run.unchanged) == (0, 0, 3)
    assert third_run.batches == 0 and _batch_events(tender) == 3


def test_a_batch_before_the_opening_is_refused_and_changes_nothing(world):
    tender = _tender(world)
    codes = _codes_by_bidder(tender, _bids(world, tender))
    # Before the deadline: not yet; after it, not before the centre opens the opening.
    for moment, code in (
        (DEADLINE - dt.timedelta(seconds=1), "opening_not_yet"),
        (OPENING, "tender_invalid_state"),
    ):
        with pytest.raises(DomainError) as exc:
            bids_decrypt_batch(tender=tender, codes=codes, now=moment)
        assert exc.value.code == code
    assert set(TenderBid.objects.filter(tender=tender).values_list("status", flat=True)) == {
        BidStatus.SEALED
    }


def test_each_batch_is_all_or_nothing(world, monkeypatch):
    tender = _tender(world)
    codes = _codes_by_bidder(tender, _bids(world, tender))
    tender = tender_opening_start(tender=tender, now=OPENING)
    real_audit = opening._audit
    calls = {"n": 0}

    def audit_failing_on_the_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the database went away")
        return real_audit(*args, **kwargs)

    monkeypatch.setattr(opening, "_audit", audit_failing_on_the_second_batch)
    with pytest.raises(RuntimeError):
        bids_decrypt_batch(tender=tender, codes=codes, batch_size=2, now=OPENING)
    statuses = dict(TenderBid.objects.filter(tender=tender).values_list("bidder_code", "status"))
    first, second, third = sorted(codes)
    assert statuses == {
        first: BidStatus.OPENED,
        second: BidStatus.OPENED,
        third: BidStatus.SEALED,  # its batch was rolled back whole
    }
    monkeypatch.setattr(opening, "_audit", real_audit)
    outcome = bids_decrypt_batch(tender=tender, codes=codes, batch_size=2, now=OPENING)
    assert (outcome.opened, outcome.unchanged) == (1, 2)


def test_one_bidder_and_the_batch_agree(world):
    """The page's one-bid decryption and the batch give the same record."""
    tender = _tender(world)
    codes_by_pk = _bids(world, tender)
    codes = _codes_by_bidder(tender, codes_by_pk)
    tender = tender_opening_start(tender=tender, now=OPENING)
    one, *rest = sorted(codes)
    single = bid_decrypt(
        bid=TenderBid.objects.get(tender=tender, bidder_code=one),
        decryption_code=codes[one],
        now=OPENING,
    )
    bids_decrypt_batch(tender=tender, codes={b: codes[b] for b in rest}, now=OPENING)
    for bid in TenderBid.objects.filter(tender=tender):
        assert bid.status == BidStatus.OPENED and bid.price_fen and bid.confirmed_at == OPENING
    assert single.price_fen == TenderBid.objects.get(pk=single.pk).price_fen


def test_the_centre_decrypts_the_codes_handed_in_at_an_on_site_opening(world, monkeypatch):
    tender = _tender(world)
    codes = _codes_by_bidder(tender, _bids(world, tender))
    first, second, third = sorted(codes)
    monkeypatch.setattr(clock, "now", lambda: OPENING)
    centre = Client()
    assert centre.login(username=world.centre.username, password=PASSWORD)
    centre.post("/workbench/market/", {"action": "opening", "tender": tender.code})
    spaced = " ".join(codes[third][i : i + 4] for i in range(0, 32, 4))
    lines = f"{first} {codes[first]}\n{second.lower()}，{'0' * 32}\n\n{third} {spaced}\n"
    page = centre.post(
        "/workbench/market/",
        {"action": "decrypt_batch", "tender": tender.code, "codes": lines},
        follow=True,
    )
    text = page.content.decode()
    assert "已解密 2 份" in text and f"解密码不正确（仍为密封，可重新提交）：{second}" in text
    statuses = dict(TenderBid.objects.filter(tender=tender).values_list("bidder_code", "status"))
    assert statuses == {
        first: BidStatus.OPENED,
        second: BidStatus.SEALED,
        third: BidStatus.OPENED,
    }
    bad = centre.post(
        "/workbench/market/",
        {"action": "decrypt_batch", "tender": tender.code, "codes": "123 abc"},
    )
    assert "第 1 行须为" in bad.content.decode()
