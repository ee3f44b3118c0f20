"""The bidder's pages without a browser: the bid page seals at once and shows the code
only in its own no-store answer (never stored anywhere), documents download with their
SM3, the opening page refuses a wrong code and opens with the right one."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from tongban.core import clock
from tongban.intermediaries.models import BidStatus, TenderBid
from tongban.intermediaries.services.trading import tender_document_add, tender_opening_start
from tongban.intermediaries.tests.conftest import PASSWORD, T0
from tongban.intermediaries.tests.test_trading import OPENING, _database_text, _tender

SECRET = "技术方案：采用装配式钢结构，工期180日历天。"


@pytest.fixture
def moment(monkeypatch):
    now = {"at": T0 + dt.timedelta(days=1)}
    monkeypatch.setattr(clock, "now", lambda: now["at"])
    return now


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_bid_is_sealed_from_the_page_and_its_code_is_kept_nowhere(world, moment):
    tender = _tender(world)
    document = tender_document_add(
        tender=tender, kind="document", title="招标文件", content="第一章 招标公告", now=T0
    )
    bidder = _client(world.agency_users[0])
    download = bidder.get(f"/market/tenders/{tender.code}/documents/{document.pk}/")
    assert download.status_code == 200 and download["X-Content-SM3"] == document.sm3
    assert download.content.decode() == "第一章 招标公告"
    assert "attachment" in download["Content-Disposition"]
    page = bidder.get(f"/market/tenders/{tender.code}/bid/")
    assert "加密并递交" in page.content.decode()

    refused = bidder.post(f"/market/tenders/{tender.code}/bid/", {"price": "abc"})
    assert "投标报价须为数字" in refused.content.decode()
    assert not TenderBid.objects.filter(tender=tender).exists()

    sealed = bidder.post(
        f"/market/tenders/{tender.code}/bid/", {"price": "40,000,000.00", "proposal": SECRET}
    )
    assert sealed.status_code == 200 and "no-store" in sealed["Cache-Control"]
    match = re.search(r"data-decryption-code>([0-9a-f ]+)<", sealed.content.decode())
    assert match is not None
    code = match.group(1)
    stored = _database_text()  # every column of every table, the session table included
    assert code.replace(" ", "") not in stored and code not in stored
    assert SECRET not in stored and "4000000000" not in stored
    bid = TenderBid.objects.get(tender=tender)
    assert bid.status == BidStatus.SEALED and bid.envelope_sm3 in sealed.content.decode()

    again = bidder.post(f"/market/tenders/{tender.code}/bid/", {"price": "1", "proposal": ""})
    assert "不能重复递交" in again.content.decode()
    assert TenderBid.objects.filter(tender=tender).count() == 1

    early = bidder.get(f"/market/tenders/{tender.code}/decrypt/")
    assert "尚未开标" in early.content.decode()

    moment["at"] = OPENING
    tender_opening_start(tender=tender, now=OPENING)
    wrong = bidder.post(f"/market/tenders/{tender.code}/decrypt/", {"code": "0" * 32})
    assert "解密码不正确" in wrong.content.decode()
    assert TenderBid.objects.get(pk=bid.pk).status == BidStatus.SEALED
    done = bidder.post(f"/market/tenders/{tender.code}/decrypt/", {"code": code}, follow=True)
    assert "解密成功" in done.content.decode()
    bid.refresh_from_db()
    assert bid.status == BidStatus.OPENED and bid.proposal == SECRET
    assert bid.price_fen == 4_000_000_000
    mine = bidder.get("/market/bids/").content.decode()
    assert tender.title in mine and "40,000,000.00" in mine


def test_a_late_bid_and_someone_elses_opening_page(world, moment):
    tender = _tender(world)
    moment["at"] = tender.bid_deadline
    late = _client(world.agency_users[0]).post(
        f"/market/tenders/{tender.code}/bid/", {"price": "100", "proposal": "迟到"}
    )
    assert "投标截止时间已过" in late.content.decode()
    assert not TenderBid.objects.filter(tender=tender).exists()
    stranger = _client(world.buyer).get(f"/market/tenders/{tender.code}/decrypt/", follow=True)
    assert "没有对该项目投标" in stranger.content.decode()
