"""Issue 20 in real Chromium: what a citizen, a clerk and an editor stumbled on.

Run with ``pytest -m browser -p no:xdist``. Every page is checked with axe-core
(nothing serious or critical) and photographed at 390 px and 1366 px into
``test-results/screenshots/`` (or ``TONGBAN_SCREENSHOT_DIR``), kept as test
artefacts, not committed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tongban.cases.models import Case
from tongban.portal.tests.test_browser import assert_accessible, has_horizontal_scroll
from tongban.portal.tests.test_browser_cases import log_in, pdf_file
from tongban.portal.tests.test_case_pages import seed_cases

pytestmark = pytest.mark.browser

NARROW = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 900}


def artefact_dir() -> Path:
    folder = os.environ.get("TONGBAN_SCREENSHOT_DIR")
    path = Path(folder) if folder else Path(settings.BASE_DIR) / "test-results" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def screenshots(page: Any, name: str) -> None:
    """The page at 390 px and at 1366 px (then back to the width it had)."""
    before = page.viewport_size
    for label, size in (("390", NARROW), ("1366", WIDE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(artefact_dir() / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(before)


def test_every_problem_in_one_round_and_the_file_is_kept(new_page, live_server):
    page = new_page(NARROW)
    seed = seed_cases()
    log_in(page, "zhangsan")
    page.goto(f"/services/{seed.food.implementation_code}/apply/?q_q1=no")
    phone = page.get_by_label("联系电话")
    assert phone.get_attribute("pattern") == "1[3-9][0-9]{9}"
    assert phone.get_attribute("required") is not None
    phone.fill("abc")
    page.get_by_label("上传“食品经营许可申请书”").set_input_files(pdf_file("申请书.pdf"))
    # no 容缺 for the layout plan, no file either: two problems, one round
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    alert = page.locator("#form-problems")
    assert "共 2 处需要修改" in alert.inner_text()
    assert "已上传的文件已为您保留" in alert.inner_text()
    assert "手机号码无效" in page.locator("main").inner_text()
    assert "请上传经营场所平面布局图" in page.locator("main").inner_text()
    assert page.get_by_text("申请书.pdf").is_visible()
    assert not has_horizontal_scroll(page)
    screenshots(page, "apply-one-round")
    assert_accessible(page)

    page.get_by_label("联系电话").fill("13800000001")
    page.get_by_role("checkbox", name="容缺后补：受理后再补交“经营场所平面布局图”").check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert page.get_by_text(f"申请已提交，办件编号 {case.case_no}").is_visible()
    assert case.materials.get(code="application").file_name == "申请书.pdf"


FIT_JS = """
() => [...document.querySelectorAll('svg g.step')].flatMap(g => {
  const box = g.querySelector('rect').getBBox();
  return [...g.querySelectorAll('text')].map(t => {
    const b = t.getBBox();
    return {text: t.textContent,
            fits: b.x >= box.x - 0.5 && b.x + b.width <= box.x + box.width + 0.5
                  && b.y >= box.y - 0.5 && b.y + b.height <= box.y + box.height + 0.5};
  });
})
"""


def _long_steps_item(seed: Any) -> Any:
    from tests.support.cases import department_named
    from tongban.catalog import services as catalog_services
    from tongban.catalog.tests.guide_factory import valid_guide

    steps = [
        {"name": "受理 WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW", "role": "综合受理窗口人员",
         "share_percent": 10},
        {"name": "审查", "role": "审批人员（MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM 0123456789）",
         "department": "南京市市场监督管理局食品经营许可审查中心第一审查科", "share_percent": 60},
        {"name": "现场核查", "role": "核查人员（两名以上）", "special_procedure": "inspection"},
        {"name": "决定", "role": "部门负责人", "share_percent": 30},
    ]  # fmt: skip
    return catalog_services.guide_load_published(
        basic_item=seed.food.basic_item,
        department=department_named("320100", "民政局"),
        content=valid_guide(steps=steps),
    )


def test_the_flow_chart_boxes_fit_their_text_at_every_width_and_in_print(new_page, live_server):
    page = new_page(NARROW)
    seed = seed_cases()
    item = _long_steps_item(seed)
    page.goto(f"/services/{item.implementation_code}/")
    for size in (NARROW, WIDE, {"width": 768, "height": 900}):
        page.set_viewport_size(size)
        lines = page.evaluate(FIT_JS)
        assert lines and all(line["fits"] for line in lines), (size, lines)
    page.emulate_media(media="print")
    lines = page.evaluate(FIT_JS)
    assert all(line["fits"] for line in lines), ("print", lines)
    page.emulate_media(media="screen")
    assert "1 个工作日内" in page.locator("svg").first.inner_html()
    screenshots(page, "guide-flowchart")
    assert_accessible(page)


def test_on_a_phone_the_menu_folds_and_the_content_starts_in_the_first_screen(
    new_page, live_server
):
    page = new_page(NARROW)
    page.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    page.goto("/calendar/?month=2026-10")
    nav = page.get_by_role("navigation", name="主导航")
    toggle = page.get_by_role("button", name="菜单")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert heading["y"] + heading["height"] < NARROW["height"] / 2, heading
    assert not has_horizontal_scroll(page)
    screenshots(page, "phone-menu-closed")
    assert_accessible(page)
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="办事服务").is_visible()
    assert_accessible(page)
    nav.get_by_role("link", name="办事服务").click()
    page.wait_for_load_state()
    assert page.url.endswith("/services/")
    page.set_viewport_size(WIDE)  # on a desktop the menu is simply there
    assert not page.get_by_role("button", name="菜单").is_visible()
    assert page.get_by_role("navigation", name="主导航").is_visible()


SPEECH_STUB = """
window.__spoken = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
Object.defineProperty(window, 'speechSynthesis', {value: {
  speak: function (u) { window.__spoken.push({text: u.text, lang: u.lang}); },
  cancel: function () {},
}});
"""


def test_large_text_offers_high_contrast_and_read_aloud_that_show_they_are_on_and_persist(
    new_page, live_server
):
    page = new_page(WIDE)
    page.add_init_script(SPEECH_STUB)
    page.goto("/calendar/?month=2026-10")
    assert not page.get_by_role("button", name="高对比度").is_visible()
    page.get_by_role("button", name="大字模式").click()
    contrast = page.get_by_role("button", name="高对比度")
    aloud = page.get_by_role("button", name="朗读", exact=True)
    assert contrast.is_visible() and aloud.is_visible()
    contrast.click()
    assert contrast.get_attribute("aria-pressed") == "true"
    assert "high-contrast" in (page.locator("html").get_attribute("class") or "")
    status = page.locator("[data-display-status]")
    assert "已开启：" in status.inner_text() and "高对比度" in status.inner_text()
    aloud.click()
    assert page.evaluate("window.__spoken.length") >= 1  # "朗读已开启…"
    assert page.evaluate("window.__spoken[0].lang") == "zh-CN"
    page.get_by_role("heading", level=1).click()
    assert page.evaluate("window.__spoken.at(-1).text").startswith("办事日历")
    page.get_by_role("button", name="朗读本页").click()
    assert "2026年10月" in page.evaluate("window.__spoken.at(-1).text")
    screenshots(page, "elder-mode-on")
    assert_accessible(page)

    page.reload()
    classes = page.locator("html").get_attribute("class") or ""
    assert {"large-text", "high-contrast", "read-aloud"} <= set(classes.split())
    assert page.get_by_role("button", name="高对比度").get_attribute("aria-pressed") == "true"
    assert "朗读" in page.locator("[data-display-status]").inner_text()
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("tb_contrast") == "1" and cookies.get("tb_read_aloud") == "1"
    assert_accessible(page)


def test_high_contrast_works_without_javascript(browser, live_server, transactional_db):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_role("button", name="大字模式").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="高对比度").click()
        page.wait_for_load_state()
        assert page.url.endswith("/login/")
        assert "high-contrast" in (page.locator("html").get_attribute("class") or "")
        assert page.get_by_role("navigation", name="主导航").is_visible()  # no JS: menu open
    finally:
        context.close()


def test_the_region_switcher_scopes_the_search_at_both_widths(new_page, live_server):
    from tests.support.catalog import seed_catalog

    page = new_page(WIDE)
    seed = seed_catalog()
    page.goto("/services/")
    switcher = page.get_by_label("所在地区")
    assert switcher.is_visible()
    switcher.select_option("360700")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.get_by_label("所在地区").input_value() == "360700"
    main = page.locator("main").inner_text()
    assert seed.ganzhou.department.name in main or "赣州" in main
    screenshots(page, "region-switcher")
    assert_accessible(page)
    page.set_viewport_size(NARROW)
    page.reload()
    page.get_by_role("button", name="菜单").click()
    assert page.get_by_label("所在地区").is_visible()
    assert not has_horizontal_scroll(page)
    assert_accessible(page)


def test_an_editor_compares_versions_in_words_and_the_public_sees_the_change_note(
    new_page, live_server
):
    from tests.support.catalog import seed_catalog
    from tongban.catalog import services
    from tongban.identity.models import User
    from tongban.portal.tests.test_browser_catalog import log_in as catalog_log_in

    page = new_page(WIDE)
    seed = seed_catalog()
    editor = User.objects.get(username="nj_editor")
    draft = services.guide_draft_create(service_item=seed.food, actor=editor)
    content = dict(draft.content)
    content["promised_limit"] = {"value": 3, "unit": "working_days"}
    content["materials"] = [dict(m) for m in reversed(content["materials"])]  # order only
    layout = next(m for m in content["materials"] if m["code"] == "layout")
    layout["name"] = "经营场所平面布局图及设备布局图"
    services.guide_draft_update(
        version=draft, content=content, expected_revision=1, change_note="", actor=editor
    )
    services.guide_submit(version=draft, actor=editor)
    catalog_log_in(page, "nj_editor2")
    page.goto(f"/workbench/catalog/{seed.food.implementation_code}/compare/?a=1&b=2")
    main = page.locator("main").inner_text()
    assert "承诺时限 由 5 个工作日 改为 3 个工作日" in main
    assert "：名称 由 经营场所平面布局图 改为 经营场所平面布局图及设备布局图" in main
    assert "共 2 项有变化" in main  # the reordering of the materials is no change
    screenshots(page, "version-compare")
    assert_accessible(page)

    page.goto(f"/workbench/catalog/{seed.food.implementation_code}/")
    page.get_by_role("button", name="审核发布").click()
    page.wait_for_load_state()
    assert "请填写修订说明" in page.locator("main").inner_text()
    note = "承诺时限压缩为 3 个工作日；布局图须含设备布局"
    page.get_by_label("修订说明（发布时必填）").fill(note)
    page.get_by_role("button", name="审核发布").click()
    page.wait_for_load_state()
    page.goto(f"/services/{seed.food.implementation_code}/")
    history = page.locator("#g-history").locator("..")
    assert note in history.inner_text()
    assert "首次发布" in history.inner_text()
    assert_accessible(page)
