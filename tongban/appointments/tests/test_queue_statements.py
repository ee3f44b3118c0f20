"""What a kiosk take, a window's call and its finish cost in statements over HTTP.

Counted inside the test's transaction, so each service's transaction shows as a
SAVEPOINT and its RELEASE (on a real request: BEGIN and COMMIT, not counted by
Django). The clerk's token was used once before, so its "last used" is fresh."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tongban.appointments.models import Appointment, AppointmentStatus, QueueTicket, TicketStatus
from tongban.appointments.services import appointment_book, appointment_check_in
from tongban.appointments.tests.conftest import NINE, at
from tongban.appointments.tests.test_api import client_for
from tongban.core import clock
from tongban.core.models import AuditEvent

API = "/api/v1/appointments"
TUE = dt.date(2026, 9, 29)


@pytest.fixture
def now(monkeypatch):
    """A settable clock (Tue 29 Sep 2026, 9:10 in Shanghai to start with)."""
    moment = {"now": at(TUE, 9, 10)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def _take(kiosk: Client, world) -> dict:
    taken = kiosk.post(
        f"{API}/themes/{world.business.pk}/tickets", {}, content_type="application/json"
    )
    assert taken.status_code == 201, taken.content
    return taken.json()


def test_take_call_and_finish_cost_seven_seven_and_six_statements(
    world, now, django_assert_num_queries
):
    kiosk, clerk = Client(), client_for(world.clerk)
    _take(kiosk, world)  # the first call (not counted) puts the clerk on duty (亮牌)
    first = clerk.post(f"{API}/windows/{world.a01.pk}/call-next").json()
    clerk.post(f"{API}/tickets/{first['id']}/finish", {}, content_type="application/json")
    # theme with hall and opening hours, counter upsert, ticket insert, audit insert, position
    with django_assert_num_queries(7):
        waiting = _take(kiosk, world)
    # token, scope (1), window lock with scope, claim UPDATE … RETURNING, audit insert
    with django_assert_num_queries(7):
        called = clerk.post(f"{API}/windows/{world.a01.pk}/call-next")
    assert called.status_code == 200, called.content
    body = called.json()
    assert (body["id"], body["status"], body["window"], body["hall"], body["theme"]) == (
        waiting["id"], "called", "A01", "南京市政务服务中心", "企业开办"
    )  # fmt: skip
    assert called["ETag"] == '"2"' and body["calls"] == 1
    # token, scope (1), the conditional UPDATE … RETURNING, audit insert
    with django_assert_num_queries(6):
        done = clerk.post(
            f"{API}/tickets/{body['id']}/finish",
            {},
            content_type="application/json",
            HTTP_IF_MATCH=called["ETag"],
        )
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done["ETag"]) == ("done", '"3"')
    stored = QueueTicket.objects.get(pk=body["id"])
    assert (stored.status, stored.window_id, stored.clerk_id, stored.version) == (
        TicketStatus.DONE, world.a01.pk, world.clerk.pk, 3
    )  # fmt: skip
    # the hall, the latest calls, the themes with their waiting count, the clerks on duty
    with django_assert_num_queries(4):
        board = kiosk.get(f"{API}/halls/{world.hall.pk}/board").json()
    assert board["calls"] == []  # the one called was finished
    assert board["themes"] == [
        {"id": world.business.pk, "prefix": "A", "name": "企业开办", "waiting": 0},
        {"id": world.police.pk, "prefix": "C", "name": "公安", "waiting": 0},
    ]
    _take(kiosk, world)
    assert kiosk.get(f"{API}/halls/{world.hall.pk}/board").json()["themes"][0]["waiting"] == 1
    actions = AuditEvent.objects.filter(object_id__endswith=f"/{waiting['number']}")
    assert sorted(actions.values_list("action", flat=True)) == [
        "queue.call", "queue.finish", "queue.take"
    ]  # fmt: skip


def test_the_first_call_puts_the_clerk_on_duty_and_the_finish_serves_the_appointment(world, now):
    booking = appointment_book(
        person=world.citizen, theme_id=world.business.pk, date=TUE, start=NINE,
        now=at(TUE - dt.timedelta(1), 10),
    )  # fmt: skip
    appointment_check_in(code=booking.code, hall_id=world.hall.pk, now=at(TUE, 9, 2))
    _take(Client(), world)
    clerk = client_for(world.clerk)
    called = clerk.post(f"{API}/windows/{world.a01.pk}/call-next")
    assert called.status_code == 200, called.content
    assert called.json()["priority"] == 1  # the appointment checked in before the walk-in
    board = Client().get(f"{API}/halls/{world.hall.pk}/board").json()
    assert board["windows"] == [{"number": "A01", "name": board["windows"][0]["name"],
                                 "clerk": "王芳"}]  # fmt: skip
    done = clerk.post(
        f"{API}/tickets/{called.json()['id']}/finish", {}, content_type="application/json"
    )
    assert done.status_code == 200
    assert Appointment.objects.get(pk=booking.pk).status == AppointmentStatus.SERVED


@pytest.mark.parametrize("action", ["recall", "skip", "finish"])
def test_a_change_refused_says_why(world, now, action):
    waiting = _take(Client(), world)
    clerk = client_for(world.clerk)
    post: dict[str, Any] = {"content_type": "application/json", "data": {}}
    refused = clerk.post(f"{API}/tickets/{waiting['id']}/{action}", **post)
    assert refused.status_code == 409 and refused.json()["code"] == "ticket_invalid_state"
    other = client_for(world.other_clerk)
    elsewhere = other.post(f"{API}/tickets/{waiting['id']}/{action}", **post)
    assert elsewhere.status_code == 404 and elsewhere.json()["code"] == "ticket_not_found"
    assert clerk.post(f"{API}/tickets/999999/{action}", **post).status_code == 404
    called = clerk.post(f"{API}/windows/{world.a01.pk}/call-next")
    stale = clerk.post(f"{API}/tickets/{waiting['id']}/{action}", HTTP_IF_MATCH='"1"', **post)
    assert stale.status_code == 412 and stale.json()["code"] == "ticket_version_mismatch"
    ok = clerk.post(f"{API}/tickets/{waiting['id']}/{action}", HTTP_IF_MATCH=called["ETag"], **post)
    assert ok.status_code == 200 and ok["ETag"] == '"3"'
    assert QueueTicket.objects.get(pk=waiting["id"]).version == 3


@pytest.mark.parametrize("action", ["recall", "skip", "finish"])
def test_a_change_by_an_account_with_no_hall_is_refused_not_an_error(world, now, action):
    """A citizen's token, or staff without a clerk's grant, has no hall in scope:
    the change matches nothing and is refused (it once compiled no SQL: a 500)."""
    waiting = _take(Client(), world)
    clerk = client_for(world.clerk)
    called = clerk.post(f"{API}/windows/{world.a01.pk}/call-next")
    assert called.status_code == 200
    citizen = client_for(world.citizen)
    refused = citizen.post(
        f"{API}/tickets/{waiting['id']}/{action}", {}, content_type="application/json"
    )
    assert refused.status_code in (403, 404), refused.content
    assert refused.json()["code"] in ("ticket_not_found", "permission_denied")
    assert QueueTicket.objects.get(pk=waiting["id"]).version == 2
