"""A tender in real Chromium at phone width (issue 18): announced with its documents,
three businesses download them and send sealed bids from the page and keep their
decryption codes; at the opening each confirms decryption on the page (one mistypes
first); the experts drawn declare 回避, sign their scoring sheets per criterion and the
lead writes the report; the bidders see the publicized result. axe on every page.

Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tongban.core import clock
from tongban.identity.models import User
from tongban.intermediaries.models import (
    BidStatus,
    Expert,
    Tender,
    TenderBid,
    TenderExpert,
    TenderStatus,
)
from tongban.intermediaries.services.trading import tender_document_add, tender_publish
from tongban.intermediaries.tests.conftest import PASSWORD, T0, _seed
from tongban.portal.tests.test_browser import assert_accessible, has_horizontal_scroll

pytestmark = pytest.mark.browser
PHONE_360 = {"width": 360, "height": 780}
DEADLINE = T0 + dt.timedelta(days=20)
PROPOSAL = "采用装配式钢结构，工期 180 日历天。"


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def phone(new_page):
    page = new_page(PHONE_360)
    page.set_default_timeout(60_000)  # the shared test machine is slow; the flow is long
    return page


def check(page) -> None:
    assert not has_horizontal_scroll(page), f"{page.url} scrolls sideways at 360 px"
    assert_accessible(page)


def _experts() -> list[Expert]:
    experts = []
    for i in range(4):
        user = User.objects.create_user(
            f"expert{i}", PASSWORD, kind="citizen", display_name=f"评标专家{i}"
        )
        experts.append(
            Expert.objects.create(
                code=f"E{i:04d}",
                name=f"专家{i}",
                specialty="房屋建筑",
                employer_name="东南大学",
                employer_code=f"12100000466006{i:03d}X"[:18],
                user=user,
            )
        )
    return experts


def test_a_tender_from_announcement_through_sealed_bids_and_opening_to_publicity(
    new_page, monkeypatch
):
    moment = {"now": T0}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    world = _seed()
    _experts()
    tender = tender_publish(
        category="construction",
        title="新港物流园一期仓储工程施工",
        tenderer_name=world.buyer_entity.name,
        tenderer_code=world.buyer_entity.credit_code,
        region_code="320100",
        budget_fen=5_000_000_000,
        announcement="招标公告：新港物流园一期仓储工程施工，资格后审。",
        bid_deadline=DEADLINE,
        expert_specialty="房屋建筑",
        expert_count=3,
        actor=world.centre,
    )
    tender_document_add(
        tender=tender, kind="document", title="招标文件", content="第一章 招标公告 …"
    )

    codes: dict[str, str] = {}
    for index in range(3):
        moment["now"] = T0 + dt.timedelta(days=1, hours=index)
        bidder = phone(new_page)
        log_in(bidder, f"agency{index}")
        bidder.goto("/market/tenders/?status=bidding")
        if index == 0:
            check(bidder)
        bidder.get_by_role("link", name=tender.title).click()
        bidder.wait_for_load_state()
        if index == 0:
            check(bidder)
        bidder.get_by_role("link", name="递交投标文件").click()
        bidder.wait_for_load_state()
        with bidder.expect_download() as download:
            bidder.get_by_role("link", name="招标文件：招标文件").click()
        assert "第一章" in Path(download.value.path()).read_text(encoding="utf-8")
        if index == 0:
            check(bidder)
        bidder.get_by_label("投标报价（元）").fill(f"{40_000_000 + index * 100_000}")
        bidder.get_by_label("技术方案").fill(PROPOSAL if index == 0 else f"方案{index}")
        bidder.get_by_role("button", name="加密并递交").click()
        bidder.wait_for_load_state()
        code = bidder.locator("[data-decryption-code]").inner_text()
        assert len(code.replace(" ", "")) == 32
        codes[world.agencies[index].credit_code] = code
        if index == 0:
            check(bidder)
            receipt = bidder.locator("[data-receipt]").inner_text()
            bid = TenderBid.objects.get(tender=tender, bidder_code=world.agencies[0].credit_code)
            assert receipt == bid.envelope_sm3 and bid.price_fen is None
            assert PROPOSAL not in bid.envelope and bid.status == BidStatus.SEALED
            bidder.goto(f"/market/tenders/{tender.code}/")
            assert bidder.locator("[data-my-bid-status]").get_attribute("data-my-bid-status") == (
                "sealed"
            )

    late = phone(new_page)
    log_in(late, "agency3")
    moment["now"] = DEADLINE
    late.goto(f"/market/tenders/{tender.code}/bid/")
    assert "投标截止时间已过" in late.content()
    assert not late.get_by_role("button", name="加密并递交").count()

    moment["now"] = DEADLINE + dt.timedelta(minutes=5)
    centre = phone(new_page)
    log_in(centre, "centre")
    centre.goto("/workbench/market/")
    centre.get_by_role("button", name="开标").click()
    centre.wait_for_load_state()
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.OPENING

    for index in range(3):
        bidder = phone(new_page)
        log_in(bidder, f"agency{index}")
        bidder.goto(f"/market/tenders/{tender.code}/")
        bidder.get_by_role("link", name="输入解密码，确认解密").click()
        bidder.wait_for_load_state()
        if index == 0:
            check(bidder)
            bidder.get_by_label("解密码（32 位，可含空格）").fill("0" * 32)
            bidder.get_by_role("button", name="确认解密").click()
            bidder.wait_for_load_state()
            assert "解密码不正确" in bidder.get_by_role("alert").inner_text()
            check(bidder)
        bidder.get_by_label("解密码（32 位，可含空格）").fill(
            codes[world.agencies[index].credit_code]
        )
        bidder.get_by_role("button", name="确认解密").click()
        bidder.wait_for_load_state()
        assert "解密成功" in bidder.content()
        assert bidder.locator("[data-my-bid-status]").get_attribute("data-my-bid-status") == (
            "opened"
        )
        if index == 0:
            check(bidder)
    assert set(TenderBid.objects.filter(tender=tender).values_list("status", flat=True)) == {
        BidStatus.OPENED
    }
    first = TenderBid.objects.get(tender=tender, bidder_code=world.agencies[0].credit_code)
    assert first.proposal == PROPOSAL and first.price_fen == 4_000_000_000

    centre.goto("/workbench/market/")
    centre.get_by_role("button", name="结束解密并抽取专家").click()
    centre.wait_for_load_state()
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.EVALUATING

    seats = list(TenderExpert.objects.filter(tender=tender).order_by("seat"))
    assert len(seats) == 3 and seats[0].is_lead
    accounts = {s.pk: s.expert.user.username for s in seats if s.expert.user is not None}
    for number, seat in enumerate(seats):
        expert = phone(new_page)
        log_in(expert, accounts[seat.pk])
        expert.goto("/market/evaluation/")
        if number == 0:
            check(expert)
        expert.get_by_role("link", name=tender.title).click()
        expert.wait_for_load_state()
        if number == 0:
            check(expert)
        expert.get_by_label("无利害关系，不存在应当回避的情形").check()
        expert.get_by_role("button", name="提交声明").click()
        expert.wait_for_load_state()
        if number == 0:
            check(expert)
        for b, bid in enumerate(TenderBid.objects.filter(tender=tender).order_by("pk")):
            values = {"business": 15, "technical": 30 + b + number, "price": 35}
            if number == 0 and b == 0:
                values["technical"] = 41  # over the maximum of 40: refused, nothing kept
            for key, value in values.items():
                expert.locator(f"#s-{bid.pk}-{key}").fill(str(value))
        expert.get_by_label("本人承诺评分客观公正，确认签名提交（提交后不能修改）").check()
        expert.get_by_role("button", name="签名提交评分表").click()
        expert.wait_for_load_state()
        if number == 0:
            assert "0–40" in expert.get_by_role("alert").inner_text()
            lowest = TenderBid.objects.filter(tender=tender).earliest("pk")
            expert.locator(f"#s-{lowest.pk}-technical").fill("30")
            expert.get_by_label("本人承诺评分客观公正，确认签名提交（提交后不能修改）").check()
            expert.get_by_role("button", name="签名提交评分表").click()
            expert.wait_for_load_state()
        sm3 = TenderExpert.objects.get(pk=seat.pk).sheet_sm3
        assert expert.locator("[data-sheet-sm3]").inner_text() == sm3 and len(sm3) == 64
        if number == 0:
            check(expert)

    lead = phone(new_page)
    log_in(lead, accounts[seats[0].pk])
    lead.goto(f"/market/evaluation/{tender.code}/")
    check(lead)
    lead.get_by_label("评标报告（10 字以上）").fill("评标委员会一致推荐以下中标候选人，排序如下。")
    lead.get_by_role("button", name="提交评标报告并公示").click()
    lead.wait_for_load_state()
    tender = Tender.objects.get(pk=tender.pk)
    assert tender.status == TenderStatus.PUBLICITY and tender.publicity_ends_at is not None

    winner = TenderBid.objects.get(tender=tender, rank=1)
    index = [a.credit_code for a in world.agencies].index(winner.bidder_code)
    bidder = phone(new_page)
    log_in(bidder, f"agency{index}")
    bidder.goto(f"/market/tenders/{tender.code}/")
    assert "第 1 名" in bidder.locator("[data-my-rank]").inner_text()
    assert "评标委员会一致推荐" in bidder.content()
    check(bidder)
    bidder.goto("/market/bids/")
    assert "第 1 名" in bidder.content()
    check(bidder)
