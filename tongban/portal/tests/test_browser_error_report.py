"""纠错 in real Chromium (issue 16 item 6, 窗口无否决权): a citizen reports a window on
a 360 px phone in large-text mode, the hall's supervisor answers on the workbench,
and the answer reaches her 消息中心 and 我的纠错.

Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.appointments.models import ErrorReport
from tongban.cases.tests import conftest as cases_world
from tongban.core import clock
from tongban.identity.services import citizen_signup, staff_account_create
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign
from tongban.portal.tests.test_browser import assert_accessible, has_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "Pw-12345678"
NARROW = {"width": 360, "height": 740}


def log_in(page, username: str) -> None:
    page.set_default_timeout(60_000)  # a loaded machine: the first request warms up
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def test_a_citizen_reports_a_window_and_the_supervisor_answers(new_page, live_server, monkeypatch):
    moment = dt.datetime(2026, 9, 28, 10, 0, tzinfo=clock.SHANGHAI)
    monkeypatch.setattr(clock, "now", lambda: moment)
    cases_world._seed()  # 南京's halls and windows
    citizen_signup(
        phone="13800000001",
        password=PASSWORD,
        name="张伟",
        id_number="11010519491231002X",
        username="zhangwei",
    )
    centre = Department.objects.get(name="南京市政务服务管理办公室")
    supervisor = staff_account_create(
        username="hall_super", display_name="周监察", password=PASSWORD
    )
    staff_assign(
        user_id=supervisor.pk,
        role=Role.SUPERVISOR,
        department=centre,
        region_scope=centre.region,
    )

    # On her phone, in large-text mode, she reports what happened at window A01.
    phone = new_page(NARROW)
    phone.context.add_cookies([{"name": "tb_large_text", "value": "1", "url": live_server.url}])
    log_in(phone, "zhangwei")
    phone.goto("/halls/report/")
    assert_accessible(phone)
    phone.get_by_label("在哪个大厅或服务点").select_option(label="南京市政务服务中心")
    phone.get_by_role("button", name="下一步").click()
    phone.wait_for_load_state()
    phone.get_by_label("发生了什么").fill("不给办")
    phone.get_by_role("button", name="提交纠错").click()
    phone.wait_for_load_state()
    assert "经过须为 10–1000 个字" in phone.get_by_role("alert").inner_text()
    assert not ErrorReport.objects.exists()
    assert_accessible(phone)
    phone.get_by_label("发生了什么").fill("材料齐全，窗口说系统维护不予收件，让我下周再来。")
    phone.get_by_label("窗口号（可不填）").fill("A01")
    phone.get_by_role("button", name="提交纠错").click()
    phone.wait_for_load_state()
    code = phone.locator("[data-report-code]").inner_text().strip()
    assert code.startswith("JC260928")
    assert "2026年10月10日" in phone.content()  # 5 working days, 国庆 not counted
    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)
    screenshot(phone, "error-report-phone")

    # The hall's supervisor finds it on the workbench and answers.
    desk = new_page()
    log_in(desk, "hall_super")
    desk.goto("/workbench/error-reports/")
    assert_accessible(desk)
    desk.get_by_role("link", name=code).click()
    desk.wait_for_load_state()
    assert "A01" in desk.content()
    assert_accessible(desk)
    desk.get_by_label("情况属实", exact=True).check()
    desk.get_by_label("核查与处理情况（将发送给反映人）").fill(
        "经调取录像情况属实，已当场补办并对该工作人员批评教育。"
    )
    desk.get_by_role("button", name="答复反映人").click()
    desk.wait_for_url("**/workbench/error-reports/")
    assert f"{code} 已答复" in desk.content()
    assert ErrorReport.objects.get(code=code).substantiated is True

    # She reads the answer in her 消息中心 and in 我的纠错.
    phone.goto("/my/messages/")
    assert "批评教育" in phone.content()
    phone.goto("/my/reports/")
    assert "经核查情况属实" in phone.locator(f'[data-report="{code}"]').inner_text()
    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)
