"""企业开办 and 新生儿出生 end to end in real Chromium (issue 11, "Done when").

A citizen finds 企业开办 on a phone (normal and large text), reads what is
merged, fills the one form and uploads each shared material once, submits
once, and follows one status; the departments handle their member cases in
dependency order; the lead department's desk shows every member case with
its clock and hands every result out together; the citizen sees it concluded.
新生儿出生 runs in large text from the phone to all five results ready for the
window.
axe-core finds nothing serious or critical on any of the pages.

Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pytest

from tongban.bundles.models import ApplicationStatus, BundleApplication
from tongban.bundles.services.supplements import bundle_supplement_submit
from tongban.bundles.tests.conftest import pdf, seed
from tongban.bundles.tests.flows import fill, merge_of, run_through
from tongban.identity.services import citizen_signup
from tongban.org.models import Department
from tongban.portal.tests.test_browser import (
    PHONE,
    assert_accessible,
    has_horizontal_scroll,
    screenshot,
)

pytestmark = pytest.mark.browser
PASSWORD = "Pw-12345678"


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def fits_and_passes(page: Any, name: str) -> None:
    assert not has_horizontal_scroll(page), f"{page.url} scrolls sideways"
    screenshot(page, name)
    assert_accessible(page)


def fill_the_form(page: Any, merge: Any) -> None:
    """Each asked field once (by its field code) and each material once."""
    for code, value in fill(merge).items():
        field = page.locator(f'[name="f_{code}"]')
        tag = field.evaluate("e => e.tagName + ':' + (e.type || '')")
        if tag.startswith("SELECT"):
            field.select_option(str(value))
        elif tag.endswith(":checkbox"):
            if value:
                field.check()
        else:
            field.fill(str(value))
    for material in merge.materials_to_submit:
        if material.needed:
            page.locator(f'[name="m_{material.key}"]').set_input_files(
                {
                    "name": f"{material.spec.name}.pdf",
                    "mimeType": "application/pdf",
                    "buffer": pdf(material.key),
                }
            )


def test_enterprise_opening_from_the_phone_to_the_window(new_page, live_server, transactional_db):
    phone = new_page(PHONE)  # the browser first: seeding needs its async-unsafe switch
    world = seed()
    citizen_signup(
        phone="13800000001", password=PASSWORD, name="张伟",
        id_number="320102198503120012", username="zhangwei",
    )  # fmt: skip
    merge = merge_of(world.bundles["enterprise-opening"])

    # The list and the guide, in large text on a phone.
    phone.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    phone.goto("/bundles/")
    fits_and_passes(phone, "bundles-phone-large")
    phone.get_by_role("link", name="企业开办").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", name="一张申请表").is_visible()
    fits_and_passes(phone, "bundle-guide-phone-large")
    phone.context.clear_cookies()

    # One form, one upload per shared material, one submission.
    log_in(phone, "zhangwei")
    phone.goto("/bundles/enterprise-opening/apply/")
    assert phone.locator('[name="f_entity_name"]').count() == 1
    fill_the_form(phone, merge)
    fits_and_passes(phone, "bundle-apply-phone")
    phone.get_by_role("button", name="一次提交").click()
    phone.wait_for_load_state()
    application = BundleApplication.objects.get()
    assert phone.get_by_text(f"申请编号 {application.application_no}").first.is_visible()
    assert phone.get_by_role("heading", name="各事项办理情况").is_visible()
    fits_and_passes(phone, "bundle-application-phone")

    # Each department handles its member case, in dependency order.
    def supplement(app: BundleApplication) -> None:
        notice = app.supplement_notices.get(status="open")
        files = {e["key"]: (pdf(e["key"]), f"{e['name']}.pdf") for e in notice.items}
        bundle_supplement_submit(application=app, files=files, actor=None)

    order = run_through(world, application, world.at(), nullcontext, supplement=supplement)
    assert order[0] == ["licence"] and order[-1] == ["social"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY

    # The lead desk: every member case with its clock; 窗口统一出件.
    clerk = world.staff_of(Department.objects.get(name="南京市玄武区市场监督管理局"))
    desk = new_page()
    log_in(desk, clerk.username)
    desk.goto("/workbench/bundles/")
    desk.get_by_role("link", name=application.application_no).click()
    desk.wait_for_load_state()
    assert desk.get_by_role("cell", name="中国人民银行江苏省分行").is_visible()
    fits_and_passes(desk, "bundle-lead-desk")
    desk.get_by_role("button", name="统一出件").click()
    desk.wait_for_load_state()
    assert desk.get_by_text("已统一出件").is_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONCLUDED

    # The citizen sees one concluded application.
    phone.reload()
    assert phone.get_by_text("已办结").first.is_visible()
    fits_and_passes(phone, "bundle-concluded-phone")


def test_newborn_from_the_phone_to_the_result(new_page, live_server, transactional_db):
    phone = new_page(PHONE)
    world = seed()
    citizen_signup(
        phone="13800000001", password=PASSWORD, name="张伟",
        id_number="320102198503120012", username="zhangwei",
    )  # fmt: skip
    merge = merge_of(world.bundles["newborn"])
    log_in(phone, "zhangwei")
    # This journey in large text: the form and the application page too.
    phone.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    phone.goto("/bundles/newborn/")
    phone.get_by_role("link", name="在线申请").click()
    phone.wait_for_load_state()
    fill_the_form(phone, merge)
    fits_and_passes(phone, "newborn-apply-phone-large")
    phone.get_by_role("button", name="一次提交").click()
    phone.wait_for_load_state()
    application = BundleApplication.objects.get()
    assert phone.get_by_text(f"申请编号 {application.application_no}").first.is_visible()
    fits_and_passes(phone, "newborn-application-phone-large")

    def supplement(app: BundleApplication) -> None:
        notice = app.supplement_notices.get(status="open")
        files = {e["key"]: (pdf(e["key"]), f"{e['name']}.pdf") for e in notice.items}
        bundle_supplement_submit(application=app, files=files, actor=None)

    order = run_through(world, application, world.at(), nullcontext, supplement=supplement)
    assert order[0] == ["cert"] and set(order[1]) == {"hukou", "vaccine"}
    phone.reload()
    assert phone.get_by_text("全部结果已作出").is_visible()
    fits_and_passes(phone, "newborn-ready-phone")
