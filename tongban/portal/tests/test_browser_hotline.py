"""The 12345 desks in real Chromium: an order from the operator's registration
through dispatch, acknowledgement, reply and revisit to the archive, on the
desks of four demo staff; axe-core on every desk page, and the desk on a phone
in large-text mode.

Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tongban.portal.tests.test_browser import (
    PHONE,
    assert_accessible,
    has_horizontal_scroll,
    screenshot,
)

pytestmark = pytest.mark.browser


def seed() -> None:
    from tests.support.hotline import hotline_world

    hotline_world()


def log_in(page: Any, username: str) -> None:
    from tests.support.hotline import PASSWORD as STAFF_PASSWORD

    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


OPEN_PANEL = """(name) => {
  for (const d of document.querySelectorAll("details")) {
    if (d.querySelector("summary").textContent.trim() === name) d.open = true;
  }
}"""


def open_panel(page: Any, button: str) -> None:
    page.evaluate(OPEN_PANEL, button)


def act(page: Any, button: str) -> None:
    open_panel(page, button)
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def test_an_order_goes_through_the_desks_to_the_archive(new_page, live_server, transactional_db):
    operator = new_page()
    seed()
    from tongban.hotline.models import WorkOrder

    log_in(operator, "nj_operator")
    operator.goto("/workbench/hotline/")
    assert_accessible(operator)
    operator.get_by_label("来电人姓名").fill("王五")
    operator.get_by_label("联系电话").fill("13912345678")
    operator.get_by_label("诉求地点区划代码").fill("320102")
    operator.get_by_label("详细地址").fill("中山路 100 号")
    operator.get_by_label("诉求内容").fill("单位三个月没交社保，要求补缴")
    operator.get_by_label("诉求分类（不选则采用系统建议）").select_option("SB01")
    operator.get_by_role("button", name="登记", exact=True).click()
    operator.wait_for_load_state()
    order = WorkOrder.objects.get()
    assert operator.get_by_text(f"已登记工单 {order.order_no}").is_visible()
    assert operator.get_by_text("139****5678").is_visible()
    assert_accessible(operator)

    dispatcher = new_page()
    log_in(dispatcher, "nj_dispatcher")
    dispatcher.goto("/workbench/hotline/")
    dispatcher.get_by_role("link", name=order.order_no).click()
    dispatcher.wait_for_load_state()
    dispatcher.get_by_label("承办单位").select_option(label="南京市人力资源和社会保障局")
    act(dispatcher, "派单")
    assert dispatcher.get_by_text("已派单").first.is_visible()

    handler = new_page()
    log_in(handler, "nj_handler")
    handler.goto("/workbench/hotline/")
    assert_accessible(handler)
    handler.get_by_role("link", name=order.order_no).click()
    handler.wait_for_load_state()
    act(handler, "签收")
    open_panel(handler, "办结答复")
    handler.get_by_label("答复内容").fill("已责令用人单位补缴社会保险费。")
    handler.get_by_label("处理情况").fill("约谈单位负责人，已补缴。")
    handler.get_by_role("button", name="办结答复", exact=True).click()
    handler.wait_for_load_state()
    assert_accessible(handler)

    operator.goto(f"/workbench/hotline/{order.order_no}/")
    act(operator, "提交回访结果")
    act(operator, "归档")
    order.refresh_from_db()
    assert order.status == "archived" and order.satisfaction == 5
    assert operator.get_by_role("heading", name="办理记录").is_visible()
    screenshot(operator, "hotline-order")


def test_the_desk_on_a_phone_in_large_text(new_page, live_server, transactional_db):
    phone = new_page(PHONE)
    seed()
    log_in(phone, "nj_operator")
    phone.goto("/workbench/hotline/")
    phone.get_by_role("button", name="大字模式").click()
    phone.wait_for_load_state()
    assert not has_horizontal_scroll(phone), "the hotline desk scrolls sideways on a phone"
    assert_accessible(phone)
    screenshot(phone, "hotline-desk-phone")


def test_a_citizen_files_follows_and_rates_on_a_phone(new_page, live_server, transactional_db):
    from tests.support.accounts import PASSWORD, make_citizen

    phone = new_page(PHONE)
    seed()
    make_citizen(username="caller1", display_name="陈七")
    from tongban.hotline.models import WorkOrder

    phone.goto("/login/")
    phone.get_by_label("用户名或手机号码").fill("caller1")
    phone.get_by_label("密码", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="登录", exact=True).click()
    phone.wait_for_load_state()
    phone.goto("/hotline/")
    assert_accessible(phone)
    phone.get_by_label("诉求内容").fill("")
    phone.get_by_role("button", name="提交诉求").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("诉求内容不能为空").is_visible()
    assert not WorkOrder.objects.exists()
    phone.get_by_label("诉求内容").fill("小区门口路灯坏了两个星期")
    phone.get_by_label("联系电话").fill("13600001234")
    phone.get_by_role("button", name="提交诉求").click()
    phone.wait_for_load_state()
    order = WorkOrder.objects.get()
    assert phone.get_by_text(order.order_no).first.is_visible()
    assert_accessible(phone)
    assert not has_horizontal_scroll(phone)

    # The centre answers directly; the caller follows it and says it is not solved.
    from tongban.hotline import services
    from tongban.identity.models import User

    services.work_order_answer_directly(
        order_id=order.pk,
        actor=User.objects.get(username="nj_operator"),
        answer="已通知路灯养护单位三日内修复。",
        category_code="CG04",
    )
    phone.goto("/hotline/track/")
    phone.get_by_label("工单编号").fill(order.order_no)
    phone.get_by_label("联系电话").fill("13600001234")
    phone.get_by_role("button", name="查询").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("已通知路灯养护单位三日内修复。").is_visible()
    assert_accessible(phone)
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state()
    order.refresh_from_db()
    assert order.status == "revisited" and order.satisfaction == 5 and order.solved
