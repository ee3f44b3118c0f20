"""The queue: numbers, the order of calling, window rules, transfer, finish."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.appointments import selectors
from tongban.appointments.models import QueueTicket, TicketSource, TicketStatus
from tongban.appointments.services import (
    appointment_book,
    appointment_check_in,
    ticket_call_next,
    ticket_finish,
    ticket_recall,
    ticket_skip,
    ticket_take,
    ticket_transfer,
)
from tongban.appointments.tests.conftest import NINE, at
from tongban.core.errors import DomainError

TUE = dt.date(2026, 9, 29)


def take(world, minute=0, **kw):
    return ticket_take(theme_id=world.business.pk, now=at(TUE, 9, minute), **kw)


def call(world, minute=30, window=None):
    return ticket_call_next(
        window_id=(window or world.a01).pk, clerk=world.clerk, now=at(TUE, 9, minute)
    )


def test_numbers_run_per_theme_and_day(world):
    assert [take(world, m).number for m in (1, 2)] == ["A001", "A002"]
    assert ticket_take(theme_id=world.police.pk, now=at(TUE, 9, 3)).number == "C001"
    assert ticket_take(theme_id=world.business.pk, now=at(TUE + dt.timedelta(1), 9)).number == (
        "A001"
    )


def test_no_ticket_outside_the_halls_hours_or_on_a_holiday(world):
    for moment in (at(TUE, 8, 59), at(TUE, 12, 30), at(dt.date(2026, 10, 1), 10)):
        with pytest.raises(DomainError) as refused:
            ticket_take(theme_id=world.business.pk, now=moment)
        assert refused.value.code == "hall_closed"
    assert not QueueTicket.objects.exists()


def test_green_channel_then_appointments_then_arrival_order(world):
    normal = take(world, 1)
    booking = appointment_book(
        person=world.citizen, theme_id=world.business.pk, date=TUE, start=NINE,
        now=at(TUE - dt.timedelta(1), 10),
    )  # fmt: skip
    checked_in = appointment_check_in(code=booking.code, hall_id=world.hall.pk, now=at(TUE, 9, 2))
    green = take(world, 3, green_channel=True)
    order = []
    for minute in (10, 20, 30):
        ticket = call(world, minute)
        order.append(ticket.number)
        ticket_finish(ticket_id=ticket.pk, clerk=world.clerk, now=at(TUE, 9, minute + 5))
    assert order == [green.number, checked_in.number, normal.number]
    with pytest.raises(DomainError) as empty:
        call(world, 40)
    assert empty.value.code == "queue_empty"


def test_a_window_calls_only_its_themes_and_one_ticket_at_a_time(world):
    take(world, 1)
    take(world, 2)
    with pytest.raises(DomainError) as other_theme:
        ticket_call_next(window_id=world.c01.pk, clerk=world.clerk, now=at(TUE, 9, 5))
    assert other_theme.value.code == "queue_empty"  # C01 serves 公安 only
    first = call(world, 10)
    with pytest.raises(DomainError) as busy:
        call(world, 11)
    assert busy.value.code == "window_busy" and first.number in busy.value.detail
    with pytest.raises(DomainError) as elsewhere:
        ticket_call_next(window_id=world.a01.pk, clerk=world.other_clerk, now=at(TUE, 9, 12))
    assert elsewhere.value.code == "window_not_serving"  # 赣州's clerk, 南京's hall


def test_recall_skip_and_transfer(world):
    first = take(world, 1)
    second = take(world, 2)
    called = call(world, 10)
    assert called.pk == first.pk
    recalled = ticket_recall(ticket_id=called.pk, clerk=world.clerk, expected_version=2,
                             now=at(TUE, 9, 12))  # fmt: skip
    assert (recalled.calls, recalled.called_at) == (2, at(TUE, 9, 12))
    with pytest.raises(DomainError) as stale:
        ticket_skip(ticket_id=called.pk, clerk=world.clerk, expected_version=2, now=at(TUE, 9, 14))
    assert stale.value.code == "ticket_version_mismatch"
    skipped = ticket_skip(ticket_id=called.pk, clerk=world.clerk, now=at(TUE, 9, 14))
    assert skipped.status == TicketStatus.SKIPPED
    with pytest.raises(DomainError) as twice:
        ticket_skip(ticket_id=called.pk, clerk=world.clerk, now=at(TUE, 9, 15))
    assert twice.value.code == "ticket_invalid_state"
    now_called = call(world, 20)
    assert now_called.pk == second.pk
    moved = ticket_transfer(ticket_id=second.pk, clerk=world.clerk, theme_id=world.police.pk,
                            now=at(TUE, 9, 22))  # fmt: skip
    assert (moved.number, moved.source, moved.transferred_from_id) == (
        "C001", TicketSource.TRANSFER, second.pk
    )  # fmt: skip
    assert QueueTicket.objects.get(pk=second.pk).status == TicketStatus.TRANSFERRED
    police = ticket_call_next(window_id=world.c01.pk, clerk=world.clerk, now=at(TUE, 9, 25))
    assert police.pk == moved.pk


def test_the_phone_shows_the_position_and_the_board_the_calls(world):
    tickets = [take(world, m) for m in (1, 2, 3, 4)]
    assert selectors.ticket_position(tickets[3]) == selectors.Position(3, 15)  # 3 × 15 min / 3
    called = call(world, 10)
    board = selectors.hall_board(world.hall.pk, day=TUE)
    assert board["calls"][0]["number"] == called.number and board["calls"][0]["window"] == "A01"
    waiting = {t["prefix"]: t["waiting"] for t in board["themes"]}
    assert waiting == {"A": 3, "C": 0}
    assert selectors.ticket_position(tickets[3]).ahead == 2


def test_the_figures_of_a_hall_by_hand(world):
    from tongban.org.selectors import staff_scope_for

    a, b, c = (take(world, m) for m in (0, 5, 10))
    first = call(world, 10)  # waited 10 min
    ticket_finish(ticket_id=first.pk, clerk=world.clerk, now=at(TUE, 9, 15))  # served 5 min
    second = call(world, 20)  # waited 15 min
    ticket_finish(ticket_id=second.pk, clerk=world.clerk, now=at(TUE, 9, 30))  # served 10 min
    third = call(world, 40)  # waited 30 min
    ticket_skip(ticket_id=third.pk, clerk=world.clerk, now=at(TUE, 9, 45))
    assert [first.pk, second.pk, third.pk] == [a.pk, b.pk, c.pk]
    figures = selectors.hall_figures(
        staff_scope_for(user=world.clerk), hall_id=world.hall.pk, first=TUE, last=TUE
    )
    assert figures is not None
    assert (figures["tickets"], figures["served"]) == (3, 2)
    assert (figures["wait_p50"], figures["wait_p90"]) == (15.0, 30.0)  # nearest rank of 10, 15, 30
    theme = figures["themes"][0]
    assert theme["name"] == "A 企业开办" and theme["skipped"] == 1
    assert (theme["service_p50"], theme["service_p90"]) == (5.0, 10.0)
    assert figures["windows"] == [{**theme, "name": "A01"}]
    assert figures["per_hour"] == [{"hour": 9, "tickets": 3}]
    elsewhere = staff_scope_for(user=world.other_clerk)
    assert selectors.hall_figures(elsewhere, hall_id=world.hall.pk, first=TUE, last=TUE) is None
