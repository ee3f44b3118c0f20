"""Halls in real Chromium (issue 16): book online, a reminder, check in on the
kiosk at 1080×1920, called on the hall's screen, the clerk takes in the case.

Run with ``pytest -m browser -p no:xdist``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.appointments.models import DayKind, QueueTicket
from tongban.appointments.services import (
    appointments_remind,
    opening_hours_set,
    slot_rule_add,
    theme_save,
)
from tongban.cases import services as case_services
from tongban.cases.services.intake import MaterialInput
from tongban.cases.tests import conftest as cases_world
from tongban.core import clock
from tongban.core.models import Notification
from tongban.identity.services import citizen_signup
from tongban.org.models import Hall
from tongban.portal.tests.test_browser import (
    PHONE,
    assert_accessible,
    has_horizontal_scroll,
    screenshot,
)

pytestmark = pytest.mark.browser
PASSWORD = "Pw-12345678"
KIOSK = {"width": 1080, "height": 1920}
TUE = dt.date(2026, 9, 29)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.SHANGHAI)


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def hall_with_a_business_theme() -> tuple[Hall, int]:
    hall = Hall.objects.get(name="南京市政务服务中心")
    windows = {w.number: w for w in hall.windows.all()}
    opening_hours_set(
        hall=hall,
        day_kind=DayKind.WORKING,
        periods=[(dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17))],
    )
    theme = theme_save(
        hall=hall,
        code="business",
        name="企业开办",
        prefix="A",
        windows=[windows["A01"]],
        minutes_per_ticket=15,
    )
    slot_rule_add(
        theme=theme, start=dt.time(9), end=dt.time(12), capacity=2, valid_from=dt.date(2026, 9, 1)
    )
    return hall, windows["A01"].pk


def test_book_remind_check_in_call_and_take_in_the_case(new_page, monkeypatch):
    moment = {"now": at(dt.date(2026, 9, 28), 10)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    world = cases_world._seed()  # 南京's halls, a published item, the clerk
    hall, a01 = hall_with_a_business_theme()
    citizen_signup(
        phone="13800000001",
        password=PASSWORD,
        name="张伟",
        id_number="11010519491231002X",
        username="zhangwei",
    )

    # The citizen books on her phone.
    phone = new_page(PHONE)
    log_in(phone, "zhangwei")
    phone.goto(f"/halls/{hall.pk}/")
    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)
    phone.get_by_role("link", name="预约企业开办").click()
    phone.locator("#s-20260929-0900").check()
    assert_accessible(phone)
    screenshot(phone, "halls-book-phone")
    phone.get_by_role("button", name="确认预约").click()
    phone.wait_for_url("**/my/appointments/")
    code = phone.locator("td.code").first.inner_text().strip()
    assert code.startswith("YY260929")
    assert "预约成功" in phone.content()
    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)

    # The evening before, she is reminded.
    assert appointments_remind(now=at(dt.date(2026, 9, 28), 18)) == 1
    assert Notification.objects.filter(purpose="appointment_reminder", object_id=code).exists()

    # At the hall, she checks in on the kiosk with its number pad.
    moment["now"] = at(TUE, 8, 50)
    kiosk = new_page(KIOSK)
    kiosk.goto(f"/halls/{hall.pk}/kiosk/")
    assert_accessible(kiosk)
    for digit in code.removeprefix("YY"):
        kiosk.locator(f'[data-pad-key="{digit}"]').click()
    kiosk.get_by_role("button", name="签到").click()
    assert kiosk.locator("[data-ticket-number]").inner_text() == "A001"
    assert "预约优先" in kiosk.content()
    assert not has_horizontal_scroll(kiosk)
    assert_accessible(kiosk)
    screenshot(kiosk, "halls-kiosk-ticket")

    # The hall's screen is open; the clerk calls her at window A01.
    screen = new_page()
    screen.goto(f"/halls/{hall.pk}/screen/")
    assert_accessible(screen)
    moment["now"] = at(TUE, 9, 2)
    desk = new_page()
    log_in(desk, world.clerk.username)
    desk.goto(f"/workbench/queue/?window={a01}")
    desk.get_by_role("button", name="叫下一位").click()
    assert desk.locator("[data-current]").inner_text() == "A001"
    assert_accessible(desk)
    screen.locator("[data-calls] li", has_text="A001").wait_for(timeout=10_000)
    assert "A01" in screen.locator("[data-calls]").inner_text()

    # She applies at the window; the clerk takes the case in and finishes the ticket.
    case = case_services.case_submit(
        service_item=world.item,
        channel="window",
        applicant_person=world.person,
        form_data={"applicant_name": "张伟", "credit_code": "9132010270000001XC"},
        materials=[
            MaterialInput(code="application", kind="upload", content=b"%PDF-1.4"),
            MaterialInput(code="layout", kind="upload", content=b"%PDF-1.4"),
        ],
    )
    desk.get_by_label("受理的办件编号（可不填）").fill(case.case_no)
    desk.get_by_role("button", name="办结").click()
    assert f"A001 已办结，已登记办件 {case.case_no}" in desk.content()
    ticket = QueueTicket.objects.get(number="A001")
    assert ticket.case_id == case.pk and ticket.appointment is not None
    assert ticket.appointment.status == "served"


NARROW = {"width": 360, "height": 740}


def test_the_everyday_pages_fit_a_360_px_phone(new_page, monkeypatch):
    """掌上办 (R-PL-3): search, guide, apply, 我的办件 and the hall pages at 360 px."""
    moment = {"now": at(dt.date(2026, 9, 28), 10)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    world = cases_world._seed()
    hall, _a01 = hall_with_a_business_theme()
    theme = hall.themes.get(code="business")
    citizen_signup(
        phone="13800000001",
        password=PASSWORD,
        name="张伟",
        id_number="11010519491231002X",
        username="zhangwei",
    )
    page = new_page(NARROW)
    log_in(page, "zhangwei")
    code = world.item.implementation_code
    for path in (
        "/services/",
        f"/services/{code}/",
        f"/services/{code}/apply/",
        "/my/cases/",
        "/halls/",
        f"/halls/{hall.pk}/",
        f"/halls/{hall.pk}/book/{theme.pk}/",
        "/my/appointments/",
    ):
        page.goto(path)
        assert not has_horizontal_scroll(page), f"{path} scrolls sideways at 360 px"
        assert_accessible(page)


def test_the_kiosk_tracks_a_case_with_its_pads_and_prints_only_the_receipt(new_page, monkeypatch):
    """自助终端 办件查询 at 1080×1920: both pads, the masked answer, the print stylesheet."""
    moment = {"now": at(dt.date(2026, 9, 28), 10)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    world = cases_world._seed()
    hall = Hall.objects.get(name="南京市政务服务中心")
    case = case_services.case_submit(
        service_item=world.item,
        channel="window",
        applicant_person=world.person,
        form_data={"applicant_name": "张伟", "credit_code": "9132010270000001XC"},
        materials=[
            MaterialInput(code="application", kind="upload", content=b"%PDF-1.4"),
            MaterialInput(code="layout", kind="upload", content=b"%PDF-1.4"),
        ],
    )
    kiosk = new_page(KIOSK)
    kiosk.goto(f"/halls/{hall.pk}/kiosk/")
    kiosk.get_by_role("link", name="用办件编号和查询码查询进度、打印回执").click()
    assert_accessible(kiosk)
    for digit in case.case_no:
        kiosk.locator(f'[data-pad="case"] [data-key="{digit}"]').click()
    for key in case.tracking_code:
        kiosk.locator(f'[data-pad="code"] [data-key="{key}"]').click()
    assert kiosk.locator("#t-case").input_value() == case.case_no
    kiosk.get_by_role("button", name="查询", exact=True).click()
    assert "张*" in kiosk.content() and "张伟" not in kiosk.content()
    assert kiosk.locator("dd.code").inner_text() == case.case_no
    assert not has_horizontal_scroll(kiosk)
    assert_accessible(kiosk)
    screenshot(kiosk, "halls-kiosk-track")
    # Printed: the receipt with its print-only lines, not the buttons or the heading.
    kiosk.emulate_media(media="print")
    assert kiosk.get_by_text("办件查询回执").is_visible()
    assert not kiosk.get_by_role("button", name="打印回执").is_visible()
    assert not kiosk.locator("h1").is_visible()
    kiosk.emulate_media(media="screen")
    # 完成 leaves nothing: back at the start, and "back" does not bring the answer again.
    kiosk.get_by_role("link", name="完成").click()
    kiosk.wait_for_url(f"**/halls/{hall.pk}/kiosk/")
    assert case.case_no not in kiosk.content()


def test_the_directory_and_the_coverage_fit_a_360_px_phone(new_page):
    from tongban.appointments.models import ServicePointItem
    from tongban.org.models import Region
    from tongban.org.services import hall_create

    world = cases_world._seed()
    township = Region.objects.get(code="320115001000")
    point = hall_create(
        name="东山街道便民服务中心", region=township, latitude="31.945", longitude="118.86"
    )
    ServicePointItem.objects.create(hall=point, service_item=world.item, handling="handle")
    page = new_page(NARROW)
    for path in (
        f"/halls/?region=320115001001&item={world.item.name[:4]}",
        f"/halls/{point.pk}/",
        "/halls/coverage/?region=320115",
    ):
        page.goto(path)
        assert not has_horizontal_scroll(page), f"{path} scrolls sideways at 360 px"
        assert_accessible(page)
    page.goto("/halls/?region=320115001001")
    assert "东山街道便民服务中心" in page.content()
