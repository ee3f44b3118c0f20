"""首席服务官 in real Chromium (issue 16, item 5): a supervisor assigns an officer to a
business on the workbench page; the business's legal representative then sees her
name, department, phone and duties in the business space on a phone, in normal
and large text, with nothing scrolling sideways and no serious axe-core finding.
Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import pytest

from tongban.identity.services import staff_account_create
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign
from tongban.portal.tests.test_browser import (
    PHONE,
    assert_accessible,
    has_horizontal_scroll,
    screenshot,
)
from tongban.portal.tests.test_browser_spaces import log_in
from tongban.spaces.tests.conftest import PASSWORD, build_space

pytestmark = pytest.mark.browser


def _staff(username: str, name: str, role: str, department: str) -> None:
    dept = Department.objects.get(name=department)
    user = staff_account_create(username=username, display_name=name, password=PASSWORD)
    staff_assign(user_id=user.pk, role=role, department=dept, region_scope=dept.region)


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large_text"])
def test_the_business_sees_its_chief_officer_in_its_space(new_page, live_server, large):
    desk = new_page({"width": 1280, "height": 900})  # the browser first: seeding is sync
    space = build_space()
    _staff("nj_super", "陈监察", Role.SUPERVISOR, "南京市政务服务管理办公室")
    _staff("nj_officer", "周专员", Role.REVIEWER, "南京市市场监督管理局")
    desk.set_default_navigation_timeout(60_000)  # the first page warms the server up

    log_in(desk, "nj_super")
    desk.goto("/workbench/officers/")
    desk.get_by_label("服务方式").select_option("chief")
    desk.get_by_label("企业统一社会信用代码").fill(space.company.credit_code)
    desk.get_by_label("专员（工作人员用户名）").fill("nobody")
    desk.get_by_label("办公电话").fill("025-83001234")
    desk.get_by_label("办公地点（选填）").fill("市政务服务中心 3 楼 301")
    desk.get_by_label("服务内容").fill("开办、许可和涉企审批全程帮办")
    desk.get_by_role("button", name="指派", exact=True).click()
    desk.wait_for_load_state()
    # A non-staff name is refused in place, with what was typed kept.
    assert desk.locator("#officer-error").get_attribute("data-error") == "service_officer_not_staff"
    assert desk.get_by_label("办公电话").input_value() == "025-83001234"
    assert_accessible(desk)
    desk.get_by_label("专员（工作人员用户名）").fill("nj_officer")
    desk.get_by_role("button", name="指派", exact=True).click()
    desk.wait_for_load_state()
    assert "已指派 周专员 为首席服务官" in desk.locator(".messages").inner_text()
    assert desk.locator("[data-assignment]").count() == 1
    assert_accessible(desk)

    phone = new_page(PHONE)
    phone.set_default_navigation_timeout(60_000)
    if large:
        phone.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    log_in(phone, space.boss.username)
    phone.goto(f"/my/business/{space.company.credit_code}/")
    card = phone.locator("[data-officer='chief']")
    assert card.get_by_role("heading", name="首席服务官：周专员").is_visible()
    text = card.inner_text()
    assert "南京市市场监督管理局" in text and "025-83001234" in text and "全程帮办" in text
    assert card.get_by_role("link", name="025-83001234").get_attribute("href") == (
        "tel:025-83001234"
    )
    assert not has_horizontal_scroll(phone), f"{phone.url} scrolls sideways"
    screenshot(phone, f"space-business-officer-{'large' if large else 'normal'}")
    assert_accessible(phone)
