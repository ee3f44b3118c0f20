"""实名认证 in real Chromium at phone width (issue 14, item 2), with axe-core.

A citizen at level one opens a guide that needs level two, follows the notice
to the real-name page, agrees to the 自然人库 check and comes back to the
guide at level two; a window clerk records an ID card seen at the window.
Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import pytest

from tongban.identity.models import RealNameLevel, User
from tongban.identity.services import citizen_signup, staff_account_create
from tongban.identity.tests.conftest import make_id
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Role, Window
from tongban.org.services import staff_assign
from tongban.portal.tests.test_browser import (
    PHONE,
    assert_accessible,
    has_horizontal_scroll,
    screenshot,
)
from tongban.portal.tests.test_real_name_pages import (
    PASSWORD,
    in_population_registry,
    item_requiring,
)

pytestmark = pytest.mark.browser


def window_clerk() -> User:
    demo_org_load()
    department = Department.objects.get(name="南京市市场监督管理局")
    user = staff_account_create(username="nj_clerk", display_name="李窗口", password=PASSWORD)
    staff_assign(
        user_id=user.pk,
        role=Role.WINDOW_CLERK,
        department=department,
        region_scope=department.region,
        window=Window.objects.filter(hall__region__code__startswith="3201").first(),
    )
    return user


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def fits_and_passes(page, name: str) -> None:
    assert not has_horizontal_scroll(page), f"{page.url} scrolls sideways"
    screenshot(page, name)
    assert_accessible(page)


def test_a_citizen_raises_her_level_from_the_guide_on_a_phone(new_page, live_server):
    phone = new_page(PHONE)  # the browser first: seeding needs its async-unsafe switch
    item = item_requiring(2)
    user = citizen_signup(
        username="zhangwei",
        phone="13800000001",
        password=PASSWORD,
        name="张伟",
        id_number=make_id(),
    )
    in_population_registry(user)
    log_in(phone, "zhangwei")
    phone.goto(f"/services/{item.implementation_code}/")
    notice = phone.locator("[data-real-name-required]")
    assert "须实名认证二级及以上" in notice.inner_text()
    fits_and_passes(phone, "real-name-guide-notice-phone")
    notice.get_by_role("link", name="去提升实名认证等级").click()
    phone.wait_for_load_state()
    assert phone.locator("[data-real-name-level]").get_attribute("data-real-name-level") == "1"
    fits_and_passes(phone, "real-name-page-phone")
    # Without consent the browser keeps her on the page (the box is required).
    phone.get_by_label("本人同意通过人口基础信息库核验姓名和身份号码").check()
    phone.get_by_role("button", name="开始核验").click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/services/{item.implementation_code}/")
    assert "核验通过，您的实名认证等级现为二级" in phone.locator(".messages").inner_text()
    assert phone.locator("[data-real-name-required]").count() == 0
    fits_and_passes(phone, "real-name-guide-raised-phone")
    user.refresh_from_db()
    assert user.real_name_level == RealNameLevel.L2


def test_a_clerk_records_an_id_card_seen_at_the_window_on_a_phone(new_page, live_server):
    phone = new_page(PHONE)
    citizen = citizen_signup(
        username="zhangwei",
        phone="13800000001",
        password=PASSWORD,
        name="张伟",
        id_number=make_id(),
    )
    window_clerk()
    log_in(phone, "nj_clerk")
    phone.goto("/workbench/")
    phone.get_by_role("link", name="实名认证现场核验（三级）").click()
    phone.wait_for_load_state()
    fits_and_passes(phone, "real-name-window-phone")
    phone.get_by_label("证件上的姓名").fill("张伟")
    phone.get_by_label("证件上的公民身份号码").fill(make_id())
    phone.get_by_label("已核对身份证件原件，照片与申请人本人相符").check()
    phone.get_by_role("button", name="核验并升为三级").click()
    phone.wait_for_load_state()
    assert "实名认证等级为三级" in phone.locator("[data-verified]").inner_text()
    fits_and_passes(phone, "real-name-window-done-phone")
    assert User.objects.get(pk=citizen.pk).real_name_level == RealNameLevel.L3
