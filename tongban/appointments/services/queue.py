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
from tongban.appointments.services import queue_rows
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
    person_id: int | None = None,
    appointment: Appointment | None = None,
    transferred_from: QueueTicket | None = None,
    now: dt.datetime,
) -> QueueTicket:
    """The next number of the theme today (inside the caller's transaction), taken by
    ``person`` (a signed-in user) or the user ``person_id`` (a transferred ticket's)."""
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
            person_id=person.pk if getattr(person, "is_authenticated", False) else person_id,
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
    theme, hall_open = selectors.theme_get_open_at(theme_id, moment)
    if not hall_open:
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


def _explain_refusal(
    ticket_id: int, clerk: Any, scope: Any, expected_version: int | None, action: str
) -> None:
    """Why a change of a called ticket touched no row: the ticket is not in the
    clerk's halls, another clerk took over its window, another clerk changed it, it
    is not called, or it was called at a window outside her scope. Raises the
    first that holds."""
    ticket = selectors.ticket_get_in_scope(scope, ticket_id)  # 404 outside the clerk's halls
    holder = ticket.clerk if ticket.clerk_id is not None else None
    if holder is not None and holder.pk != clerk.pk:
        raise DomainError(
            errors.TICKET_OTHER_CLERK,
            f"{ticket.number} 现由{holder.display_name}办理（窗口已交接或由他人叫号），"
            f"您不能{action}；请刷新后再操作。",
        )
    if expected_version is not None and ticket.version != expected_version:
        raise DomainError(
            errors.TICKET_VERSION_MISMATCH,
            f"{ticket.number} 已被他人处理（当前版本 {ticket.version}），请刷新后再操作。",
        )
    if ticket.status != TicketStatus.CALLED:
        raise DomainError(
            errors.TICKET_INVALID_STATE,
            f"{ticket.number} {ticket.get_status_display()}，不能{action}。",
        )
    if ticket.window_id is not None:
        selectors.window_get_in_scope(scope, ticket.window_id)
    # Changed between the update and this read: the clerk sees it again.
    raise DomainError(
        errors.TICKET_VERSION_MISMATCH, f"{ticket.number} 已被他人处理，请刷新后再操作。"
    )


def _change_called(
    *,
    ticket_id: int,
    clerk: Any,
    expected_version: int | None,
    action: str,
    changes: dict[str, Any],
) -> QueueTicket:
    """Inside the caller's transaction: the called ticket changed (one statement), or
    the reason it cannot be."""
    scope = staff_scope_for(user=clerk)
    ticket = queue_rows.ticket_change_called(
        ticket_id=ticket_id,
        clerk_id=clerk.pk,
        scope=scope,
        expected_version=expected_version,
        changes=changes,
    )
    if ticket is None:
        _explain_refusal(ticket_id, clerk, scope, expected_version, action)
    assert ticket is not None  # _explain_refusal always raises
    return ticket


def _window_locked_in_scope(scope: Any, window_id: int) -> str:
    """Lock the window's row (one call at a time there) if the clerk may call at it;
    its number."""
    number = (
        Window.objects.select_for_update(of=("self",))
        .filter(pk=window_id, pk__in=selectors.windows_in_scope(scope).order_by().values("pk"))
        .values_list("number", flat=True)
        .first()
    )
    if number is None:
        raise DomainError(errors.WINDOW_NOT_SERVING, "您不能在这个窗口叫号。")
    return number


def ticket_call_next(*, window_id: int, clerk: Any, now: dt.datetime | None = None) -> QueueTicket:
    """叫号: the next waiting ticket of the themes this window serves.

    On the common path three statements: the window's row lock (with the clerk's
    scope), the claim of the next ticket (``queue_rows.ticket_claim``) and the
    audit event. When the claim takes nothing, the reads below say why; a clerk
    not yet on duty at the window is put on duty (亮牌) and the claim tried again.
    A ticket called at the window by another clerk (who left without 离岗) is not
    a refusal: the caller takes the window over and gets that ticket back, marked
    ``handed_over`` (``window_busy`` only when the ticket called there is her own)."""
    moment = now or clock.now()
    scope = staff_scope_for(user=clerk)
    day = clock.local_date(moment)
    with transaction.atomic():
        number = _window_locked_in_scope(scope, window_id)
        ticket = queue_rows.ticket_claim(
            window_id=window_id, clerk_id=clerk.pk, day=day, now=moment
        )
        if ticket is None:
            window = Window(pk=window_id, number=number)
            if not Theme.objects.filter(windows=window_id, active=True).exists():
                raise DomainError(errors.WINDOW_NOT_SERVING, f"{number} 号窗口没有设置叫号主题。")
            busy = (
                QueueTicket.objects.filter(window=window_id, status=TicketStatus.CALLED)
                .values_list("number", "clerk_id")
                .first()
            )
            if busy is not None and busy[1] == clerk.pk:
                raise DomainError(
                    errors.WINDOW_BUSY,
                    f"{number} 号窗口的 {busy[0]} 尚未办结，请先办结、过号或转号。",
                )
            # Not on duty here (亮牌: who calls is on duty), nobody waits, or the
            # ticket called here is another clerk's: she takes the window over.
            duty_ensure(window=window, clerk=clerk, now=moment)
            if busy is not None:
                inherited = _handed_over(window_id, clerk, number)
                if inherited is not None:
                    return inherited
            ticket = queue_rows.ticket_claim(
                window_id=window_id, clerk_id=clerk.pk, day=day, now=moment
            )
        if ticket is None:
            raise DomainError(errors.QUEUE_EMPTY, "当前没有等候的号。")
        ticket.clerk = clerk
        _audit(ticket, "call", clerk, moment, window=number)
    return ticket


def _handed_over(window_id: int, clerk: Any, number: str) -> QueueTicket | None:
    """After a takeover (``duty_ensure`` handed the window's called ticket to the
    clerk, audited ``queue.handover``): that ticket, marked ``handed_over`` and not
    called again — the person standing at the window is served first. None when the
    clerk who left finished it meanwhile (the window is free for the next call)."""
    ticket = (
        QueueTicket.objects.filter(window=window_id, status=TicketStatus.CALLED)
        .select_related("hall", "theme", "window")
        .first()
    )
    if ticket is None:
        return None
    if ticket.clerk_id != clerk.pk:  # not handed over: never serve another's ticket
        raise DomainError(
            errors.WINDOW_BUSY,
            f"{number} 号窗口的 {ticket.number} 尚未办结，请先办结、过号或转号。",
        )
    ticket.clerk = clerk
    ticket.handed_over = True  # type: ignore[attr-defined]  # the answer says so
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
    with transaction.atomic():
        ticket = _change_called(
            ticket_id=ticket_id,
            clerk=clerk,
            expected_version=expected_version,
            action="重呼",
            changes={"calls": "+1", "called_at": moment},
        )
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
    with transaction.atomic():
        ticket = _change_called(
            ticket_id=ticket_id,
            clerk=clerk,
            expected_version=expected_version,
            action="过号",
            changes={"status": TicketStatus.SKIPPED.value, "finished_at": moment},
        )
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
    target = selectors.theme_get(theme_id)
    with transaction.atomic():
        ticket = _change_called(
            ticket_id=ticket_id,
            clerk=clerk,
            expected_version=expected_version,
            action="转号",
            changes={"status": TicketStatus.TRANSFERRED.value, "finished_at": moment},
        )
        if target.hall_id != ticket.hall_id or target.pk == ticket.theme_id:
            raise DomainError(  # the transaction is rolled back: the ticket stays called
                errors.THEME_NOT_FOUND, "只能转到本大厅的其他主题。", fields=[{"field": "theme_id"}]
            )
        moved = ticket_issue(
            theme=target,
            source=TicketSource.TRANSFER,
            priority=ticket.priority,
            person_id=ticket.person_id,
            transferred_from=ticket,
            now=moment,
        )
        moved.hall = target.hall  # read with the theme; the answer shows it
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
    case = case_get_for_staff(user=clerk, case_no=case_no.strip()) if case_no.strip() else None
    with transaction.atomic():
        ticket = _change_called(
            ticket_id=ticket_id,
            clerk=clerk,
            expected_version=expected_version,
            action="办结",
            changes={
                "status": TicketStatus.DONE.value,
                "finished_at": moment,
                "case_id": case.pk if case else None,
            },
        )
        ticket.case = case
        if ticket.appointment_id is not None:
            Appointment.objects.filter(pk=ticket.appointment_id).update(
                status=AppointmentStatus.SERVED, changed_at=moment
            )
        _audit(ticket, "finish", clerk, moment, case=case.case_no if case else "")
    return ticket
