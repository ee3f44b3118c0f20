"""谁查询了我的数据 in real Chromium: a department verifies, the citizen sees it.

A window clerk verifies 张伟's marriage in the workbench (with a grant); 张伟
logs in on a phone and finds the line with the department, purpose and case
number. axe-core finds nothing serious or critical on either page.
"""

from __future__ import annotations

from typing import Any

import pytest

from tongban.identity.demo import DEMO_CITIZEN_PASSWORD
from tongban.portal.tests.test_browser import (
    PHONE,
    assert_accessible,
    has_horizontal_scroll,
    screenshot,
)
from tongban.sharing.models import AccessLogEntry
from tongban.sharing.tests.conftest import ZHANG_WEI, _seed

pytestmark = pytest.mark.browser


def log_in(page: Any, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def test_a_citizen_sees_who_verified_her_marriage(new_page, live_server, transactional_db):
    desk = new_page()  # the browser first: seeding needs its async-unsafe switch
    phone = new_page(PHONE)
    world = _seed()
    world.grant("JS-MZ-HY-001", ["marital_status"])
    world.clerk.set_password(DEMO_CITIZEN_PASSWORD)
    world.clerk.save(update_fields=["password"])

    log_in(desk, world.clerk.username, DEMO_CITIZEN_PASSWORD)
    desk.goto("/workbench/sharing/verify/marriage/")
    desk.get_by_label("证件号码").fill(ZHANG_WEI)
    desk.get_by_label("查询用途").fill("个体工商户登记，核验经营者婚姻状况")
    desk.get_by_label("办件编号（可不填）").fill("32010020261102000123")
    desk.get_by_role("button", name="核验").click()
    desk.wait_for_load_state()
    assert desk.get_by_role("heading", name="核验结果：是").is_visible()
    screenshot(desk, "sharing-verify")
    assert_accessible(desk)
    assert AccessLogEntry.objects.filter(outcome="answered").count() == 1

    log_in(phone, "citizen1", DEMO_CITIZEN_PASSWORD)
    phone.goto("/")
    phone.get_by_role("link", name="谁查询了我的数据").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", name="谁查询了我的数据", level=1).is_visible()
    assert phone.get_by_role("heading", name="南京市市场监督管理局").is_visible()
    assert phone.get_by_text("个体工商户登记，核验经营者婚姻状况").is_visible()
    assert phone.get_by_text("32010020261102000123").is_visible()
    assert not has_horizontal_scroll(phone), "the access log scrolls sideways on a phone"
    screenshot(phone, "my-data-access-phone")
    assert_accessible(phone)


def test_a_provider_head_approves_an_application(new_page, live_server, transactional_db):
    page = new_page()
    world = _seed()
    for user in (world.head, world.civil_head):
        user.set_password(DEMO_CITIZEN_PASSWORD)
        user.save(update_fields=["password"])

    log_in(page, world.head.username, DEMO_CITIZEN_PASSWORD)
    page.goto("/workbench/sharing/")
    assert_accessible(page)
    page.get_by_role("link", name="JS-MZ-HY-001").click()
    page.wait_for_load_state()
    page.get_by_label("婚姻状况（marital_status，敏感个人信息）").check()
    page.get_by_label("用途").fill("个体工商户登记时核验经营者婚姻状况")
    page.get_by_label("使用依据").fill("《促进个体工商户发展条例》")
    assert_accessible(page)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    assert page.get_by_text("共享申请已提交").is_visible()
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()

    log_in(page, world.civil_head.username, DEMO_CITIZEN_PASSWORD)
    page.goto("/workbench/sharing/grants/?side=provider")
    assert_accessible(page)
    page.get_by_role("link", name="#", exact=False).first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="批准共享").click()
    page.wait_for_load_state()
    assert page.get_by_text("已批准").first.is_visible()
    screenshot(page, "sharing-grant-approved")
    assert_accessible(page)
