"""A clerk takes over a window while the ticket called there is not finished: the
ticket goes with the window, the clerk who left can no longer change it, and it
is neither lost nor served twice (the two at the same moment on PostgreSQL:
test_handover_concurrency)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tongban.appointments.models import QueueTicket, TicketStatus, WindowDuty
from tongban.appointments.services import (
    ticket_call_next,
    ticket_finish,
    ticket_recall,
    ticket_skip,
    ticket_take,
    ticket_transfer,
    window_duty_start,
)
from tongban.appointments.tests.conftest import at
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.services import staff_account_create, token_create
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign

TUE = dt.date(2026, 9, 29)
HELD = "ticket_held_by_other_clerk"


def _second_clerk() -> Any:
    nanjing = Department.objects.get(name="南京市市场监督管理局")
    user = staff_account_create(username="clerk2", display_name="赵磊", password="Pw-12345678")
    staff_assign(
        user_id=user.pk, role=Role.WINDOW_CLERK, department=nanjing, region_scope=nanjing.region
    )
    return user


def _code(work: Any) -> str:
    with pytest.raises(DomainError) as refused:
        work()
    return refused.value.code


def test_the_clerk_taking_over_serves_the_called_ticket_and_the_one_who_left_cannot(world):
    clerk_b = _second_clerk()
    for minute in (1, 2):
        ticket_take(theme_id=world.business.pk, now=at(TUE, 9, minute))
    a001 = ticket_call_next(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9, 5))
    seen_by_a = a001.version

    window_duty_start(window_id=world.a01.pk, clerk=clerk_b, now=at(TUE, 9, 10))

    a001.refresh_from_db()
    assert (a001.status, a001.clerk_id, a001.version) == (
        TicketStatus.CALLED,
        clerk_b.pk,
        seen_by_a + 1,
    )
    handover = AuditEvent.objects.get(action="queue.handover")
    assert handover.details["from_clerk"] == world.clerk.pk
    # The clerk who left, from a page that still shows A001 (with or without its version):
    for act in (ticket_skip, ticket_recall, ticket_finish):
        assert _code(lambda act=act: act(ticket_id=a001.pk, clerk=world.clerk)) == HELD
        assert (
            _code(
                lambda act=act: act(
                    ticket_id=a001.pk, clerk=world.clerk, expected_version=seen_by_a
                )
            )
            == HELD
        )
    moved = lambda: ticket_transfer(  # noqa: E731
        ticket_id=a001.pk, clerk=world.clerk, theme_id=world.police.pk
    )
    assert _code(moved) == HELD
    # The new clerk serves the person at the window, then calls the next one.
    assert _code(lambda: ticket_call_next(window_id=world.a01.pk, clerk=clerk_b)) == "window_busy"
    done = ticket_finish(
        ticket_id=a001.pk, clerk=clerk_b, expected_version=seen_by_a + 1, now=at(TUE, 9, 20)
    )
    assert (done.status, done.clerk_id) == (TicketStatus.DONE, clerk_b.pk)
    assert _code(lambda: ticket_finish(ticket_id=a001.pk, clerk=world.clerk)) == HELD
    nxt = ticket_call_next(window_id=world.a01.pk, clerk=clerk_b, now=at(TUE, 9, 21))
    assert nxt.number == "A002"
    assert AuditEvent.objects.filter(action="queue.finish").count() == 1
    assert AuditEvent.objects.filter(action__in=("queue.skip", "queue.recall")).count() == 0


def test_a_clerk_going_back_on_duty_at_her_own_window_keeps_her_ticket(world):
    ticket_take(theme_id=world.business.pk, now=at(TUE, 9, 1))
    a001 = ticket_call_next(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9, 5))
    window_duty_start(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9, 6))
    a001.refresh_from_db()
    assert a001.clerk_id == world.clerk.pk and a001.version == 2
    assert not AuditEvent.objects.filter(action="queue.handover").exists()
    assert ticket_skip(ticket_id=a001.pk, clerk=world.clerk, expected_version=2).status == (
        TicketStatus.SKIPPED
    )


def test_calling_at_a_window_left_busy_takes_it_over_and_serves_that_ticket_first(world):
    clerk_b = _second_clerk()
    for minute in (1, 2):
        ticket_take(theme_id=world.business.pk, now=at(TUE, 9, minute))
    a001 = ticket_call_next(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9, 5))
    # A leaves without 离岗; B presses 叫号 at the same window.
    got = ticket_call_next(window_id=world.a01.pk, clerk=clerk_b, now=at(TUE, 9, 10))
    assert (got.pk, got.number, getattr(got, "handed_over", False)) == (a001.pk, "A001", True)
    assert (got.status, got.clerk_id, got.calls, got.version) == (
        TicketStatus.CALLED,
        clerk_b.pk,
        1,  # not called again: the person is already at the window
        a001.version + 1,
    )
    assert got.window is not None
    assert (got.hall.name, got.theme.name, got.window.number) == (
        world.hall.name,
        world.business.name,
        "A01",
    )
    handover = AuditEvent.objects.get(action="queue.handover")
    assert handover.details["from_clerk"] == world.clerk.pk
    assert WindowDuty.objects.get(window=world.a01, ended_at__isnull=True).clerk_id == clerk_b.pk
    assert AuditEvent.objects.filter(action="queue.call").count() == 1  # A's only
    assert QueueTicket.objects.get(number="A002").status == TicketStatus.WAITING
    # The clerk who left cannot change it any more; B's own busy ticket refuses a call.
    late = _code(lambda: ticket_skip(ticket_id=a001.pk, clerk=world.clerk, now=at(TUE, 9, 11)))
    assert late == HELD
    assert _code(lambda: ticket_call_next(window_id=world.a01.pk, clerk=clerk_b)) == "window_busy"
    done = ticket_finish(
        ticket_id=a001.pk, clerk=clerk_b, expected_version=got.version, now=at(TUE, 9, 20)
    )
    assert (done.status, done.clerk_id) == (TicketStatus.DONE, clerk_b.pk)
    nxt = ticket_call_next(window_id=world.a01.pk, clerk=clerk_b, now=at(TUE, 9, 21))
    assert (nxt.number, getattr(nxt, "handed_over", False)) == ("A002", False)
    assert AuditEvent.objects.filter(action="queue.handover").count() == 1
    assert AuditEvent.objects.filter(action="queue.skip").count() == 0


def test_calling_at_a_window_whose_ticket_the_other_clerk_closed_calls_the_next(world):
    clerk_b = _second_clerk()
    for minute in (1, 2):
        ticket_take(theme_id=world.business.pk, now=at(TUE, 9, minute))
    a001 = ticket_call_next(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9, 5))
    ticket_skip(ticket_id=a001.pk, clerk=world.clerk, now=at(TUE, 9, 6))
    got = ticket_call_next(window_id=world.a01.pk, clerk=clerk_b, now=at(TUE, 9, 10))
    assert (got.number, getattr(got, "handed_over", False)) == ("A002", False)
    assert not AuditEvent.objects.filter(action="queue.handover").exists()


def test_the_api_and_the_window_page_say_the_called_ticket_was_taken_over(world, monkeypatch):
    moment = {"now": at(TUE, 9, 1)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    clerk_b = _second_clerk()
    for minute in (1, 2, 3):
        ticket_take(theme_id=world.business.pk, now=at(TUE, 9, minute))
    ticket_call_next(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9, 5))
    _token, secret = token_create(user=clerk_b, name="test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    moment["now"] = at(TUE, 9, 10)
    path = f"/api/v1/appointments/windows/{world.a01.pk}/call-next"
    taken = api.post(path)
    body = taken.json()
    assert taken.status_code == 200, body
    assert (body["number"], body["handed_over"], body["calls"]) == ("A001", True, 1)
    assert taken["ETag"] == f'"{body["version"]}"'
    busy = api.post(path)
    assert busy.status_code == 409 and busy.json()["code"] == "window_busy"
    # A comes back to A01 on the page: she takes the window back, and the page says so.
    page = Client()
    page.force_login(world.clerk)
    shown = page.post("/workbench/queue/", {"window": world.a01.pk, "action": "call"}, follow=True)
    assert "已接手 A01 号窗口：A001 由他人叫号尚未办结" in shown.text
    finished = api.post(
        f"/api/v1/appointments/tickets/{body['id']}/finish", {}, content_type="application/json"
    )
    assert finished.status_code == 409 and finished.json()["code"] == HELD
    ticket_finish(ticket_id=body["id"], clerk=world.clerk, now=at(TUE, 9, 12))
    again = api.post(path)
    assert again.status_code == 200
    assert (again.json()["number"], again.json()["handed_over"]) == ("A002", False)
