"""The case journey in real Chromium (the issue's acceptance path).

A citizen applies online (form, a small PDF, submit) and finds the case in
我的办件; a window clerk accepts it and sees the 受理通知书; a reviewer starts
the review and grants; the citizen sees the result and downloads the notice.
axe-core finds nothing serious or critical on any of the pages.

Run with ``pytest -m browser -p no:xdist``; set ``TONGBAN_SCREENSHOT_DIR`` to
keep screenshots.
"""

from __future__ import annotations

from typing import Any

import pytest

from tongban.cases.models import Case, CaseStatus
from tongban.portal.tests.test_browser import (
    PHONE,
    assert_accessible,
    has_horizontal_scroll,
    screenshot,
)
from tongban.portal.tests.test_case_pages import PASSWORD, PDF, CaseSeed, seed_cases

pytestmark = pytest.mark.browser


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def log_out(page: Any) -> None:
    menu = page.get_by_role("button", name="菜单")
    if menu.is_visible():  # on a phone the navigation is folded
        menu.click()
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def pdf_file(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_apply_accept_review_decide_and_download(new_page, live_server, transactional_db):
    phone = new_page(PHONE)  # the browser first: seeding needs its async-unsafe switch
    seed: CaseSeed = seed_cases()
    code = seed.food.implementation_code

    # The citizen applies on a phone.
    log_in(phone, "zhangsan")
    phone.goto(f"/services/{code}/")
    phone.get_by_role("link", name="在线申请").click()
    phone.wait_for_load_state()
    phone.get_by_role("radio", name="否").check()
    phone.get_by_role("button", name="下一步").click()
    phone.wait_for_load_state()
    # 营业执照 is looked up only for a business: a person is told so (两个免于提交
    # never claims what it did not find), and it is optional for this item.
    assert phone.locator("[data-not-found=business_licence]").is_visible()
    # The applicant's own name comes from the real-name record, not asked again.
    assert phone.get_by_text("来源：实名认证信息").is_visible()
    phone.get_by_label("联系电话").fill("13800000001")
    phone.get_by_label("上传“食品经营许可申请书”").set_input_files(pdf_file("申请书.pdf"))
    phone.get_by_label("上传“经营场所平面布局图”").set_input_files(pdf_file("布局图.pdf"))
    assert not has_horizontal_scroll(phone), "the application form scrolls sideways"
    screenshot(phone, "case-apply-phone")
    assert_accessible(phone)
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_load_state()
    case = Case.objects.get()
    assert phone.get_by_text(f"申请已提交，办件编号 {case.case_no}").is_visible()
    assert phone.get_by_role("heading", name="办理记录").is_visible()
    screenshot(phone, "case-page-phone")
    assert_accessible(phone)
    phone.goto("/my/cases/")
    assert phone.get_by_role("link", name="食品经营许可证核发").is_visible()
    assert phone.get_by_text(case.case_no).is_visible()
    screenshot(phone, "my-cases-phone")
    assert_accessible(phone)
    log_out(phone)

    # The window clerk accepts it.
    desk = new_page()
    log_in(desk, "nj_clerk")
    desk.goto("/workbench/cases/")
    screenshot(desk, "case-queue-desktop")
    assert_accessible(desk)
    desk.get_by_role("link", name=case.case_no).click()
    desk.wait_for_load_state()
    desk.get_by_role("button", name="受理", exact=True).click()
    desk.wait_for_load_state()
    assert desk.get_by_text("已受理，受理通知书已出具").is_visible()
    assert desk.get_by_role("link", name="受理通知书（PDF）").is_visible()
    screenshot(desk, "staff-case-desktop")
    assert_accessible(desk)
    desk.goto("/workbench/intake/?q=食品")
    assert desk.get_by_role("link", name="食品经营许可证核发").is_visible()
    assert_accessible(desk)
    log_out(desk)

    # The reviewer starts the review and grants.
    log_in(desk, "nj_reviewer")
    desk.goto(f"/workbench/cases/{case.case_no}/")
    desk.get_by_role("button", name="开始审查").click()
    desk.wait_for_load_state()
    assert desk.get_by_text("已开始审查").is_visible()
    desk.locator("summary", has_text="作出决定").click()
    desk.get_by_role("radio", name="准予许可").check()
    desk.get_by_label("理由").fill("申请材料齐全，符合法定条件")
    desk.get_by_role("button", name="作出决定").click()
    desk.wait_for_load_state()
    assert desk.get_by_text("已作出决定，决定书已出具").is_visible()
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    log_out(desk)

    # The citizen sees the result and downloads the decision.
    log_in(phone, "zhangsan")
    phone.goto(f"/my/cases/{case.case_no}/")
    assert phone.get_by_text("准予许可").first.is_visible()
    link = phone.get_by_role("link", name="准予行政许可决定书（PDF）")
    response = phone.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    notice = phone.get_by_role("link", name="受理通知书（PDF）")
    assert phone.request.get(notice.get_attribute("href")).body().startswith(b"%PDF")

    # Anyone holding the number and the 查询码 tracks it.
    case.refresh_from_db()
    log_out(phone)
    phone.goto("/track/")
    phone.get_by_label("办件编号").fill(case.case_no)
    phone.get_by_label("查询码").fill(case.tracking_code)
    phone.get_by_role("button", name="查询").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("张*").is_visible()
    screenshot(phone, "track-phone")
    assert_accessible(phone)


def test_the_application_form_works_without_javascript(browser, live_server, transactional_db):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        seed = seed_cases()
        log_in(page, "zhangsan")
        page.goto(f"/services/{seed.food.implementation_code}/apply/?q_q1=no")
        page.get_by_label("联系电话").fill("13800000001")
        page.get_by_label("上传“食品经营许可申请书”").set_input_files(pdf_file("申请书.pdf"))
        page.get_by_role("checkbox", name="容缺后补：受理后再补交“经营场所平面布局图”").check()
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_load_state()
        assert Case.objects.count() == 1
        assert page.get_by_text("申请已提交").is_visible()
    finally:
        context.close()
