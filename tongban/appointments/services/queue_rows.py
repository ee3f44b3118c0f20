"""The queue's hot statements: a call claims the next ticket, and a recall, skip,
transfer or finish changes a called ticket, each in one ``UPDATE … RETURNING``.

The statements carry every condition the change needs, so a change that does not
apply touches no row and the caller explains why with the ordinary reads:

* the call's ``UPDATE`` takes the first waiting ticket of the window's active
  themes (green channel first, then appointments checked in, then arrival) with
  ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, only while the window has no ticket
  called and the clerk is on duty there. The caller holds the window's row lock,
  so the window's "nothing called" is read after any other call there committed;
  two windows calling at once skip each other's ticket. SQLite has no row locks
  and runs one writer at a time, so it takes the statement without the clause.
* a change of a called ticket names the ticket, its status, the clerk who has it
  (and the version she saw) in the ``UPDATE``'s own ``WHERE``, which PostgreSQL checks again on
  the newest row after waiting for another writer: two finishes of one ticket
  give one finish, and a clerk whose window was taken over (``duty_ensure`` hands
  the called ticket to the new clerk, one ``UPDATE`` of the same row) changes
  nothing, whichever commits first. The clerk's scope (the ticket's hall, the ticket's window) is
  the selectors' scoped queries, compiled into the same statement.

The answer is the updated row with the names shown (hall, theme, window), so a
call or a finish costs no read after the write.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection

from tongban.appointments import selectors
from tongban.appointments.models import QueueTicket, Theme, TicketStatus, WindowDuty
from tongban.org.models import Hall, Window
from tongban.org.selectors import StaffScope


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _returning() -> str:
    """The ticket's columns and the names its answer shows (hall, theme, window)."""
    ticket = _q(QueueTicket._meta.db_table)
    theme = _q(Theme._meta.db_table)
    hall = _q(Hall._meta.db_table)
    window = _q(Window._meta.db_table)
    columns = ", ".join(f"{ticket}.{_q(str(f.column))}" for f in QueueTicket._meta.concrete_fields)
    return (
        f"RETURNING {columns}, "  # noqa: S608  # the models' tables and columns
        f"(SELECT h.{_q('name')} FROM {hall} h WHERE h.{_q('id')} = {ticket}.{_q('hall_id')}) "
        f"AS {_q('hall_name')}, "
        f"(SELECT th.{_q('name')} FROM {theme} th WHERE th.{_q('id')} = {ticket}.{_q('theme_id')}) "
        f"AS {_q('theme_name')}, "
        f"(SELECT th.{_q('minutes_per_ticket')} FROM {theme} th "
        f"WHERE th.{_q('id')} = {ticket}.{_q('theme_id')}) AS {_q('theme_minutes')}, "
        f"(SELECT w.{_q('number')} FROM {window} w "
        f"WHERE w.{_q('id')} = {ticket}.{_q('window_id')}) AS {_q('window_number')}"
    )


def _one(sql: str, params: list[Any]) -> QueueTicket | None:
    """Run an ``UPDATE … RETURNING`` of at most one ticket; the ticket with its hall,
    theme and window (the names only) attached, or None when no row changed."""
    found = list(QueueTicket.objects.raw(sql, params))
    if not found:
        return None
    ticket = found[0]
    extra: Any = ticket
    ticket.hall = Hall(pk=ticket.hall_id, name=extra.hall_name)
    ticket.theme = Theme(
        pk=ticket.theme_id,
        hall_id=ticket.hall_id,
        name=extra.theme_name,
        minutes_per_ticket=extra.theme_minutes,
    )
    ticket.window = (
        Window(pk=ticket.window_id, hall_id=ticket.hall_id, number=extra.window_number)
        if ticket.window_id is not None
        else None
    )
    return ticket


def _moment(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


@cache
def _claim_sql(skip_locked: bool) -> str:
    ticket = _q(QueueTicket._meta.db_table)
    theme = _q(Theme._meta.db_table)
    served = _q(Theme.windows.through._meta.db_table)
    duty = _q(WindowDuty._meta.db_table)
    lock = " FOR UPDATE OF q SKIP LOCKED" if skip_locked else ""
    return (
        f"UPDATE {ticket} SET {_q('status')} = %s, {_q('window_id')} = %s, {_q('clerk_id')} = %s, "  # noqa: S608  # the models' tables
        f"{_q('called_at')} = %s, {_q('calls')} = 1, {_q('version')} = {_q('version')} + 1 "
        f"WHERE {_q('id')} = ("
        f"SELECT q.{_q('id')} FROM {ticket} q "
        f"WHERE q.{_q('date')} = %s AND q.{_q('status')} = %s "
        f"AND q.{_q('theme_id')} IN (SELECT tw.{_q('theme_id')} FROM {served} tw "
        f"INNER JOIN {theme} th ON th.{_q('id')} = tw.{_q('theme_id')} "
        f"WHERE tw.{_q('window_id')} = %s AND th.{_q('active')}) "
        f"AND EXISTS (SELECT 1 FROM {duty} d WHERE d.{_q('window_id')} = %s "
        f"AND d.{_q('clerk_id')} = %s AND d.{_q('ended_at')} IS NULL) "
        f"AND NOT EXISTS (SELECT 1 FROM {ticket} b WHERE b.{_q('window_id')} = %s "
        f"AND b.{_q('status')} = %s) "
        f"ORDER BY q.{_q('priority')} DESC, q.{_q('taken_at')}, q.{_q('id')} LIMIT 1{lock}) "
        + _returning()
    )


def ticket_claim(
    *, window_id: int, clerk_id: int, day: dt.date, now: dt.datetime
) -> QueueTicket | None:
    """Inside the caller's transaction, with the window's row locked: the next waiting
    ticket of the window's themes, called there by the clerk; None when the window
    has a ticket called, the clerk is not on duty there, or nobody waits."""
    sql = _claim_sql(connection.features.has_select_for_update_skip_locked)
    return _one(
        sql,
        [
            TicketStatus.CALLED.value, window_id, clerk_id, _moment(now),
            connection.ops.adapt_datefield_value(day), TicketStatus.WAITING.value,
            window_id, window_id, clerk_id, window_id, TicketStatus.CALLED.value,
        ],
    )  # fmt: skip


def _subquery(queryset: Any) -> tuple[str, tuple[Any, ...]]:
    """The ids ``queryset`` selects, as SQL for an ``IN (…)``. A scope that
    grants nothing compiles to no statement at all (Django raises
    ``EmptyResultSet``): then a subquery of no rows, so the change matches
    nothing and the caller explains the refusal (404 or 422), never a 500."""
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return "SELECT 0 WHERE 1 = 0", ()
    return sql, tuple(params)


def ticket_change_called(
    *,
    ticket_id: int,
    clerk_id: int,
    scope: StaffScope,
    expected_version: int | None,
    changes: dict[str, Any],
) -> QueueTicket | None:
    """One ticket called by (or handed over to) the clerk, in her halls (at a window
    of hers, when it was called at one), changed by ``changes`` (column → value; a
    value ``"+1"`` adds one) and its version raised; None when no such ticket is in
    that state."""
    ticket = _q(QueueTicket._meta.db_table)
    halls, hall_params = _subquery(selectors.halls_in_scope(scope))
    windows, window_params = _subquery(selectors.windows_in_scope(scope))
    sets: list[str] = []
    params: list[Any] = []
    for column, value in changes.items():
        if value == "+1":
            sets.append(f"{_q(column)} = {_q(column)} + 1")
        else:
            sets.append(f"{_q(column)} = %s")
            params.append(_moment(value) if isinstance(value, dt.datetime) else value)
    sets.append(f"{_q('version')} = {_q('version')} + 1")
    where = f"{_q('id')} = %s AND {_q('status')} = %s AND {_q('clerk_id')} = %s"
    params += [ticket_id, TicketStatus.CALLED.value, clerk_id]
    if expected_version is not None:
        where += f" AND {_q('version')} = %s"
        params.append(expected_version)
    sql = (
        f"UPDATE {ticket} SET {', '.join(sets)} WHERE {where} "  # noqa: S608  # the model's table and columns
        f"AND {_q('hall_id')} IN ({halls}) "
        f"AND ({_q('window_id')} IS NULL OR {_q('window_id')} IN ({windows})) " + _returning()
    )
    return _one(sql, [*params, *hall_params, *window_params])
