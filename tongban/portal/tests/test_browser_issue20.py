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
