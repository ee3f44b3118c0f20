"""The appointments API: directory, slots, booking, kiosk, the window, problem+json."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.appointments.tests.conftest import at
from tongban.core import clock
from tongban.identity.services import token_create

API = "/api/v1/appointments"
TUE = dt.date(2026, 9, 29)


@pytest.fixture
def now(monkeypatch):
    """A settable clock (Mon 28 Sep 2026, 10:00 in Shanghai to start with)."""
    moment = {"now": at(dt.date(2026, 9, 28), 10)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def client_for(user) -> Client:
    _token, secret = token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_directory_finds_halls_by_region_and_item(world, client):
    found = client.get(f"{API}/halls", {"region": "320100"}).json()
    hall = next(h for h in found if h["name"] == "南京市政务服务中心")
    assert [t["prefix"] for t in hall["themes"]] == ["A", "C"]
    assert hall["themes"][0]["windows"] == ["A01", "A02", "B01"]
    assert {h["day_kind"] for h in hall["hours"]} == {"working", "rest"}
    assert all(h["region"].startswith("3201") for h in found)
    assert client.get(f"{API}/halls", {"region": "999999"}).json() == []
    assert client.get(f"{API}/halls", {"item": "no-such-item"}).json() == []
    bad = client.get(f"{API}/halls", {"region": "南京"})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"


def test_a_citizen_books_sees_and_cancels_online(world, now):
    citizen = client_for(world.citizen)
    slots = citizen.get(
        f"{API}/themes/{world.business.pk}/slots", {"from": "2026-09-29", "days": "1"}
    )
    assert slots.status_code == 200
    assert slots.json()[0] == {
        "date": "2026-09-29",
        "start": "09:00:00",
        "end": "09:30:00",
        "capacity": 2,
        "remaining": 2,
        "open": True,
    }
    body = {"theme_id": world.business.pk, "date": "2026-09-29", "start": "09:00"}
    made = citizen.post(f"{API}/appointments", body, content_type="application/json")
    assert made.status_code == 201, made.content
    code = made.json()["code"]
    assert made.json()["hall"] == "南京市政务服务中心" and made.json()["status_label"] == "已预约"
    again = citizen.post(f"{API}/appointments", body, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "appointment_duplicate"
    assert [a["code"] for a in citizen.get(f"{API}/appointments").json()] == [code]
    assert citizen.get(f"{API}/appointments/block").json() == {"blocked_until": None}
    other = client_for(world.other_citizen)
    assert other.post(f"{API}/appointments/{code}/cancel").status_code == 404
    cancelled = citizen.post(f"{API}/appointments/{code}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    anonymous = Client().post(f"{API}/appointments", body, content_type="application/json")
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"theme_id": 0, "date": "2026-09-29", "start": "09:00"},
        {"theme_id": 1, "date": "2026-13-29", "start": "09:00"},
        {"theme_id": 1, "date": "2026-09-29", "start": "25:00"},
        {"theme_id": "x", "date": "2026-09-29", "start": "09:00"},
        {"theme_id": 99999999999, "date": "2026-09-29", "start": "09:00"},
    ],
)
def test_bad_booking_input_is_a_422_problem(world, now, body):
    made = client_for(world.citizen).post(
        f"{API}/appointments", body, content_type="application/json"
    )
    assert made.status_code == 422
    assert made["Content-Type"] == "application/problem+json"


def test_the_kiosk_the_window_and_the_screen(world, now, client):
    now["now"] = at(TUE, 9, 1)
    taken = client.post(
        f"{API}/themes/{world.business.pk}/tickets", {}, content_type="application/json"
    )
    assert taken.status_code == 201
    ticket = taken.json()
    assert (ticket["number"], ticket["status"], ticket["ahead"]) == ("A001", "waiting", 0)
    progress = client.get(f"{API}/tickets/{ticket['id']}", {"number": "a001"})
    assert progress.status_code == 200 and progress["ETag"] == '"1"'
    assert client.get(f"{API}/tickets/{ticket['id']}", {"number": "A002"}).status_code == 404
    clerk = client_for(world.clerk)
    now["now"] = at(TUE, 9, 5)
    called = clerk.post(f"{API}/windows/{world.a01.pk}/call-next")
    assert called.status_code == 200 and called.json()["window"] == "A01"
    screen = client.get(f"{API}/halls/{world.hall.pk}/board").json()
    assert screen["calls"][0]["number"] == "A001" and screen["calls"][0]["window"] == "A01"
    stale = clerk.post(
        f"{API}/tickets/{ticket['id']}/finish",
        {},
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
    )
    assert stale.status_code == 412 and stale.json()["code"] == "ticket_version_mismatch"
    done = clerk.post(
        f"{API}/tickets/{ticket['id']}/finish",
        {},
        content_type="application/json",
        HTTP_IF_MATCH=called["ETag"],
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    citizen = client_for(world.citizen)
    assert citizen.post(f"{API}/windows/{world.a01.pk}/call-next").status_code == 409
    now["now"] = at(TUE, 18)
    closed = client.post(
        f"{API}/themes/{world.business.pk}/tickets", {}, content_type="application/json"
    )
    assert closed.status_code == 409 and closed.json()["code"] == "hall_closed"


def test_staff_see_the_days_bookings_of_their_own_halls_only(world, now):
    client_for(world.citizen).post(
        f"{API}/appointments",
        {"theme_id": world.business.pk, "date": "2026-09-29", "start": "09:00"},
        content_type="application/json",
    )
    mine = client_for(world.clerk).get(
        f"{API}/halls/{world.hall.pk}/bookings", {"date": "2026-09-29"}
    )
    assert [(b["person"], b["start"]) for b in mine.json()] == [("张*", "09:00:00")]
    theirs = client_for(world.other_clerk).get(
        f"{API}/halls/{world.hall.pk}/bookings", {"date": "2026-09-29"}
    )
    assert theirs.json() == []


def test_the_figures_are_for_staff_of_the_hall(world, now):
    url = f"{API}/halls/{world.hall.pk}/figures"
    now["now"] = at(TUE, 9, 1)
    Client().post(f"{API}/themes/{world.business.pk}/tickets", {}, content_type="application/json")
    mine = client_for(world.clerk).get(url, {"from": "2026-09-29"})
    assert mine.status_code == 200
    assert (mine.json()["tickets"], mine.json()["per_hour"]) == (1, [{"hour": 9, "tickets": 1}])
    assert client_for(world.other_clerk).get(url).status_code == 404
    assert client_for(world.clerk).get(url, {"from": "2026-02-30"}).status_code == 422
    assert Client().get(url).status_code == 401


def test_dates_at_the_ends_of_the_calendar_are_answered_not_crashed(world, now, client):
    slots = f"{API}/themes/{world.business.pk}/slots"
    assert client.get(slots, {"from": "9999-12-31", "days": "31"}).json() == []
    assert client.get(slots, {"from": "0001-01-01", "days": "31"}).json() == []
    figures = client_for(world.clerk).get(
        f"{API}/halls/{world.hall.pk}/figures", {"from": "9999-12-31", "to": "9999-12-31"}
    )
    assert figures.status_code == 200 and figures.json()["tickets"] == 0
    booked = client_for(world.citizen).post(
        f"{API}/appointments",
        {"theme_id": world.business.pk, "date": "9999-12-31", "start": "09:00"},
        content_type="application/json",
    )
    assert booked.status_code == 422 and booked.json()["code"] == "slot_too_far"
