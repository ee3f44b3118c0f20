"""The credit and 双随机 pages of the workbench in real Chromium on a 375 px phone,
in normal and large-text mode (issue 17): a department head enters a penalty,
sees the lists, approves a repair, publishes a plan's commitment and draws; an
inspector enters her result. No sideways scroll, and axe-core finds nothing
serious or critical on any page. Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tongban.core import clock
from tongban.credit.models import CreditRepair, Penalty
from tongban.credit.services.lists import list_entry_add
from tongban.credit.services.repairs import repair_apply
from tongban.credit.tests.conftest import entity_code, make_lists
from tongban.identity.services import staff_account_create
from tongban.org.models import Role
from tongban.org.services import staff_assign
from tongban.sharing.models import BusinessRecord
from tongban.supervision.inspection_models import InspectionPlan, InspectionTask, PlanStatus
from tongban.supervision.inspections import inspection_item_add, inspector_add, plan_create

pytestmark = pytest.mark.browser
PHONE_375 = {"width": 375, "height": 812}
PASSWORD = "Pw-12345678"  # the test staff accounts' password
BLOCKING_IMPACTS = {"serious", "critical"}
# Mon 2 Nov 2026, 10:00 in Shanghai (20 working days later is still in 2026's calendar).
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


# The portal's browser helpers, here again: workbench may not import portal (DESIGN §2).
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


def _staff(username: str, role: str, department: Any) -> Any:
    user = staff_account_create(username=username, display_name=username, password=PASSWORD)
    staff_assign(user_id=user.pk, role=role, department=department, region_scope=department.region)
    return user


def _world() -> dict[str, Any]:
    lists = make_lists()
    market = lists.market
    head = _staff("market_head", Role.DEPARTMENT_HEAD, market)
    inspector_user = _staff("inspector_li", Role.HANDLER, market)
    entry = list_entry_add(
        list_code=lists.black.code, subject_kind="entity", subject_code=entity_code(1),
        subject_name="南京甲食品有限公司", reason="提交虚假材料取得许可",
        legal_basis="《行政许可法》第七十九条", valid_until=dt.date(2027, 10, 31), actor=None,
    )  # fmt: skip
    repair_apply(subject_code=entry.subject_code, reason="已整改到位", evidence="整改报告及照片")
    for i in range(5):
        BusinessRecord.objects.create(
            credit_code=entity_code(50 + i), name=f"南京第{i}食品店", kind="有限责任公司",
            status="in_business", legal_representative_name="某某",
            established_on=dt.date(2020, 1, 1), registered_capital=Decimal("10"),
            business_scope="食品销售", address="南京市", region_code="320105",
            registration_authority="南京市市场监督管理局",
        )  # fmt: skip
    item = inspection_item_add(
        department=market, code="food-sale", name="食品销售者检查",
        legal_basis="《食品安全法》第一百一十条", qualification="食品安全",
    )  # fmt: skip
    inspector_add(
        department=market, name="李检查", certificate_no="SC001", qualifications=["食品安全"],
        user=inspector_user,
    )  # fmt: skip
    plan = plan_create(
        title="食品销售随机抽查", lead_department=market, departments=[], items=[item],
        scope_region="320100", scope_industry="食品", starts_on=dt.date(2026, 11, 2),
        ends_on=dt.date(2026, 12, 31), rates={"A": 400, "B": 400, "C": 500, "D": 1000},
        inspectors_per_task=1, actor=None,
    )  # fmt: skip
    return {"market": market, "head": head, "inspector": inspector_user, "plan": plan}


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large_text"])
def test_credit_and_inspection_pages_on_a_phone(new_page, live_server, monkeypatch, large):
    monkeypatch.setattr(clock, "now", lambda: T0)
    phone = new_page(PHONE_375)  # the browser first: seeding needs its async-unsafe switch
    phone.set_default_timeout(60_000)  # a shared, busy machine: the first page warms up
    world = _world()
    suffix = "large" if large else "normal"
    if large:
        phone.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    log_in(phone, "market_head")
    phone.goto("/workbench/")
    phone.get_by_role("link", name="信用管理（行政处罚、红黑名单、信用修复审核）").click()
    phone.wait_for_load_state()
    fits_and_passes(phone, f"credit-penalties-{suffix}")
    form = phone.locator("form", has=phone.get_by_role("button", name="录入", exact=True))
    form.get_by_label("处罚决定书文号").fill("宁市监罚〔2026〕9号")
    form.get_by_label("处罚依据").fill("《食品安全法》第一百二十四条")
    form.get_by_label("主体标识").fill(entity_code(2))
    form.get_by_label("主体名称").fill("南京乙食品有限公司")
    form.get_by_label("违法事实").fill("经营超过保质期的食品")
    form.get_by_label("处罚种类").select_option("fine")
    form.get_by_label("罚没金额（元）").fill("5000")
    form.get_by_label("处罚决定日期").fill("2026-10-30")
    form.get_by_role("button", name="录入", exact=True).click()
    phone.wait_for_load_state()
    assert phone.get_by_text("已录入行政处罚 宁市监罚〔2026〕9号").is_visible()
    assert Penalty.objects.get().amount_fen == 500_000
    fits_and_passes(phone, f"credit-penalty-entered-{suffix}")

    phone.get_by_role("link", name="红黑名单").first.click()
    phone.wait_for_load_state()
    assert phone.get_by_text("南京甲食品有限公司").first.is_visible()
    fits_and_passes(phone, f"credit-entries-{suffix}")

    phone.get_by_role("link", name="信用修复审核").first.click()
    phone.wait_for_load_state()
    fits_and_passes(phone, f"credit-repairs-{suffix}")
    repair = phone.locator("[data-repair]").first
    repair.get_by_label("准予修复（移出名单）").check()
    repair.get_by_label("审核意见").fill("整改到位")
    repair.get_by_role("button", name="提交审核结果").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("已准予修复，于 2026年11月02日 移出名单。").is_visible()
    assert CreditRepair.objects.get().status == "approved"

    plan: InspectionPlan = world["plan"]
    phone.goto("/workbench/inspections/")
    fits_and_passes(phone, f"inspections-home-{suffix}")
    phone.goto("/workbench/inspections/plans/new/")
    fits_and_passes(phone, f"inspection-plan-new-{suffix}")
    phone.goto(f"/workbench/inspections/plans/{plan.pk}/")
    phone.get_by_role("button", name="公布种子承诺值").click()
    phone.wait_for_load_state()
    plan.refresh_from_db()
    assert plan.entity_draw is not None
    assert phone.get_by_text(plan.entity_draw.commitment).is_visible()
    phone.get_by_role("button", name="抽取检查对象和检查人员").click()
    phone.wait_for_load_state()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN
    plan.entity_draw.refresh_from_db()
    assert phone.get_by_text(plan.entity_draw.seed).is_visible()
    fits_and_passes(phone, f"inspection-plan-drawn-{suffix}")

    worker = new_page(PHONE_375)
    if large:
        worker.context.add_cookies(
            [{"name": "tb_large_text", "value": "1", "url": live_server.url}]
        )
    log_in(worker, "inspector_li")
    worker.goto("/workbench/inspections/tasks/")
    fits_and_passes(worker, f"inspection-tasks-{suffix}")
    task = worker.locator("[data-task]").first
    task.get_by_label("发现问题，责令整改").check()
    task.get_by_label("检查情况").fill("食品标签不规范，已责令整改")
    task.get_by_role("button", name="录入检查结果").click()
    worker.wait_for_load_state()
    assert worker.get_by_text("最迟于 2026年11月30日 公示").is_visible()
    assert InspectionTask.objects.filter(plan=plan, result="rectify").count() == 1
    fits_and_passes(worker, f"inspection-result-entered-{suffix}")
