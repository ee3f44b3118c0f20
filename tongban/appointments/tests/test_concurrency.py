"""Real concurrency on PostgreSQL: the last place, kiosk numbers, two windows calling."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from tongban.appointments.models import Appointment, Slot
from tongban.appointments.services import appointment_book, ticket_call_next, ticket_take
from tongban.appointments.tests import conftest
from tongban.appointments.tests.conftest import NINE, T0, at
from tongban.core.errors import DomainError
from tongban.identity.services import citizen_signup

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (postgres leg)"
    ),
]
REST_SUNDAY = dt.date(2026, 10, 11)  # one place at 9:00 (the weekend rule)
TUE = dt.date(2026, 9, 29)


def _in_threads(count: int, work: Callable[[int], object]) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except DomainError as exc:
            results[i] = exc.code
        except Exception as exc:  # noqa: BLE001  (the test inspects every outcome)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _people(count: int) -> list[Any]:
    from stdnum.cn import ric

    people = []
    for i in range(count):
        base = f"32010219850312{100 + i:03d}"
        check = next(c for c in "0123456789X" if ric.is_valid(base + c))
        people.append(
            citizen_signup(
                phone=f"1370000{i:04d}",
                password="Pw-12345678",
                name="测试",
                id_number=base + check,
                username=f"booker{i}",
            )
        )
    return people


@pytest.mark.django_db(transaction=True)
def test_parallel_bookers_of_the_last_place_give_exactly_one_booking():
    world = conftest._seed()
    people = _people(12)

    def book(i: int) -> object:
        return appointment_book(
            person=people[i], theme_id=world.business.pk, date=REST_SUNDAY, start=NINE, now=T0
        ).code

    results = _in_threads(len(people), book)
    assert sorted(r for r in results if r == "slot_full") == ["slot_full"] * 11, results
    assert Appointment.objects.count() == 1
    assert Slot.objects.get(theme=world.business, date=REST_SUNDAY, start=NINE).booked == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_kiosks_never_print_the_same_number_and_two_windows_never_call_one_ticket():
    world = conftest._seed()
    taken = _in_threads(
        8, lambda i: ticket_take(theme_id=world.business.pk, now=at(TUE, 9, 1)).number
    )
    assert sorted(map(str, taken)) == [f"A{n:03d}" for n in range(1, 9)], taken
    windows = list(world.business.windows.order_by("number"))  # A01, A02, B01
    clerk = world.clerk
    called = _in_threads(
        3,
        lambda i: ticket_call_next(window_id=windows[i].pk, clerk=clerk, now=at(TUE, 9, 5)).number,
    )
    assert len(set(called)) == 3 and all(str(c).startswith("A00") for c in called), called


@pytest.mark.django_db(transaction=True)
def test_one_window_calling_twice_at_once_calls_one_ticket_and_two_finishes_finish_it_once():
    from tongban.appointments.models import QueueTicket, TicketStatus
    from tongban.appointments.services import ticket_finish
    from tongban.core.models import AuditEvent

    world = conftest._seed()
    for minute in (1, 2, 3, 4):
        ticket_take(theme_id=world.business.pk, now=at(TUE, 9, minute))
    called = _in_threads(
        4,
        lambda i: (
            ticket_call_next(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9, 5)).number
        ),
    )
    assert sorted(map(str, called)) == ["A001", "window_busy", "window_busy", "window_busy"], called
    assert QueueTicket.objects.filter(window=world.a01, status=TicketStatus.CALLED).count() == 1
    ticket = QueueTicket.objects.get(number="A001", date=TUE)
    finished = _in_threads(
        4,
        lambda i: (
            ticket_finish(
                ticket_id=ticket.pk, clerk=world.clerk, expected_version=2, now=at(TUE, 9, 9)
            ).version
        ),
    )
    assert sorted(map(str, finished)) == ["3"] + ["ticket_version_mismatch"] * 3, finished
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == (TicketStatus.DONE, 3)
    assert AuditEvent.objects.filter(action="queue.finish").count() == 1
    assert AuditEvent.objects.filter(action="queue.call").count() == 1
