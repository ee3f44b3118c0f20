"""The trading centre's pages in real Chromium at 360 px (issue 18): the staff add an
expert to the pool, announce a tender with its document (a first try with the
opening before the deadline is refused beside the field), post a clarification;
the public page shows both; a business bids sealed, the staff open at the set
time, the bidder decrypts, and the committee is drawn from the pool. axe-core
on every page, and the forms once more in large-text mode.

Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tongban.core import clock
from tongban.intermediaries.models import (
    BidStatus,
    Expert,
    Tender,
    TenderBid,
    TenderDocument,
    TenderExpert,
    TenderStatus,
)
from tongban.intermediaries.services import experts as expert_services
from tongban.intermediaries.tests.conftest import PASSWORD, T0, _seed
from tongban.org.demo import credit_code_for
from tongban.org.selectors import staff_scope_for
from tongban.workbench.tests.test_browser_credit_pages import fits_and_passes

pytestmark = pytest.mark.browser
PHONE_360 = {"width": 360, "height": 780}
PDF = b"%PDF-1.4\n% tender document\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DEADLINE_LOCAL = "2026-11-23T10:00"  # Shanghai time, three weeks after T0
DEADLINE = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
OPENING = DEADLINE + dt.timedelta(hours=1)


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def phone(new_page: Any) -> Any:
    page = new_page(PHONE_360)
    page.set_default_timeout(60_000)  # the shared test machine is slow
    return page


def _pool(world: Any) -> None:
    """Three more 房屋建筑 experts of 南京市 (the fourth is added on the page)."""
    scope = staff_scope_for(user=world.centre)
    for n in range(3):
        expert_services.expert_add(
            given=expert_services.ExpertInput(
                name=f"评标专家{n}",
                employer_name=f"高校{n}",
                employer_code=credit_code_for(
                    name=f"高校{n}", region_code="320100", registrar="12"
                ),
                specialty="房屋建筑",
                region_code="320100",
                phone=f"1370000000{n}",
            ),
            scope=scope,
        )


def _announce(centre: Any, world: Any, opens: str) -> None:
    centre.get_by_label("交易类别").select_option("construction")
    centre.get_by_label("项目名称").fill("新港物流园三期厂房工程施工")
    centre.get_by_label("招标人（出让人、采购人）").fill(world.buyer_entity.name)
    centre.get_by_label("招标人统一社会信用代码").fill(world.buyer_entity.credit_code)
    centre.get_by_label("项目所在地区").select_option("320100")
    centre.get_by_label("控制价或底价（元）").fill("36000000")
    centre.get_by_label("报名及投标截止时间").fill(DEADLINE_LOCAL)
    centre.get_by_label("开标时间", exact=True).fill(opens)
    centre.get_by_label("公告内容").fill(
        "招标公告：新港物流园三期厂房工程施工，资格后审，电子投标。"
    )
    centre.get_by_label("评标专业").fill("房屋建筑")
    centre.get_by_label("评标专家人数").fill("3")
    centre.get_by_label("有效投标最少数量").fill("1")
    centre.get_by_label("招标文件（PDF 或 OFD）").set_input_files(
        {"name": "招标文件.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    centre.get_by_role("button", name="发布公告").click()
    centre.wait_for_load_state()


def test_staff_announce_clarify_and_the_tender_goes_to_the_expert_draw(new_page, monkeypatch):
    moment = {"now": T0}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    centre = phone(new_page)  # the browser first: seeding needs its async-unsafe switch
    world = _seed()
    _pool(world)
    log_in(centre, "centre")

    centre.goto("/workbench/market/")
    centre.get_by_role("link", name="评标专家库").click()
    centre.wait_for_load_state()
    fits_and_passes(centre, "market-experts")
    centre.get_by_label("姓名", exact=True).fill("钱工")
    centre.get_by_label("评标专业").fill("房屋建筑")
    centre.get_by_label("工作单位", exact=True).fill("南京建工集团有限公司")
    centre.get_by_label("工作单位统一社会信用代码").fill("123")
    centre.get_by_label("所在地区").select_option("320100")
    centre.get_by_label("手机号码").fill("13700000009")
    centre.get_by_role("button", name="加入专家库").click()
    centre.wait_for_load_state()
    assert "统一社会信用代码无效" in centre.locator("#id_employer_code_error").inner_text()
    fits_and_passes(centre, "market-experts-refused")
    code = credit_code_for(name="南京建工集团有限公司", region_code="320100", registrar="91")
    centre.get_by_label("工作单位统一社会信用代码").fill(code)
    centre.get_by_role("button", name="加入专家库").click()
    centre.wait_for_load_state()
    assert "已将钱工加入专家库" in centre.content()
    assert "137****0009" in centre.locator("table").inner_text()
    assert Expert.objects.filter(active=True, specialty="房屋建筑").count() == 4

    centre.goto("/workbench/market/")
    centre.get_by_role("link", name="发布交易公告").click()
    centre.wait_for_load_state()
    fits_and_passes(centre, "market-tender-new")
    _announce(centre, world, opens="2026-11-23T09:00")
    assert "开标时间不能早于投标截止时间" in centre.locator("#id_opens_at_error").inner_text()
    assert centre.get_by_role("alert").count() and not Tender.objects.exists()
    fits_and_passes(centre, "market-tender-refused")
    _announce(centre, world, opens="2026-11-23T11:00")
    tender = Tender.objects.get()
    assert centre.url.endswith(f"/workbench/market/tenders/{tender.code}/")
    assert tender.opening_time == OPENING
    fits_and_passes(centre, "market-tender")
    centre.get_by_label("澄清标题").fill("关于基础形式的澄清")
    centre.get_by_label("澄清内容").fill("基础形式由独立基础调整为筏板基础，工程量清单同步更新。")
    centre.get_by_role("button", name="发布澄清").click()
    centre.wait_for_load_state()
    assert "澄清已发布" in centre.content()
    assert TenderDocument.objects.filter(tender=tender).count() == 2

    public = phone(new_page)
    public.goto(f"/market/tenders/{tender.code}/")
    text = public.locator("main").inner_text()
    assert "招标文件.pdf" in text and "关于基础形式的澄清" in text and "筏板基础" in text
    assert "2026年11月23日 11:00" in text
    fits_and_passes(public, "market-tender-public")

    # A business sends a sealed bid, decrypts it at the set opening time; the draw follows.
    moment["now"] = T0 + dt.timedelta(days=1)
    bidder = phone(new_page)
    log_in(bidder, "agency0")
    bidder.goto(f"/market/tenders/{tender.code}/bid/")
    bidder.get_by_label("投标报价（元）").fill("35000000")
    bidder.get_by_label("技术方案").fill("装配式钢结构，工期 200 日历天。")
    bidder.get_by_role("button", name="加密并递交").click()
    bidder.wait_for_load_state()
    decryption_code = bidder.locator("[data-decryption-code]").inner_text()
    bid = TenderBid.objects.get(tender=tender)
    assert bid.price_fen is None and "装配式" not in bid.envelope

    moment["now"] = DEADLINE + dt.timedelta(minutes=30)  # after the deadline, before opening
    centre.goto("/workbench/market/")
    centre.get_by_role("button", name="开标").click()
    centre.wait_for_load_state()
    assert "未到开标时间，不能开标" in centre.content()
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.BIDDING
    moment["now"] = OPENING
    centre.get_by_role("button", name="开标").click()
    centre.wait_for_load_state()
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.OPENING

    bidder.goto(f"/market/tenders/{tender.code}/")
    bidder.get_by_role("link", name="输入解密码，确认解密").click()
    bidder.wait_for_load_state()
    bidder.get_by_label("解密码（32 位，可含空格）").fill(decryption_code)
    bidder.get_by_role("button", name="确认解密").click()
    bidder.wait_for_load_state()
    assert TenderBid.objects.get(pk=bid.pk).status == BidStatus.OPENED

    centre.goto("/workbench/market/")
    centre.get_by_role("button", name="结束解密并抽取专家").click()
    centre.wait_for_load_state()
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.EVALUATING
    assert TenderExpert.objects.filter(tender=tender).count() == 3
    public.goto(f"/market/tenders/{tender.code}/")
    public.get_by_role("link", name="随机抽取公示").click()
    public.wait_for_load_state()
    fits_and_passes(public, "market-tender-draw")

    # The staff's forms once more in large-text mode.
    centre.context.add_cookies(
        [{"name": "tb_large_text", "value": "1", "url": centre.url.split("/workbench")[0]}]
    )
    for url, name in (
        ("/workbench/market/tenders/new/", "market-tender-new-large"),
        ("/workbench/market/experts/", "market-experts-large"),
    ):
        centre.goto(url)
        fits_and_passes(centre, name)
