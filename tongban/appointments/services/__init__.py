"""Writes of appointments and the queue (CONVENTIONS 4): one service per change."""

from tongban.appointments.services.booking import (
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_reschedule,
    appointments_mark_no_shows,
    appointments_remind,
)
from tongban.appointments.services.duty import window_duty_end, window_duty_start
from tongban.appointments.services.queue import (
    ticket_call_next,
    ticket_finish,
    ticket_recall,
    ticket_skip,
    ticket_take,
    ticket_transfer,
)
from tongban.appointments.services.setup import opening_hours_set, slot_rule_add, theme_save

__all__ = [
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_reschedule",
    "appointments_mark_no_shows",
    "appointments_remind",
    "opening_hours_set",
    "slot_rule_add",
    "theme_save",
    "ticket_call_next",
    "ticket_finish",
    "ticket_recall",
    "ticket_skip",
    "ticket_take",
    "ticket_transfer",
    "window_duty_end",
    "window_duty_start",
]
