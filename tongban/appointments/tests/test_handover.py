"""A clerk takes over a window while the ticket called there is not finished: the
ticket goes with the window, the clerk who left can no longer change it, and it
is neither lost nor served twice (the two at the same moment on PostgreSQL:
test_handover_concurrency)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tongban.appointments.models import TicketStatus
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
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.services import staff_account_create
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
    refused = _code(lambda: ticket_call_next(window_id=world.a01.pk, clerk=world.clerk))
    assert refused == "window_busy"  # and A does not take the window back meanwhile
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
