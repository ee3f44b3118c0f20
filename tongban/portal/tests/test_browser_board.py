"""The indicators board in real Chromium at phone width: the supervisor's board
and the public figures page render their charts, fit the screen and pass axe-core.

Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import pytest

from tongban.analytics import services
from tongban.analytics.tests.conftest import NOV, NOW, seed_month
from tongban.cases.tests.conftest import _seed, _seed_accounts
from tongban.portal.tests.test_browser import (
    PHONE,
    assert_accessible,
    has_horizontal_scroll,
    screenshot,
)

pytestmark = pytest.mark.browser


def test_the_board_and_the_public_figures_on_a_phone(new_page, live_server, transactional_db):
    world = _seed()
    seed_month(world, _seed_accounts(world))
    services.board_rollups_rebuild(periods=[NOV], now=NOW)

    page = new_page(PHONE)
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill("supervisor")
    page.get_by_label("密码", exact=True).fill("Pw-12345678")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    page.goto("/workbench/")
    page.get_by_role("link", name="指标看板（指标与目标、区划和部门排名）").click()
    page.wait_for_load_state()
    page.get_by_label("期间").select_option("2026-11")
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state()
    chart = page.get_by_role("img", name="南京市2026年11月指标与目标（数值见下表）")
    assert chart.is_visible()
    # Drawn by Apache ECharts from our own static files, bars and targets in SVG.
    drawn = page.locator('[data-echarts="chart-shares-option"][data-rendered="echarts"]')
    assert drawn.is_visible() and drawn.locator("svg path").count() > 5
    assert page.evaluate("typeof window.echarts.init") == "function"
    assert chart.bounding_box()["width"] <= PHONE["width"]
    assert page.get_by_role("row", name="一窗受理率 50.0 %").is_visible() or (
        page.get_by_text("50.0 %").first.is_visible()
    )
    assert not has_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "board-phone")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 CSV").click()
    assert download.value.suggested_filename.endswith(".csv")

    public = new_page(PHONE)
    public.goto("/figures/?region=320100&period=2026")
    assert public.get_by_role("heading", name="政务服务数据公开：南京市 · 2026年").is_visible()
    assert public.get_by_role("img", name="南京市2026年指标与目标（数值见下表）").is_visible()
    assert public.locator('[data-rendered="echarts"]').first.is_visible()
    assert not has_horizontal_scroll(public)
    assert_accessible(public)
    screenshot(public, "figures-phone")
    assert public.get_by_role("link", name="政务服务数据公开").is_visible()
