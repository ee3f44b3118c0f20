"""A hall's 通办 list in real Chromium on a 375 px phone, normal and large text: the
centre's head opens it from the workbench, is told in Chinese that a local item is
not 通办, finds another region's item and adds it, then takes it off. No sideways
scroll; axe-core finds nothing serious or critical.
Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import pytest

from tongban.appointments.models import ServicePointItem
from tongban.workbench.tests.test_browser_credit_pages import PHONE_375, fits_and_passes, log_in
from tongban.workbench.tests.test_cross_region import _item, _seed

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large_text"])
def test_the_head_keeps_the_halls_cross_region_list(new_page, live_server, large):
    phone = new_page(PHONE_375)  # the browser first: seeding needs its async-unsafe switch
    phone.set_default_timeout(60_000)
    world = _seed()
    local = _item("010000000297", "食品经营许可（玄武本地）", "南京市玄武区市场监督管理局")
    suffix = "large" if large else "normal"
    if large:
        phone.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    log_in(phone, "xw_head")
    phone.goto("/workbench/")
    phone.get_by_role("link", name="大厅通办事项（列入、移出其他地区事项）").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", name=f"通办事项：{world.hall.name}").is_visible()
    assert phone.locator("[data-listed]").count() == 2
    fits_and_passes(phone, f"cross-region-list-{suffix}")

    # A local item by its code: refused in Chinese, nothing listed.
    phone.get_by_label("事项名称或实施编码").fill("玄武本地")
    phone.get_by_role("button", name="查找").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("没有找到可列入的其他地区事项").is_visible()
    phone.goto(f"/workbench/cross-region/items/?hall={world.hall.pk}&q=药品")
    row = phone.locator(f'[data-candidate="{world.unlisted_item.implementation_code}"]')
    row.evaluate(
        "(el, code) => { el.querySelector('input[name=item]').value = code; }",
        local.implementation_code,
    )
    row.get_by_role("button", name="列入“药品经营许可（章贡）”").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("属本大厅所在地区").first.is_visible()
    assert not ServicePointItem.objects.filter(service_item=local).exists()
    fits_and_passes(phone, f"cross-region-list-error-{suffix}")

    # Another region's item: found by name and added as 受理办理, then taken off.
    phone.get_by_label("事项名称或实施编码").fill("药品")
    phone.get_by_role("button", name="查找").click()
    phone.wait_for_load_state()
    row = phone.locator(f'[data-candidate="{world.unlisted_item.implementation_code}"]')
    row.get_by_label("办理方式").select_option(label="受理办理")
    row.get_by_role("button", name="列入“药品经营许可（章贡）”").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("已将“药品经营许可（章贡）”列入通办事项。").is_visible()
    listed = ServicePointItem.objects.get(hall=world.hall, service_item=world.unlisted_item)
    assert listed.handling == "handle"
    fits_and_passes(phone, f"cross-region-list-added-{suffix}")
    phone.get_by_role("button", name="移出“药品经营许可（章贡）”").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("移出通办事项").first.is_visible()
    assert not ServicePointItem.objects.filter(service_item=world.unlisted_item).exists()
