"""联合办理 and 区域评估 in the workbench, in real Chromium at a 360 px phone's
width: the lead department schedules a joint site inspection, each department
taking part signs its opinion on its own phone, the organiser forms the one
joint opinion; a zone's assessment is recorded. axe-core finds nothing serious
or critical on any page. Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tongban.bundles.models import JointProcedure
from tongban.bundles.tests.conftest import seed
from tongban.org.models import Department, Role
from tongban.workbench.tests.test_bundle_joint_page import at_the_connections

pytestmark = pytest.mark.browser
PHONE_360 = {"width": 360, "height": 780}
PASSWORD = "Pw-12345678"  # the test staff accounts' password
BLOCKING_IMPACTS = {"serious", "critical"}


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


def test_a_joint_inspection_on_the_phone_from_schedule_to_joint_opinion(
    new_page: Any, live_server: Any, transactional_db: Any
) -> None:
    organiser_page = new_page(PHONE_360)  # the browser first: seeding is async-unsafe
    world = seed()
    application = at_the_connections(world)
    lead = application.bundle.lead_departments.get()
    organiser = world.staff_of(lead, Role.REVIEWER)
    url = f"/workbench/bundles/applications/{application.application_no}/joint/"

    log_in(organiser_page, organiser.username)
    organiser_page.goto(url)
    fits_and_passes(organiser_page, "bundle-joint-empty-360")
    form = organiser_page.locator("form", has=organiser_page.get_by_role("button", name="安排"))
    form.get_by_label("联合办理类型").select_option("site_inspection")
    form.get_by_label("名称", exact=True).fill("水电气接入联合踏勘")
    form.get_by_label("时间", exact=True).fill("2026-11-20T09:30")
    form.get_by_label("地点", exact=True).fill("通办智能制造产业园现场")
    for member in application.members.filter(key__in=["water", "power", "gas"]):
        form.get_by_label(f"{member.name}（{member.department.name}）").check()
    form.get_by_role("button", name="安排").click()
    organiser_page.wait_for_load_state()
    assert organiser_page.get_by_text("已安排联合办理").is_visible()
    procedure = JointProcedure.objects.get(application=application)
    fits_and_passes(organiser_page, "bundle-joint-scheduled-360")

    # Each department taking part signs on its own phone.
    departments = list(
        Department.objects.filter(
            pk__in=procedure.participants.values_list("department_id", flat=True)
        ).order_by("pk")
    )
    for index, department in enumerate(departments):
        page = new_page(PHONE_360)
        log_in(page, world.staff_of(department, Role.REVIEWER).username)
        page.goto(url)
        item = page.locator(f'[data-participant="{department.pk}"]')
        if index == 0:
            item.get_by_label("有条件同意").check()
            item.get_by_label("意见说明").fill("接水点移至东侧")
        else:
            item.get_by_label("同意", exact=True).check()
        if index == 0:
            fits_and_passes(page, "bundle-joint-sign-360")
        item.get_by_role("button").click()
        page.wait_for_load_state()
        assert page.get_by_text("已签署本部门意见").is_visible()
        page.close()

    organiser_page.reload()
    organiser_page.get_by_role("button", name="形成联合意见").click()
    organiser_page.wait_for_load_state()
    result = organiser_page.locator("[data-joint-result]")
    assert result.get_by_role("heading", name="联合意见：有条件同意").is_visible()
    assert "接水点移至东侧" in result.inner_text()
    fits_and_passes(organiser_page, "bundle-joint-result-360")
    procedure.refresh_from_db()
    assert procedure.outcome == "conditions"

    # 区域评估: the zones of the head's region, one recorded from the phone.
    head_page = new_page(PHONE_360)
    zone_desk = Department.objects.filter(region_id="320102").order_by("pk").first()
    assert zone_desk is not None
    log_in(head_page, world.staff_of(zone_desk, Role.DEPARTMENT_HEAD).username)
    head_page.goto("/workbench/projects/zones/")
    zone = head_page.locator("[data-zone]").first
    zone.locator("summary").click()
    zone.get_by_label("评估事项").select_option("flood")
    zone.get_by_label("成果名称", exact=True).fill("园区洪水影响区域评价")
    zone.get_by_label("批复文号").fill("玄水复〔2026〕12号")
    zone.get_by_label("审批（出具）单位").fill("南京市玄武区水务局")
    zone.get_by_label("有效期起").fill("2026-12-01")
    zone.get_by_label("有效期至").fill("2031-11-30")
    fits_and_passes(head_page, "zone-assessment-form-360")
    zone.get_by_role("button", name="登记").click()
    head_page.wait_for_load_state()
    assert head_page.get_by_text("玄水复〔2026〕12号").is_visible()
    fits_and_passes(head_page, "zone-assessments-360")
