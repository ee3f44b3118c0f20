"""The pages in real Chromium: journeys, large text, phone width, axe-core.

Run with ``pytest -m browser -p no:xdist``. Set ``TONGBAN_SCREENSHOT_DIR`` to
keep screenshots of the pages for a look by eye.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.accounts import PASSWORD, make_citizen, make_clerk

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
BLOCKING_IMPACTS = {"serious", "critical"}


def assert_accessible(page: Any) -> None:
    """axe-core finds nothing serious or critical (WCAG 2.1 AA, DESIGN §7)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} → "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in blocking
    )
    assert not blocking, f"axe violations on {page.url}:\n{report}"


def root_font_px(page: Any) -> float:
    size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    return float(size.removesuffix("px"))


def has_horizontal_scroll(page: Any) -> bool:
    return bool(
        page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    )


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("TONGBAN_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def test_home_page_shows_the_themes_and_is_accessible(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_role("heading", level=1).inner_text().startswith("通办")
    assert page.get_by_role("heading", name="生育收养").is_visible()
    assert page.get_by_role("heading", name="准营准办").is_visible()
    assert page.get_by_role("navigation", name="主导航").is_visible()
    screenshot(page, "home-desktop")
    assert_accessible(page)


def test_the_skip_link_appears_on_focus_and_leads_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_a_citizen_logs_in_sees_their_name_and_logs_out(page):
    make_citizen()
    log_in(page, "citizen1")
    assert page.url.rstrip("/") == page.evaluate("location.origin")
    assert page.locator("[data-user-name]").inner_text() == "张小明"
    assert page.get_by_role("link", name="工作台").count() == 0
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()
    assert page.get_by_text("您已安全退出。").is_visible()
    assert page.locator("[data-user-name]").count() == 0
    assert (
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="登录").is_visible()
    )


def test_a_wrong_password_shows_the_chinese_error_next_to_the_form(page):
    make_citizen()
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill("citizen1")
    page.get_by_label("密码", exact=True).fill("wrong-password")
    page.get_by_role("button", name="登录", exact=True).click()
    assert page.get_by_role("alert").inner_text() == "用户名或密码错误"
    assert page.get_by_label("用户名或手机号码").input_value() == "citizen1"
    screenshot(page, "login-error")
    assert_accessible(page)


def test_a_clerk_logs_in_and_opens_the_workbench(page):
    make_clerk()
    log_in(page, "clerk1")
    assert page.url.endswith("/workbench/")
    assert page.get_by_role("heading", name="工作台", level=1).is_visible()
    assert page.get_by_text("窗口人员").first.is_visible()
    assert page.get_by_role("cell", name="江苏省南京市玄武区").is_visible()
    page.get_by_role("link", name="工作台").click()
    assert page.url.endswith("/workbench/")
    screenshot(page, "workbench-desktop")
    assert_accessible(page)


def test_the_calendar_of_october_2026_shows_national_day_and_the_makeup_day(page):
    page.goto("/calendar/?month=2026-10")
    assert page.get_by_role("heading", level=1).inner_text() == "办事日历 · 2026年10月"
    first = page.locator('td[data-date="2026-10-01"]')
    assert "节假日" in first.inner_text() and "国庆节" in first.inner_text()
    makeup = page.locator('td[data-date="2026-10-10"]')
    assert "调休上班" in makeup.inner_text()
    assert "国庆节" in makeup.inner_text()
    # Monday first: 1 Oct 2026, a Thursday, sits in the fourth column.
    column = first.evaluate("td => td.cellIndex")
    assert column == 3
    page.get_by_role("link", name="下一月").click()
    assert page.get_by_role("heading", level=1).inner_text() == "办事日历 · 2026年11月"
    page.get_by_role("link", name="上一月").click()
    page.get_by_role("link", name="上一月").click()
    assert page.get_by_role("heading", level=1).inner_text() == "办事日历 · 2026年9月"
    page.goto("/calendar/?month=2026-10")
    screenshot(page, "calendar-desktop")
    assert_accessible(page)


def test_a_month_without_calendar_data_explains_why(page):
    page.goto("/calendar/?month=2028-01")
    assert "2028年的节假日安排尚未录入" in page.locator("main").inner_text()
    assert page.locator("table.calendar").count() == 0


def test_a_provisional_month_is_marked_and_accessible(page):
    page.goto("/calendar/?month=2027-02")
    assert "暂定，待国务院放假通知发布后确认" in page.locator("#calendar-provisional").inner_text()
    assert page.locator("table.calendar").count() == 1
    assert_accessible(page)


def test_large_text_grows_the_root_font_and_survives_a_reload(page):
    page.goto("/calendar/?month=2026-10")
    normal = root_font_px(page)
    toggle = page.get_by_role("button", name="大字模式")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert root_font_px(page) >= 20 > normal
    assert toggle.get_attribute("aria-pressed") == "true"
    assert page.url.endswith("/calendar/?month=2026-10")  # changed in place, no reload
    page.reload()
    assert page.locator("html").get_attribute("class") == "large-text"
    assert root_font_px(page) >= 20
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("tb_large_text") == "1"
    screenshot(page, "calendar-large-text")
    assert_accessible(page)
    page.get_by_role("button", name="大字模式").click()
    assert root_font_px(page) == normal
    page.reload()
    assert root_font_px(page) == normal


def test_large_text_works_without_javascript(browser, live_server, transactional_db):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_role("button", name="大字模式").click()
        page.wait_for_load_state()
        assert page.url.endswith("/login/")
        assert root_font_px(page) >= 20
    finally:
        context.close()


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
def test_pages_fit_a_phone_without_horizontal_scroll(new_page, live_server, large):
    make_clerk()
    page = new_page(PHONE)
    if large:
        page.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    for path in ("/", "/login/", "/signup/", "/calendar/?month=2026-10"):
        page.goto(path)
        assert not has_horizontal_scroll(page), f"{path} scrolls sideways at 375px"
    log_in(page, "clerk1")
    assert not has_horizontal_scroll(page), "/workbench/ scrolls sideways at 375px"
    suffix = "-large" if large else ""
    page.goto("/")
    screenshot(page, f"home-phone{suffix}")
    page.goto("/calendar/?month=2026-10")
    screenshot(page, f"calendar-phone{suffix}")


def test_login_page_is_accessible(page):
    page.goto("/login/")
    screenshot(page, "login-desktop")
    assert_accessible(page)
