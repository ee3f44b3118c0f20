"""The queue of a hall (主题叫号): take, call, recall, skip, transfer, finish.

Numbers restart each day per theme (``A001``…); they are handed out under a row
lock on the day's counter, so two kiosks never print the same number. A window
calls the next ticket of the themes it serves — green channel (绿色通道) first,
then appointments checked in on time, then in order of arrival — and the pick
uses ``SKIP LOCKED``, so two windows calling at once never get the same ticket.
A window has at most one ticket called and not yet finished.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction

from tongban.appointments import errors, selectors
from tongban.appointments.models import (
    Appointment,
    AppointmentStatus,
    Priority,
    QueueTicket,
    Theme,
    TicketCounter,
    TicketSource,
    TicketStatus,
)
from tongban.appointments.services.duty import duty_ensure
from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.credit.selectors import green_channel_for_user
from tongban.org.models import Window
from tongban.org.selectors import staff_scope_for

EVENT_CALLED = "queue.called"


def _audit(ticket: QueueTicket, action: str, actor: Any, now: dt.datetime, **details: Any) -> None:
    audit_record(
        actor=actor_label(actor),
        action=f"queue.{action}",
        object_type="queue_ticket",
        object_id=f"{ticket.hall_id}/{ticket.date.isoformat()}/{ticket.number}",
        details={"theme": ticket.theme_id, **details},
        now=now,
    )


def _counter_next(theme_id: int, day: dt.date) -> int:
    """Take the theme's next number of ``day``: one upsert that creates the day's
    counter or adds one to it under its row lock, held until the caller commits."""
    table = TicketCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ("theme_id", "date", "last") VALUES (%s, %s, 1) '  # noqa: S608  # the model's table
            f'ON CONFLICT ("theme_id", "date") DO UPDATE SET "last" = "{table}"."last" + 1 '
            'RETURNING "last"',
            [theme_id, connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    assert row is not None  # an upsert with RETURNING always answers a row
    return int(row[0])


def ticket_issue(
    *,
    theme: Theme,
    source: str,
    priority: int = Priority.NORMAL,
    person: Any = None,
    appointment: Appointment | None = None,
    transferred_from: QueueTicket | None = None,
    now: dt.datetime,
) -> QueueTicket:
    """The next number of the theme today (inside the caller's transaction)."""
    day = clock.local_date(now)
    with transaction.atomic(savepoint=False):
        last = _counter_next(theme.pk, day)
        return QueueTicket.objects.create(
            hall_id=theme.hall_id,
            theme=theme,
            date=day,
            sequence=last,
            number=f"{theme.prefix}{last:03d}",
            priority=priority,
            source=source,
            person=person if getattr(person, "is_authenticated", False) else None,
            appointment=appointment,
            transferred_from=transferred_from,
            taken_at=now,
        )


def ticket_take(
    *,
    theme_id: int,
    person: Any = None,
    source: str = TicketSource.KIOSK,
    green_channel: bool = False,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """取号 at the kiosk or by scanning the hall's QR code on a phone."""
    moment = now or clock.now()
    theme = selectors.theme_get(theme_id)
    if not selectors.hall_open_at(theme.hall_id, moment):
        raise DomainError(
            errors.HALL_CLOSED, f"{theme.hall.name}现在不在办公时间，不能取号；请在办公时间内前来。"
        )
    if not green_channel and person is not None:  # 红名单 绿色通道 (credit, R-CR-1)
        green_channel = green_channel_for_user(person, today=clock.local_date(moment))
    priority = Priority.GREEN if green_channel else Priority.NORMAL
    with transaction.atomic():
        ticket = ticket_issue(
            theme=theme, source=source, priority=priority, person=person, now=moment
        )
        ticket.hall = theme.hall  # read with the theme; the answer shows it
        _audit(ticket, "take", person, moment, source=source, priority=int(priority))
    return ticket


def _locked_ticket(ticket_id: int, scope: Any, expected_version: int | None) -> QueueTicket:
    selectors.ticket_get_in_scope(scope, ticket_id)  # 404 outside the clerk's halls
    ticket = (
        QueueTicket.objects.select_for_update(of=("self",))
        .select_related("theme", "window")
        .get(pk=ticket_id)
    )
    if expected_version is not None and ticket.version != expected_version:
        raise DomainError(
            errors.TICKET_VERSION_MISMATCH,
            f"{ticket.number} 已被他人处理（当前版本 {ticket.version}），请刷新后再操作。",
        )
    return ticket


def _require_called_at_own_window(ticket: QueueTicket, scope: Any, action: str) -> None:
    if ticket.status != TicketStatus.CALLED:
        raise DomainError(
            errors.TICKET_INVALID_STATE,
            f"{ticket.number} {ticket.get_status_display()}，不能{action}。",
        )
    if ticket.window_id is not None:
        selectors.window_get_in_scope(scope, ticket.window_id)


def ticket_call_next(*, window_id: int, clerk: Any, now: dt.datetime | None = None) -> QueueTicket:
    """叫号: the next waiting ticket of the themes this window serves."""
    moment = now or clock.now()
    scope = staff_scope_for(user=clerk)
    window = selectors.window_get_in_scope(scope, window_id)
    themes = list(Theme.objects.filter(windows=window, active=True).values_list("pk", flat=True))
    if not themes:
        raise DomainError(errors.WINDOW_NOT_SERVING, f"{window.number} 号窗口没有设置叫号主题。")
    with transaction.atomic():
        Window.objects.select_for_update().filter(pk=window.pk).first()  # one call at a time
        duty_ensure(window=window, clerk=clerk, now=moment)  # 亮牌: who calls is on duty
        busy = QueueTicket.objects.filter(window=window, status=TicketStatus.CALLED).first()
        if busy is not None:
            raise DomainError(
                errors.WINDOW_BUSY,
                f"{window.number} 号窗口的 {busy.number} 尚未办结，请先办结、过号或转号。",
            )
        ticket = (
            QueueTicket.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(theme_id__in=themes, date=clock.local_date(moment), status=TicketStatus.WAITING)
            .order_by("-priority", "taken_at", "pk")
            .first()
        )
        if ticket is None:
            raise DomainError(errors.QUEUE_EMPTY, "当前没有等候的号。")
        ticket.status = TicketStatus.CALLED
        ticket.window = window
        ticket.clerk = clerk
        ticket.called_at = moment
        ticket.calls = 1
        ticket.version += 1
        ticket.save(update_fields=["status", "window", "clerk", "called_at", "calls", "version"])
        _audit(ticket, "call", clerk, moment, window=window.number)
    return ticket


def ticket_recall(
    *,
    ticket_id: int,
    clerk: Any,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """重呼: call the same ticket again (the display shows it once more)."""
    moment = now or clock.now()
    scope = staff_scope_for(user=clerk)
    with transaction.atomic():
        ticket = _locked_ticket(ticket_id, scope, expected_version)
        _require_called_at_own_window(ticket, scope, "重呼")
        ticket.calls += 1
        ticket.called_at = moment
        ticket.version += 1
        ticket.save(update_fields=["calls", "called_at", "version"])
        _audit(ticket, "recall", clerk, moment, calls=ticket.calls)
    return ticket


def ticket_skip(
    *,
    ticket_id: int,
    clerk: Any,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """过号: the person called did not come; the window is free for the next."""
    moment = now or clock.now()
    scope = staff_scope_for(user=clerk)
    with transaction.atomic():
        ticket = _locked_ticket(ticket_id, scope, expected_version)
        _require_called_at_own_window(ticket, scope, "过号")
        ticket.status = TicketStatus.SKIPPED
        ticket.finished_at = moment
        ticket.version += 1
        ticket.save(update_fields=["status", "finished_at", "version"])
        _audit(ticket, "skip", clerk, moment)
    return ticket


def ticket_transfer(
    *,
    ticket_id: int,
    clerk: Any,
    theme_id: int,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """转号: send the person to another theme of the same hall; returns the new ticket,
    which keeps its priority and waits in the other queue."""
    moment = now or clock.now()
    scope = staff_scope_for(user=clerk)
    target = selectors.theme_get(theme_id)
    with transaction.atomic():
        ticket = _locked_ticket(ticket_id, scope, expected_version)
        _require_called_at_own_window(ticket, scope, "转号")
        if target.hall_id != ticket.hall_id or target.pk == ticket.theme_id:
            raise DomainError(
                errors.THEME_NOT_FOUND, "只能转到本大厅的其他主题。", fields=[{"field": "theme_id"}]
            )
        ticket.status = TicketStatus.TRANSFERRED
        ticket.finished_at = moment
        ticket.version += 1
        ticket.save(update_fields=["status", "finished_at", "version"])
        moved = ticket_issue(
            theme=target,
            source=TicketSource.TRANSFER,
            priority=ticket.priority,
            person=ticket.person,
            transferred_from=ticket,
            now=moment,
        )
        _audit(ticket, "transfer", clerk, moment, to=moved.number)
    return moved


def ticket_finish(
    *,
    ticket_id: int,
    clerk: Any,
    case_no: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """办结: the window is done with the person; a case taken in is linked to the ticket."""
    from tongban.cases.selectors import case_get_for_staff

    moment = now or clock.now()
    scope = staff_scope_for(user=clerk)
    case = case_get_for_staff(user=clerk, case_no=case_no.strip()) if case_no.strip() else None
    with transaction.atomic():
        ticket = _locked_ticket(ticket_id, scope, expected_version)
        _require_called_at_own_window(ticket, scope, "办结")
        ticket.status = TicketStatus.DONE
        ticket.finished_at = moment
        ticket.case = case
        ticket.version += 1
        ticket.save(update_fields=["status", "finished_at", "case", "version"])
        if ticket.appointment_id is not None:
            Appointment.objects.filter(pk=ticket.appointment_id).update(
                status=AppointmentStatus.SERVED, changed_at=moment
            )
        _audit(ticket, "finish", clerk, moment, case=case.case_no if case else "")
    return ticket
