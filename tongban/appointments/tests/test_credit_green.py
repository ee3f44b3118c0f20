"""A red-listed citizen's ticket and checked-in appointment go first (绿色通道, R-CR-1)."""

from __future__ import annotations

import datetime as dt

from tongban.appointments.models import Priority
from tongban.appointments.services import (
    appointment_book,
    appointment_check_in,
    ticket_call_next,
    ticket_take,
)
from tongban.appointments.tests.conftest import NINE, at
from tongban.credit.services.lists import list_entry_add
from tongban.credit.tests.conftest import make_lists

TUE = dt.date(2026, 9, 29)


def test_a_red_listed_citizen_is_called_before_earlier_tickets_and_appointments(world):
    make_lists(load_org=False)
    list_entry_add(
        list_code="a-taxpayer",
        subject_kind="person",
        subject_code="11010519491231002X",  # world.citizen
        reason="守信激励",
        legal_basis="《纳税信用管理办法》",
        valid_until=dt.date(2027, 9, 1),
        actor=None,
        now=at(TUE, 8),
    )
    first = ticket_take(theme_id=world.business.pk, person=world.other_citizen, now=at(TUE, 9, 1))
    red = ticket_take(theme_id=world.business.pk, person=world.citizen, now=at(TUE, 9, 2))
    assert (first.priority, red.priority) == (Priority.NORMAL, Priority.GREEN)
    called = ticket_call_next(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9, 3))
    assert called.pk == red.pk
    booking = appointment_book(
        person=world.citizen, theme_id=world.business.pk, date=TUE, start=NINE,
        now=at(TUE - dt.timedelta(1), 10),
    )  # fmt: skip
    ticket = appointment_check_in(code=booking.code, hall_id=world.hall.pk, now=at(TUE, 9, 4))
    assert ticket.priority == Priority.GREEN


def test_a_citizen_not_listed_takes_an_ordinary_ticket(world):
    make_lists(load_org=False)
    ticket = ticket_take(theme_id=world.business.pk, person=world.citizen, now=at(TUE, 9, 1))
    assert ticket.priority == Priority.NORMAL
