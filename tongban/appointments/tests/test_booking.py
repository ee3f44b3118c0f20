"""Appointments: slots on the working calendar, booking rules, no-shows, reminders."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.appointments import selectors
from tongban.appointments.models import Appointment, AppointmentStatus, Channel, Slot
from tongban.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_reschedule,
    appointments_mark_no_shows,
    appointments_remind,
)
from tongban.appointments.tests.conftest import NINE, T0, at
from tongban.core.errors import DomainError
from tongban.core.models import Notification

TUE = dt.date(2026, 9, 29)
NATIONAL_DAY = dt.date(2026, 10, 1)
HOLIDAY_SATURDAY = dt.date(2026, 10, 3)  # within 国庆: closed
REST_SUNDAY = dt.date(2026, 10, 11)  # an ordinary weekend day
WORKING_SATURDAY = dt.date(2026, 10, 10)  # 调休上班


def book(world, person=None, day=TUE, start=NINE, **kw):
    return appointment_book(
        person=person or world.citizen, theme_id=world.business.pk, date=day, start=start,
        now=kw.pop("now", T0), **kw,
    )  # fmt: skip


def code_of(excinfo) -> str:
    return excinfo.value.code


def test_slots_follow_the_working_calendar_with_its_holidays_and_make_up_days(world):
    slots = selectors.slots_for(world.business, first=TUE, days=14, now=T0)
    days = {s.date for s in slots}
    assert NATIONAL_DAY not in days and HOLIDAY_SATURDAY not in days  # holidays: closed
    assert WORKING_SATURDAY in days  # the 调休 Saturday is a working day
    assert [s.start for s in slots if s.date == WORKING_SATURDAY] == [
        dt.time(9), dt.time(9, 30), dt.time(10), dt.time(10, 30), dt.time(11), dt.time(11, 30)
    ]  # fmt: skip
    # The hall offers 延时错时 service on weekends: one hour-long slot of one place.
    rest = [s for s in slots if s.date == REST_SUNDAY]
    assert [(s.start, s.end, s.capacity) for s in rest] == [(NINE, dt.time(10), 1)]
    today = selectors.slots_for(world.business, first=T0.date(), days=1, now=T0)
    assert [s.open for s in today if s.start <= dt.time(10, 30)] == [False, False, False, True]


def test_booking_takes_a_place_and_the_last_place_is_refused(world):
    first = book(world)
    assert first.status == AppointmentStatus.BOOKED and first.code.startswith("YY260929")
    book(world, person=world.other_citizen)
    slot = Slot.objects.get(theme=world.business, date=TUE, start=NINE)
    assert (slot.booked, slot.capacity) == (2, 2)
    from tongban.identity.services import citizen_signup

    third = citizen_signup(phone="13700000003", password="Pw-12345678", name="王五",
                           id_number="110105199003070017", username="wangwu")  # fmt: skip
    with pytest.raises(DomainError) as refused:
        book(world, person=third)
    assert code_of(refused) == "slot_full"
    assert "已约满" in refused.value.detail
    assert Slot.objects.get(pk=slot.pk).booked == 2


@pytest.mark.parametrize(
    ("day", "start", "code"),
    [
        (T0.date(), NINE, "slot_past"),  # 9:00 today, asked at 10:00
        (dt.date(2026, 9, 27), NINE, "slot_past"),
        (dt.date(2026, 10, 20), NINE, "slot_too_far"),  # more than 14 days ahead
        (NATIONAL_DAY, NINE, "slot_not_offered"),
        (TUE, dt.time(9, 15), "slot_not_offered"),  # not the start of a period
        (TUE, dt.time(14), "slot_not_offered"),  # no rule in the afternoon
    ],
)
def test_a_slot_that_is_not_bookable_is_refused_with_its_reason(world, day, start, code):
    with pytest.raises(DomainError) as refused:
        book(world, day=day, start=start)
    assert code_of(refused) == code
    assert not Appointment.objects.exists()


def test_one_active_booking_per_person_theme_and_day(world):
    book(world)
    with pytest.raises(DomainError) as refused:
        book(world, start=dt.time(10))
    assert code_of(refused) == "appointment_duplicate"
    assert not Slot.objects.filter(theme=world.business, date=TUE, start=dt.time(10), booked__gt=0)


def test_cancel_frees_the_place_and_twice_changes_nothing(world):
    first = book(world)
    cancelled = appointment_cancel(person=world.citizen, code=first.code, now=T0)
    again = appointment_cancel(person=world.citizen, code=first.code, now=T0)
    assert cancelled.status == again.status == AppointmentStatus.CANCELLED
    assert Slot.objects.get(pk=first.slot_id).booked == 0
    book(world)  # the same person may book that day again
    with pytest.raises(DomainError) as refused:
        appointment_cancel(person=world.other_citizen, code=first.code, now=T0)
    assert code_of(refused) == "appointment_not_found"


def test_reschedule_moves_the_place_all_or_nothing(world):
    first = book(world)
    moved = appointment_reschedule(
        person=world.citizen, code=first.code, date=WORKING_SATURDAY, start=dt.time(11), now=T0
    )
    assert (moved.date, moved.slot.start) == (WORKING_SATURDAY, dt.time(11))
    assert Slot.objects.get(theme=world.business, date=TUE, start=NINE).booked == 0
    with pytest.raises(DomainError) as refused:
        appointment_reschedule(
            person=world.citizen, code=first.code, date=NATIONAL_DAY, start=NINE, now=T0
        )
    assert code_of(refused) == "slot_not_offered"
    kept = Appointment.objects.get(pk=first.pk)
    assert (kept.date, kept.slot.start) == (WORKING_SATURDAY, dt.time(11))
    assert kept.slot.booked == 1


def test_three_no_shows_in_30_days_block_online_booking_for_30_days(world):
    days = [dt.date(2026, 9, 29), dt.date(2026, 9, 30), dt.date(2026, 10, 8)]
    for day in days:
        book(world, day=day, now=T0)
    # The sweep after each slot: only a slot that has ended becomes a no-show.
    assert appointments_mark_no_shows(now=at(dt.date(2026, 9, 29), 9, 20)) == 0
    assert appointments_mark_no_shows(now=at(dt.date(2026, 10, 8), 9, 31)) == 3
    assert appointments_mark_no_shows(now=at(dt.date(2026, 10, 8), 9, 40)) == 0
    assert selectors.no_show_block(world.citizen, today=dt.date(2026, 10, 9)) == dt.date(
        2026, 11, 7
    )
    with pytest.raises(DomainError) as refused:
        book(world, day=dt.date(2026, 10, 12), now=at(dt.date(2026, 10, 9), 8))
    assert code_of(refused) == "appointment_blocked"
    assert "2026年11月7日" in refused.value.detail
    # At the window a clerk may still book for the person, and the block ends by itself.
    book(world, day=dt.date(2026, 10, 12), now=at(dt.date(2026, 10, 9), 8),
         channel=Channel.WINDOW, staff=world.clerk)  # fmt: skip
    assert selectors.no_show_block(world.citizen, today=dt.date(2026, 11, 8)) is None


def test_the_day_before_each_booked_person_is_reminded_once(world):
    first = book(world)
    evening = at(dt.date(2026, 9, 28), 18)
    assert appointments_remind(now=evening) == 1
    assert appointments_remind(now=evening) == 0
    sms = Notification.objects.get(purpose="appointment_reminder", object_id=first.code)
    assert "9月29日" in sms.body and "09:00-09:30" in sms.body and first.code in sms.body
    assert Appointment.objects.get(pk=first.pk).reminded_at == evening


def test_check_in_turns_the_booking_into_a_priority_ticket_within_its_window(world):
    first = book(world)
    with pytest.raises(DomainError) as early:
        appointment_check_in(code=first.code, hall_id=world.hall.pk, now=at(TUE, 7, 30))
    assert code_of(early) == "appointment_check_in_window"
    ticket = appointment_check_in(code=first.code.lower(), hall_id=world.hall.pk,
                                  now=at(TUE, 8, 45))  # fmt: skip
    assert ticket.number == "A001" and ticket.priority == 1
    again = appointment_check_in(code=first.code, hall_id=world.hall.pk, now=at(TUE, 8, 46))
    assert again.pk == ticket.pk
    assert Appointment.objects.get(pk=first.pk).status == AppointmentStatus.CHECKED_IN
    with pytest.raises(DomainError) as elsewhere:
        appointment_check_in(code=first.code, hall_id=world.hall.pk + 1000, now=at(TUE, 8, 45))
    assert code_of(elsewhere) == "appointment_not_found"
