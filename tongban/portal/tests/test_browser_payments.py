"""An applicant pays a fee on a 360 px phone in real Chromium (axe-checked),
the case proceeds to delivery, and the receipt verifies.

Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import pytest

from tongban.cases import services as case_services
from tongban.core import clock
from tongban.payments.models import OrderStatus, PaymentOrder, Receipt
from tongban.payments.tests.conftest import seed, submit_and_accept
from tongban.portal.tests.test_browser import assert_accessible, has_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser
PHONE_360 = {"width": 360, "height": 780}


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill("Pw-12345678")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def test_an_applicant_pays_on_a_phone_the_case_is_delivered_and_the_receipt_verifies(
    new_page, monkeypatch
):
    world = seed()
    moment = {"now": world.at(hours=2)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    case = submit_and_accept(world)
    order = PaymentOrder.objects.get(case=case)

    phone = new_page(PHONE_360)
    log_in(phone, "zhangwei")
    phone.goto(f"/my/cases/{case.case_no}/")
    assert "尚需缴费 220.00 元" in phone.content()
    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)
    phone.get_by_role("link", name=f"缴款通知书 {order.payment_code}").click()
    phone.wait_for_url(f"**/my/payments/{order.payment_code}/")
    assert "证书工本费" in phone.content() and "收费依据" in phone.content()
    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)
    screenshot(phone, "payments-order-phone")
    phone.get_by_role("button", name="去缴费 220.00 元").click()
    phone.wait_for_url("**/payments/sim/**")
    assert_accessible(phone)
    phone.get_by_role("button", name="确认支付").click()
    phone.wait_for_url(f"**/my/payments/{order.payment_code}/")
    assert "缴费成功" in phone.content() and "已缴款" in phone.content()
    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)
    screenshot(phone, "payments-paid-phone")

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    receipt = Receipt.objects.get(order=order)
    phone.get_by_role("link", name="查验真伪").click()
    phone.wait_for_load_state()
    assert "票据真实有效" in phone.content() and receipt.number in phone.content()
    assert_accessible(phone)

    # The case proceeds: decided and delivered now that the fee is paid.
    case_services.case_decide(
        case_id=case.pk, actor=world.reviewer, outcome="granted", reason="符合条件",
        legal_basis="《食品安全法》第三十五条", now=world.at(days=1),
    )  # fmt: skip
    delivered = case_services.case_deliver(
        case_id=case.pk, actor=world.clerk, method="electronic", now=world.at(days=1, hours=1)
    )
    assert delivered.status == "delivered"
