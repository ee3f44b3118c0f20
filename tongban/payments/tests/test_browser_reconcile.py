"""The finance staff's reconciliation (对账) in real Chromium on a 375 px phone,
in normal and large-text mode: a 财务人员 imports the day's statement file, finds
the planted difference, resolves it and closes the day (轧账). No sideways
scroll, and axe-core finds nothing serious or critical on any page.

Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from tongban.core import clock
from tongban.payments.models import DayStatus, Mismatch, OrderStatus, PaymentOrder, SimTransaction
from tongban.payments.providers.simulated import SimulatedProvider, sim_deliver_due, sim_pay
from tongban.payments.services import order_start
from tongban.payments.tests.conftest import seed, submit_and_accept

pytestmark = pytest.mark.browser
PHONE_375 = {"width": 375, "height": 812}
PASSWORD = "Pw-12345678"
BLOCKING_IMPACTS = {"serious", "critical"}
DAY = dt.date(2026, 11, 2)


# The portal's browser helpers, here again: payments may not import portal (DESIGN §2).
def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def fits_and_passes(page: Any, name: str) -> None:
    """No sideways scroll at the phone's width, and axe-core finds nothing serious
    or critical (WCAG 2.1 AA, DESIGN §7)."""
    from axe_playwright_python.sync_playwright import Axe

    wide = page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert not wide, f"{page.url} scrolls sideways"
    folder = os.environ.get("TONGBAN_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    report = "\n".join(f"- {v['id']} ({v['impact']}): {v['help']}" for v in blocking)
    assert not blocking, f"axe violations on {page.url}:\n{report}"


def _paid(world: Any, hours: int) -> PaymentOrder:
    case = submit_and_accept(world)
    order = PaymentOrder.objects.get(case=case)
    order, _ = order_start(
        order_id=order.pk, provider="sim", actor=world.citizen, now=world.at(hours=hours)
    )
    sim_pay(txn_id=order.provider_txn, now=world.at(hours=hours, minutes=1))
    sim_deliver_due(now=world.at(hours=hours, minutes=1))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large_text"])
def test_finance_staff_reconcile_a_day_on_a_phone(
    new_page, live_server, monkeypatch, tmp_path, large
):
    world = seed()
    moment = {"now": world.at(days=1)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    _paid(world, 2)
    differs = _paid(world, 3)
    # Planted: the bank recorded one payment a fen short.
    SimTransaction.objects.filter(txn_id=differs.provider_txn).update(
        amount_fen=differs.paid_fen - 1
    )
    statement = tmp_path / "SIMPAY-2026-11-02.txt"
    statement.write_text(SimulatedProvider().statement(day=DAY), encoding="utf-8")

    phone = new_page(PHONE_375)
    suffix = "large" if large else "normal"
    if large:
        phone.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    log_in(phone, "finance")
    phone.goto("/workbench/payments/")
    phone.get_by_role("link", name="对账", exact=True).click()
    phone.wait_for_url("**/workbench/payments/days/")
    fits_and_passes(phone, f"payments-days-{suffix}")

    phone.get_by_label("对账单文件（模拟支付渠道，每日一份）").set_input_files(str(statement))
    phone.get_by_role("button", name="导入并比对").click()
    phone.wait_for_url("**/workbench/payments/days/*/")
    text = phone.content()
    assert "金额不符" in text and differs.payment_code in text
    assert "未处理 1" in text
    fits_and_passes(phone, f"payments-day-mismatch-{suffix}")

    # Closing with the difference open is refused with the reason.
    phone.get_by_role("button", name="轧账").click()
    phone.wait_for_load_state()
    assert "尚有 1 条对账差异未处理" in phone.content()
    fits_and_passes(phone, f"payments-day-refused-{suffix}")

    phone.get_by_label("处理说明").fill("已与银行核实，渠道少记 0.01 元，已更正")
    phone.get_by_role("button", name="已处理").click()
    phone.wait_for_load_state()
    assert "已处理：已与银行核实" in phone.content()
    phone.get_by_role("button", name="轧账").click()
    phone.wait_for_load_state()
    assert "已轧账" in phone.content()
    fits_and_passes(phone, f"payments-day-closed-{suffix}")

    mismatch = Mismatch.objects.get(payment_code=differs.payment_code)
    assert mismatch.resolved_by.endswith("finance") and mismatch.day.status == DayStatus.CLOSED
