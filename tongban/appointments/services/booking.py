"""Appointments (预约办理): book, reschedule, cancel, check in; no-shows and reminders.

The last place of a slot is never sold twice: a booking raises ``Slot.booked``
by one with a conditional UPDATE (``booked < capacity``) that the database
applies atomically, so of any number of parallel bookers exactly as many
succeed as there are places. A person holds at most one active booking per
theme and day (a partial unique constraint), and three no-shows within 30 days
block online booking for 30 days (``rules.no_show_rule``, configurable).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from tongban.appointments import errors, rules, selectors
from tongban.appointments.models import (
    ACTIVE_APPOINTMENT,
    Appointment,
    AppointmentStatus,
    Channel,
    Priority,
    QueueTicket,
    Slot,
    Theme,
    TicketSource,
)
from tongban.catalog.models import ServiceItem
from tongban.core import clock, events
from tongban.core import errors as core_errors
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.credit.selectors import green_channel_for_user

EVENT_BOOKED = "appointment.booked"
EVENT_CANCELLED = "appointment.cancelled"


def _new_code(day: dt.date) -> str:
    return f"YY{day:%y%m%d}{secrets.randbelow(10**6):06d}"


def _full_code(code: str) -> str:
    """The 预约号 as typed: "YY" may be left out (the kiosk has only a number pad)."""
    cleaned = code.strip().upper()
    return f"YY{cleaned}" if cleaned.isdigit() else cleaned


def _audit(
    appointment: Appointment, action: str, actor: Any, now: dt.datetime, **details: Any
) -> None:
    audit_record(
        actor=actor_label(actor),
        action=f"appointments.{action}",
        object_type="appointment",
        object_id=appointment.code,
        details={"theme": appointment.theme_id, "date": appointment.date.isoformat(), **details},
        now=now,
    )


def _check_slot(theme: Theme, day: dt.date, start: dt.time, now: dt.datetime) -> rules.SlotSpec:
    today = clock.local_date(now)
    if day < today or rules.local_moment(day, start) <= now:
        raise DomainError(errors.SLOT_PAST, "该时段已过，请选择以后的时段。")
    last = today + dt.timedelta(days=rules.booking_days())
    if day > last:
        raise DomainError(
            errors.SLOT_TOO_FAR,
            f"只能预约 {last:%Y年%-m月%-d日} 及以前的时段（{rules.booking_days()} 天内）。",
        )
    for spec in selectors.offered_slots(theme, day):
        if spec.start == start:
            return spec
    raise DomainError(
        errors.SLOT_NOT_OFFERED,
        f"{theme.hall.name}“{theme.name}”在 {day:%Y年%-m月%-d日} {start:%H:%M} 不提供预约"
        "（节假日不办公，或不在号源时段内）。",
    )


def _take_place(theme: Theme, day: dt.date, spec: rules.SlotSpec) -> Slot:
    slot, _ = Slot.objects.get_or_create(
        theme=theme,
        date=day,
        start=spec.start,
        defaults={"end": spec.end, "capacity": spec.capacity},
    )
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise DomainError(
            errors.SLOT_FULL, f"{day:%-m月%-d日} {spec.start:%H:%M} 的号源已约满，请选择其他时段。"
        )
    return slot


def _release_place(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _item_for(theme: Theme, service_item_id: int | None) -> ServiceItem | None:
    if service_item_id is None:
        return None
    item = theme.service_items.filter(pk=service_item_id).first()
    if item is None:
        raise DomainError(
            core_errors.VALIDATION_FAILED,
            f"“{theme.name}”不办理所选事项，请选择该主题下的事项。",
            fields=[{"field": "service_item_id", "code": "invalid"}],
        )
    return item


def appointment_book(
    *,
    person: Any,
    theme_id: int,
    date: dt.date,
    start: dt.time,
    service_item_id: int | None = None,
    channel: str = Channel.ONLINE,
    staff: Any = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book one place in a slot for ``person`` (online, or by ``staff`` at a window)."""
    moment = now or clock.now()
    theme = selectors.theme_get(theme_id)
    spec = _check_slot(theme, date, start, moment)
    item = _item_for(theme, service_item_id)
    if channel == Channel.ONLINE:
        blocked = selectors.no_show_block(person, today=clock.local_date(moment))
        if blocked is not None:
            count, within, _block = rules.no_show_rule()
            raise DomainError(
                errors.APPOINTMENT_BLOCKED,
                f"您在 {within} 天内有 {count} 次预约未到，"
                f"{blocked:%Y年%-m月%-d日} 前不能网上预约；可以到大厅现场取号办理。",
            )
    try:
        with transaction.atomic():
            slot = _take_place(theme, date, spec)
            appointment = Appointment.objects.create(
                code=_new_code(date),
                person=person,
                slot=slot,
                theme=theme,
                date=date,
                service_item=item,
                channel=channel,
                booked_by=staff,
                created_at=moment,
            )
    except IntegrityError:
        if Appointment.objects.filter(
            person=person, theme=theme, date=date, status__in=ACTIVE_APPOINTMENT
        ).exists():
            raise DomainError(
                errors.APPOINTMENT_DUPLICATE,
                f"您在 {date:%-m月%-d日} 已有“{theme.name}”的预约；如需换时段，请改约。",
            ) from None
        raise
    _audit(appointment, "book", staff or person, moment, start=start.isoformat(), channel=channel)
    events.emit(EVENT_BOOKED, {"code": appointment.code}, now=moment)
    return appointment


def _locked(person: Any, code: str) -> Appointment:
    selectors.appointment_get_for_person(person, code)  # the owner's own, or 404
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot", "theme__hall")
        .get(code=code)
    )


def appointment_cancel(*, person: Any, code: str, now: dt.datetime | None = None) -> Appointment:
    """Cancel a booking before its slot starts; the place is free again."""
    moment = now or clock.now()
    with transaction.atomic():
        appointment = _locked(person, code)
        if appointment.status == AppointmentStatus.CANCELLED:
            return appointment  # cancelling twice changes nothing
        if appointment.status != AppointmentStatus.BOOKED:
            raise DomainError(
                errors.APPOINTMENT_INVALID_STATE,
                f"预约{appointment.get_status_display()}，不能取消。",
            )
        if rules.local_moment(appointment.date, appointment.slot.start) <= moment:
            raise DomainError(errors.SLOT_PAST, "预约时段已开始，不能取消。")
        appointment.status = AppointmentStatus.CANCELLED
        appointment.changed_at = moment
        appointment.version += 1
        appointment.save(update_fields=["status", "changed_at", "version"])
        _release_place(appointment.slot_id)
        _audit(appointment, "cancel", person, moment)
        events.emit(EVENT_CANCELLED, {"code": appointment.code}, now=moment)
    return appointment


def appointment_reschedule(
    *,
    person: Any,
    code: str,
    date: dt.date,
    start: dt.time,
    now: dt.datetime | None = None,
) -> Appointment:
    """改约: move a booking to another slot of the same theme, all or nothing."""
    moment = now or clock.now()
    with transaction.atomic():
        old = _locked(person, code)
        if old.status != AppointmentStatus.BOOKED:
            raise DomainError(
                errors.APPOINTMENT_INVALID_STATE,
                f"预约{old.get_status_display()}，不能改约。",
            )
        if rules.local_moment(old.date, old.slot.start) <= moment:
            raise DomainError(errors.SLOT_PAST, "预约时段已开始，不能改约。")
        spec = _check_slot(old.theme, date, start, moment)
        _release_place(old.slot_id)
        old.slot = _take_place(old.theme, date, spec)
        old.date = date
        old.changed_at = moment
        old.reminded_at = None
        old.version += 1
        try:
            with transaction.atomic():
                old.save(update_fields=["slot", "date", "changed_at", "reminded_at", "version"])
        except IntegrityError:
            raise DomainError(
                errors.APPOINTMENT_DUPLICATE,
                f"您在 {date:%-m月%-d日} 已有“{old.theme.name}”的预约。",
            ) from None
        _audit(old, "reschedule", person, moment, start=start.isoformat())
    return old


def appointment_check_in(*, code: str, hall_id: int, now: dt.datetime | None = None) -> QueueTicket:
    """签到 at the hall's kiosk: the appointment becomes a ticket with priority."""
    from tongban.appointments.services.queue import ticket_issue

    moment = now or clock.now()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot", "theme")
            .filter(code=_full_code(code), theme__hall_id=hall_id)
            .first()
        )
        if appointment is None:
            raise DomainError(
                errors.APPOINTMENT_NOT_FOUND, "没有找到这个预约号，请核对后重新输入。"
            )
        if appointment.status == AppointmentStatus.CHECKED_IN:
            return appointment.ticket  # a second tap on the kiosk prints the same ticket
        if appointment.status != AppointmentStatus.BOOKED:
            raise DomainError(
                errors.APPOINTMENT_INVALID_STATE,
                f"预约{appointment.get_status_display()}，不能签到；请现场取号。",
            )
        before, after = rules.check_in_window()
        starts = rules.local_moment(appointment.date, appointment.slot.start)
        if not (
            starts - dt.timedelta(minutes=before) <= moment <= starts + dt.timedelta(minutes=after)
        ):
            raise DomainError(
                errors.APPOINTMENT_CHECK_IN_WINDOW,
                f"请在预约时段开始前 {before} 分钟至开始后 {after} 分钟内签到"
                f"（{appointment.date:%-m月%-d日} {appointment.slot.start:%H:%M}）；"
                "已过时段的请现场取号。",
            )
        appointment.status = AppointmentStatus.CHECKED_IN
        appointment.changed_at = moment
        appointment.version += 1
        appointment.save(update_fields=["status", "changed_at", "version"])
        ticket = ticket_issue(
            theme=appointment.theme,
            source=TicketSource.APPOINTMENT,
            # 红名单 绿色通道 (credit, R-CR-1) before other appointments.
            priority=Priority.GREEN
            if green_channel_for_user(appointment.person, today=clock.local_date(moment))
            else Priority.APPOINTMENT,
            person=appointment.person,
            appointment=appointment,
            now=moment,
        )
        _audit(appointment, "check_in", appointment.person, moment, ticket=ticket.number)
    return ticket


def appointments_mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """Booked appointments whose slot ended without a check-in become 爽约."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    count = 0
    candidates = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, date__lte=today
    ).select_related("slot")
    for appointment in candidates.iterator():
        if rules.local_moment(appointment.date, appointment.slot.end) > moment:
            continue
        with transaction.atomic():
            updated = Appointment.objects.filter(
                pk=appointment.pk, status=AppointmentStatus.BOOKED
            ).update(status=AppointmentStatus.NO_SHOW, changed_at=moment, version=F("version") + 1)
            if updated:
                _audit(appointment, "no_show", None, moment)
                count += 1
    return count


def appointments_remind(*, now: dt.datetime | None = None) -> int:
    """The day before, each booked person gets one reminder (SMS to the account's phone)."""
    from tongban.core.crypto import decrypt
    from tongban.core.notifications import notification_send
    from tongban.identity.selectors import PHONE_CONTEXT

    moment = now or clock.now()
    tomorrow = clock.local_date(moment) + dt.timedelta(days=1)
    sent = 0
    due = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, date=tomorrow, reminded_at__isnull=True
    ).select_related("slot", "theme__hall", "person__person")
    for appointment in due.iterator():
        holder = appointment.person.person
        phone = (
            decrypt(holder.phone_enc, context=PHONE_CONTEXT) if holder and holder.phone_enc else ""
        )
        with transaction.atomic():
            if phone:
                hall = appointment.theme.hall
                notification_send(
                    channel="sms",
                    recipient=phone,
                    subject="预约提醒",
                    body=(
                        f"您预约了明天（{appointment.date:%-m月%-d日}）"
                        f"{appointment.slot.start:%H:%M}-{appointment.slot.end:%H:%M}"
                        f"在{hall.name}办理“{appointment.theme.name}”，预约号 {appointment.code}。"
                        "请提前到大厅取号机签到；不能前来请提前取消。"
                        f"地址：{hall.address or '见大厅信息'}。"
                    ),
                    purpose="appointment_reminder",
                    object_type="appointment",
                    object_id=appointment.code,
                    now=moment,
                )
            Appointment.objects.filter(pk=appointment.pk).update(reminded_at=moment)
        sent += 1
    return sent
