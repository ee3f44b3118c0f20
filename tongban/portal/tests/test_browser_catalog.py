"""The catalogue pages in real Chromium: search, guide, lists, the editor's journey.

Run with ``pytest -m browser -p no:xdist``; set ``TONGBAN_SCREENSHOT_DIR`` to
keep screenshots (desktop, phone, large text) for a look by eye.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.catalog import DEMO_PASSWORD, Seed, seed_catalog
from tongban.catalog.models import GuideStatus, GuideVersion
from tongban.portal.tests.test_browser import (
    PHONE,
    assert_accessible,
    has_horizontal_scroll,
    screenshot,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def seed(transactional_db: None) -> Seed:
    return seed_catalog()


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def log_out(page: Any) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def large_text(page: Any, live_server: Any) -> None:
    page.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])


# ---------------------------------------------------------------- the public pages


def test_a_citizen_searches_with_suggestions_and_opens_the_guide(page, seed):
    page.goto("/")
    page.get_by_role("searchbox", name="搜索办事事项").fill("食品")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_load_state()
    assert "/services/?q=" in page.url
    assert page.get_by_role("heading", name="“食品”的搜索结果").is_visible()

    box = page.get_by_role("combobox", name="搜索事项")
    box.fill("")
    box.press_sequentially("结婚", delay=50)
    option = page.get_by_role("option", name="内地居民结婚登记")
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    assert option.get_attribute("aria-selected") == "true"
    screenshot(page, "services-suggestions")
    box.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="“内地居民结婚登记”的搜索结果").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="内地居民结婚登记").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "内地居民结婚登记"
    assert page.get_by_text("即办件").first.is_visible()


def test_the_services_page_and_guide_are_accessible_at_every_size(new_page, live_server, seed):
    code = seed.food.implementation_code
    for name, viewport, big in (
        ("desktop", None, False),
        ("phone", PHONE, False),
        ("phone-large", PHONE, True),
        ("desktop-large", None, True),
    ):
        page = new_page(viewport)
        if big:
            large_text(page, live_server)
        page.goto("/services/?audience=legal_entity")
        assert not has_horizontal_scroll(page), f"/services/ scrolls sideways ({name})"
        screenshot(page, f"services-{name}")
        assert_accessible(page)
        page.goto(f"/services/{code}/?q_q1=yes")
        assert page.get_by_role("heading", name="办理程序").is_visible()
        assert page.locator("figure.flowchart svg").is_visible()
        assert not has_horizontal_scroll(page), f"the guide scrolls sideways ({name})"
        screenshot(page, f"guide-{name}")
        assert_accessible(page)


def test_the_guided_questions_and_the_search_work_without_javascript(browser, live_server, seed):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto(f"/services/{seed.food.implementation_code}/")
        page.get_by_role("radio", name="是").check()
        page.get_by_role("button", name="下一步").click()
        page.wait_for_load_state()
        result = page.locator(".guided-result")
        assert "授权委托书" in result.inner_text()
        page.goto("/services/")
        page.get_by_role("searchbox", name="搜索事项").fill("结婚")
        page.get_by_role("button", name="搜索", exact=True).click()
        page.wait_for_load_state()
        assert page.get_by_role("link", name="内地居民结婚登记").is_visible()
    finally:
        context.close()


def test_a_visitor_views_a_list_and_the_figures(page, seed):
    page.goto("/lists/")
    assert_accessible(page)
    page.get_by_role("link", name="“只跑一次”事项清单").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "江苏省“只跑一次”事项清单"
    page.get_by_label("市（地区、州）").select_option(label="南京市")
    page.get_by_role("button", name="切换地区").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "江苏省南京市“只跑一次”事项清单"
    assert page.get_by_role("rowheader", name="食品经营许可证核发").is_visible()
    assert page.get_by_role("link", name="Excel 表格（.xlsx）").is_visible()
    screenshot(page, "list-desktop")
    assert_accessible(page)
    page.goto("/stats/?region=320000")
    assert page.get_by_text("目标：").first.is_visible()  # each figure beside its target
    screenshot(page, "stats-desktop")
    assert_accessible(page)


# ---------------------------------------------------------------- the editor's journey


def test_an_edit_is_submitted_by_one_editor_and_published_by_another(new_page, live_server, seed):
    code = seed.food.implementation_code
    page = new_page()
    log_in(page, "nj_editor")
    page.get_by_role("link", name="事项管理（办事指南编辑与审核）").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="事项管理", level=1).is_visible()
    screenshot(page, "workbench-catalog")
    assert_accessible(page)
    page.get_by_role("link", name="食品经营许可证核发").click()
    page.wait_for_load_state()
    screenshot(page, "workbench-item")
    assert_accessible(page)
    page.get_by_role("button", name="新建草稿").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="编辑草稿 · 第 2 版").is_visible()
    screenshot(page, "draft-editor-desktop")
    assert_accessible(page)
    page.get_by_role("spinbutton", name="承诺时限", exact=True).fill("3")
    page.get_by_label("修订说明").fill("承诺时限压缩为 3 个工作日")
    page.get_by_role("button", name="保存并提交审核").click()
    page.wait_for_load_state()
    assert page.get_by_text("第 2 版已保存并提交审核").is_visible()
    assert page.get_by_text("须由另一位事项编辑审核发布").is_visible()
    assert page.get_by_role("button", name="审核发布").count() == 0
    screenshot(page, "workbench-item-in-review")
    log_out(page)

    log_in(page, "nj_editor2")
    page.goto(f"/workbench/catalog/{code}/")
    page.get_by_role("link", name="查看与现行版本的差异").click()
    page.wait_for_load_state()
    assert page.get_by_text("承诺时限 由 5 个工作日 改为 3 个工作日").is_visible()
    screenshot(page, "workbench-compare")
    assert_accessible(page)
    page.go_back()
    page.get_by_label("审核意见").fill("同意发布")
    page.get_by_role("button", name="审核发布").click()
    page.wait_for_load_state()
    assert page.get_by_text("第 2 版已审核发布").is_visible()

    page.goto(f"/services/{code}/")
    assert page.get_by_role("definition").filter(has_text="3 个工作日").first.is_visible()
    assert "第 2 版" in page.locator(".guide-meta").inner_text()


def test_a_catch_all_material_cannot_be_submitted_and_the_reason_is_shown(
    new_page, live_server, seed
):
    page = new_page()
    log_in(page, "nj_editor")
    page.goto(f"/workbench/catalog/{seed.food.implementation_code}/")
    page.get_by_role("button", name="新建草稿").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="添加一项申请材料").click()
    row = page.locator("[data-formset='materials'] [data-formset-row]").last
    row.get_by_label("材料编码").fill("other")
    row.get_by_label("材料名称").fill("其他材料")
    page.get_by_role("button", name="保存并提交审核").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert").first
    assert "未能提交审核" in alert.inner_text()
    assert re.search(r"申请材料 第 \d+ 项", alert.inner_text())
    assert "其他材料" in alert.inner_text()
    version = GuideVersion.objects.get(service_item=seed.food, number=2)
    assert version.status == GuideStatus.DRAFT
    assert any(m["name"] == "其他材料" for m in version.content["materials"])
    screenshot(page, "draft-editor-lint")
    assert_accessible(page)


@pytest.mark.parametrize("big", [False, True], ids=["normal", "large-text"])
def test_the_draft_editor_fits_a_phone(new_page, live_server, seed, big):
    page = new_page(PHONE)
    if big:
        large_text(page, live_server)
    log_in(page, "nj_editor")
    page.goto(f"/workbench/catalog/{seed.food.implementation_code}/")
    page.get_by_role("button", name="新建草稿").click()
    page.wait_for_load_state()
    assert not has_horizontal_scroll(page), "the draft editor scrolls sideways at 375px"
    screenshot(page, "draft-editor-phone" + ("-large" if big else ""))
