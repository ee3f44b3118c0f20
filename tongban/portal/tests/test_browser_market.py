"""The marketplace in real Chromium at phone width (issue 18): a buyer publishes a
random-draw purchase, three agencies sign up, the draw runs in public, the contract is
confirmed, the service delivered and rated — every page checked with axe at 360 px.

Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core import clock
from tongban.core.models import DrawRecord
from tongban.intermediaries.models import Purchase, PurchaseStatus
from tongban.intermediaries.tests.conftest import PASSWORD, T0, _seed
from tongban.portal.tests.test_browser import assert_accessible, has_horizontal_scroll

pytestmark = pytest.mark.browser
PHONE_360 = {"width": 360, "height": 780}


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


def test_a_purchase_from_publication_to_rating_on_a_phone(new_page, monkeypatch):
    moment = {"now": T0}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    world = _seed()
    buyer = phone(new_page)
    log_in(buyer, "buyer")
    buyer.goto("/market/purchases/new/")
    check(buyer)
    buyer.get_by_label("项目名称").fill("新港物流园项目环境影响评价")
    buyer.get_by_label("项目所在地区划代码").fill("320100")
    buyer.get_by_label("预算（元）").fill("150000")
    buyer.get_by_label("资质要求（无要求请留空）").fill("环评甲级")
    buyer.get_by_label("服务时限（工作日）").fill("20")
    buyer.get_by_label("随机抽取").check()
    buyer.get_by_label("报名截止日期（当日 17:00）").fill("2026-11-05")
    buyer.get_by_label("服务内容").fill("编制环境影响报告书并配合评审。")
    buyer.get_by_role("button", name="发布").click()
    buyer.wait_for_load_state()
    purchase = Purchase.objects.get()
    assert buyer.url.endswith(f"/market/purchases/{purchase.code}/")
    assert buyer.locator("[data-draw-link]").is_visible()
    check(buyer)

    for index in range(3):
        agency = phone(new_page)
        log_in(agency, f"agency{index}")
        agency.goto(f"/market/purchases/{purchase.code}/")
        if index == 0:
            check(agency)
        agency.get_by_role("button", name="报名").click()
        agency.wait_for_load_state()
        assert "报名成功" in agency.content()

    moment["now"] = purchase.signup_closes_at + dt.timedelta(minutes=5)  # Thu 5 Nov 17:05
    buyer.goto(f"/market/purchases/{purchase.code}/")
    buyer.get_by_role("button", name="公开随机抽取").click()
    buyer.wait_for_load_state()
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.PUBLICITY and purchase.selected is not None
    assert purchase.selected.agency.name in buyer.locator("[data-selected]").inner_text()
    check(buyer)
    buyer.locator("[data-draw-link]").click()
    buyer.wait_for_load_state()
    assert "复核通过" in buyer.content()
    record = DrawRecord.objects.get(public_id=str(purchase.draw_public_id))
    assert record.seed in buyer.content()
    check(buyer)

    assert purchase.publicity_ends_at is not None
    moment["now"] = purchase.publicity_ends_at + dt.timedelta(minutes=1)
    buyer.goto(f"/market/purchases/{purchase.code}/")
    buyer.get_by_label("合同金额（元）").fill("120000")
    buyer.get_by_role("button", name="确认合同").click()
    buyer.wait_for_load_state()
    assert "服务时限开始计算" in buyer.content()

    winner = world.agency_users[world.agencies.index(purchase.selected.agency)]
    agency = phone(new_page)
    log_in(agency, winner.username)
    agency.goto(f"/market/purchases/{purchase.code}/")
    agency.get_by_role("button", name="服务已完成").click()
    agency.wait_for_load_state()

    buyer.goto(f"/market/purchases/{purchase.code}/")
    check(buyer)
    buyer.get_by_label("4 星").check()
    buyer.get_by_label("评价（差评须写明原因）").fill("按期交付，质量较好")
    buyer.get_by_role("button", name="提交评价").click()
    buyer.wait_for_load_state()
    assert "4 星" in buyer.locator("[data-rating]").inner_text()
    check(buyer)
    buyer.goto("/market/")
    assert purchase.code in buyer.content()
    check(buyer)
