"""The hall pages: directory, booking, 我的预约, the kiosk, the screen, the window queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.appointments.models import Appointment, AppointmentStatus, QueueTicket
from tongban.appointments.tests.conftest import at
from tongban.core import clock

TUE = dt.date(2026, 9, 29)


@pytest.fixture
def now(monkeypatch):
    moment = {"now": at(dt.date(2026, 9, 28), 10)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_directory_and_the_hall_page(world, now, client):
    listed = client.get("/halls/", {"region": "320100"})
    assert listed.status_code == 200 and "南京市政务服务中心" in listed.text
    page = client.get(f"/halls/{world.hall.pk}/")
    assert "预约企业开办" in page.text and "09:00–12:00" in page.text
    assert client.get("/halls/999999/").status_code == 404


def test_booking_on_the_page_and_cancelling_in_my_appointments(world, now):
    citizen = logged_in(world.citizen)
    url = f"/halls/{world.hall.pk}/book/{world.business.pk}/"
    form = citizen.get(url)
    assert form.status_code == 200 and "9月29日" in form.text and "余 2" in form.text
    refused = citizen.post(url, {"date": "2026-10-01", "start": "09:00"})
    assert refused.status_code == 422 and "不提供预约" in refused.text
    assert not Appointment.objects.exists()
    missing = citizen.post(url, {"date": "", "start": ""})
    assert missing.status_code == 422 and "请选择一个预约时段" in missing.text
    done = citizen.post(url, {"date": "2026-09-29", "start": "09:00"}, follow=True)
    booked = Appointment.objects.get()
    assert booked.code in done.text and "预约成功" in done.text
    citizen.post(f"/my/appointments/{booked.code}/cancel/")
    assert Appointment.objects.get().status == AppointmentStatus.CANCELLED
    # The chosen radio alone books, with no script filling other fields.
    again = citizen.post(url, {"slot": "2026-09-29 09:30"})
    assert again.status_code == 302
    assert Appointment.objects.get(status="booked").slot.start == dt.time(9, 30)
    assert Client().get(url).status_code == 302  # to the login page


def test_the_kiosk_takes_a_ticket_and_checks_in_with_the_number_pad(world, now, client):
    now["now"] = at(dt.date(2026, 9, 28), 10)
    booked = logged_in(world.citizen).post(
        f"/halls/{world.hall.pk}/book/{world.business.pk}/",
        {"date": "2026-09-29", "start": "09:00"},
    )
    assert booked.status_code == 302
    code = Appointment.objects.get().code
    now["now"] = at(TUE, 8, 45)
    kiosk = f"/halls/{world.hall.pk}/kiosk/"
    assert "自助取号" in client.get(kiosk).text
    checked = client.post(kiosk, {"action": "check_in", "code": code.removeprefix("YY")})
    assert checked.status_code == 200 and "A001" in checked.text and "预约优先" in checked.text
    now["now"] = at(TUE, 9)  # the hall opens at 9:00; checking in before is allowed
    taken = client.post(kiosk, {"theme": str(world.business.pk)})
    assert "A002" in taken.text and "前面还有" in taken.text
    wrong = client.post(kiosk, {"action": "check_in", "code": "123"})
    assert wrong.status_code == 422 and "没有找到这个预约号" in wrong.text
    screen = client.get(f"/halls/{world.hall.pk}/screen/")
    assert screen.status_code == 200 and "A · 企业开办：2 人" in screen.text


def test_the_window_calls_finishes_and_others_cannot(world, now):
    now["now"] = at(TUE, 9)
    Client().post(f"/halls/{world.hall.pk}/kiosk/", {"theme": str(world.business.pk)})
    clerk = logged_in(world.clerk)
    page = clerk.get("/workbench/queue/", {"window": world.a01.pk})
    assert page.status_code == 200 and "叫下一位" in page.text
    clerk.post("/workbench/queue/", {"window": world.a01.pk, "action": "call"})
    ticket = QueueTicket.objects.get()
    assert ticket.status == "called" and ticket.window_id == world.a01.pk
    shown = clerk.get("/workbench/queue/", {"window": world.a01.pk})
    assert "A001" in shown.text and "重呼" in shown.text
    finished = clerk.post(
        "/workbench/queue/",
        {
            "window": world.a01.pk,
            "action": "finish",
            "ticket": ticket.pk,
            "version": ticket.version,
        },
        follow=True,
    )
    assert "A001 已办结" in finished.text
    assert logged_in(world.citizen).get("/workbench/queue/").status_code == 403
    other = logged_in(world.other_clerk).get("/workbench/queue/")
    assert "您没有可以叫号的窗口" in other.text
