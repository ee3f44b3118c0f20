"""The window takeover and a late action of the clerk who left, at the same moment
on PostgreSQL (two connections): whichever commits first, the called ticket is
neither lost nor served twice."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction

from tongban.appointments.models import QueueTicket, TicketStatus, WindowDuty
from tongban.appointments.services import (
    ticket_call_next,
    ticket_finish,
    ticket_recall,
    ticket_skip,
    ticket_take,
    window_duty_start,
)
from tongban.appointments.tests import conftest
from tongban.appointments.tests.conftest import at
from tongban.appointments.tests.test_handover import HELD, TUE, _code, _second_clerk
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (postgres leg)"
    ),
]


def _called_world() -> tuple[Any, Any, QueueTicket]:
    world = conftest._seed()
    clerk_b = _second_clerk()
    for minute in (1, 2):
        ticket_take(theme_id=world.business.pk, now=at(TUE, 9, minute))
    a001 = ticket_call_next(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9, 5))
    return world, clerk_b, a001


def _first_holds_second_waits(first: Any, second: Any) -> tuple[object, object]:
    """``first`` runs in a transaction held open until ``second`` (another connection)
    has had a second to run; the outcome of each (the value, or the refusal's code)."""
    started, release = threading.Event(), threading.Event()
    outcomes: list[object] = [None, None]
    second_done = threading.Event()

    def run_first() -> None:
        try:
            with transaction.atomic():
                outcomes[0] = first()
                started.set()
                release.wait(30)
        except DomainError as exc:
            outcomes[0] = exc.code
        finally:
            started.set()
            connections.close_all()

    def run_second() -> None:
        started.wait(30)
        try:
            outcomes[1] = second()
        except DomainError as exc:
            outcomes[1] = exc.code
        finally:
            second_done.set()
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    started.wait(30)
    time.sleep(1.0)
    waited = not second_done.is_set()  # the second is blocked on the first's row lock
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert waited, outcomes
    return outcomes[0], outcomes[1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("act", [ticket_skip, ticket_finish, ticket_recall])
def test_a_takeover_committing_first_refuses_the_late_action_of_the_clerk_who_left(act):
    world, clerk_b, a001 = _called_world()
    took, late = _first_holds_second_waits(
        lambda: window_duty_start(window_id=world.a01.pk, clerk=clerk_b, now=at(TUE, 9, 10)).pk,
        lambda: act(ticket_id=a001.pk, clerk=world.clerk, expected_version=a001.version).status,
    )
    assert isinstance(took, int) and late == HELD
    a001.refresh_from_db()
    assert (a001.status, a001.clerk_id) == (TicketStatus.CALLED, clerk_b.pk)
    busy = _code(lambda: ticket_call_next(window_id=world.a01.pk, clerk=clerk_b))
    assert busy == "window_busy"  # the person at the window is still being served
    ticket_finish(ticket_id=a001.pk, clerk=clerk_b, now=at(TUE, 9, 20))
    assert ticket_call_next(window_id=world.a01.pk, clerk=clerk_b, now=at(TUE, 9, 21)).number == (
        "A002"
    )
    assert AuditEvent.objects.filter(action="queue.finish").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("act", [ticket_skip, ticket_finish])
def test_a_finish_committing_first_leaves_the_window_free_for_the_clerk_taking_over(act):
    world, clerk_b, a001 = _called_world()
    closed, took = _first_holds_second_waits(
        lambda: act(ticket_id=a001.pk, clerk=world.clerk, expected_version=a001.version).status,
        lambda: window_duty_start(window_id=world.a01.pk, clerk=clerk_b, now=at(TUE, 9, 10)).pk,
    )
    assert closed in (TicketStatus.SKIPPED, TicketStatus.DONE) and isinstance(took, int)
    a001.refresh_from_db()
    assert a001.clerk_id == world.clerk.pk  # closed by A, not taken over
    assert not AuditEvent.objects.filter(action="queue.handover").exists()
    assert WindowDuty.objects.get(window=world.a01, ended_at__isnull=True).clerk_id == clerk_b.pk
    nxt = ticket_call_next(window_id=world.a01.pk, clerk=clerk_b, now=at(TUE, 9, 21))
    assert nxt.number == "A002"
    called = QueueTicket.objects.filter(status=TicketStatus.CALLED)
    assert list(called.values_list("number", flat=True)) == ["A002"]


@pytest.mark.django_db(transaction=True)
def test_a_call_taking_over_and_a_late_skip_at_once_serve_the_ticket_once():
    world, clerk_b, a001 = _called_world()
    got, late = _first_holds_second_waits(
        lambda: ticket_call_next(window_id=world.a01.pk, clerk=clerk_b, now=at(TUE, 9, 10)).number,
        lambda: ticket_skip(ticket_id=a001.pk, clerk=world.clerk, expected_version=a001.version),
    )
    assert (got, late) == ("A001", HELD)
    a001.refresh_from_db()
    assert (a001.status, a001.clerk_id) == (TicketStatus.CALLED, clerk_b.pk)
    skipped, called = _first_holds_second_waits(
        lambda: ticket_skip(ticket_id=a001.pk, clerk=clerk_b).status,
        lambda: ticket_call_next(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9, 21)),
    )
    assert skipped == TicketStatus.SKIPPED
    assert isinstance(called, QueueTicket) and called.number == "A002"
    assert not getattr(called, "handed_over", False)
    assert AuditEvent.objects.filter(action="queue.handover").count() == 1
