"""亮牌 (window service standards, R-HA-5): a clerk goes on duty at a window (上岗) and
off (离岗); the hall's screen and the window's display show the clerk on duty, the
window's themes and its items.

A clerk calling at a window is on duty there (``ticket_call_next`` starts the duty
if needed). A clerk who takes a window that someone else left without signing
off ends that duty (a handover, audited): a forgotten 离岗 must not block the
window. The ticket called there and not yet finished goes with the window: the
new clerk serves the person standing at it (and may finish, skip or transfer the
ticket); the clerk who left can no longer change it (``ticket_held_by_other_clerk``), so
a ticket is neither lost nor served twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F

from tongban.appointments import selectors
from tongban.appointments.models import QueueTicket, TicketStatus, WindowDuty
from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.org.models import Window
from tongban.org.selectors import staff_scope_for


def _audit(duty: WindowDuty, action: str, actor: Any, now: dt.datetime, **details: Any) -> None:
    audit_record(
        actor=actor_label(actor),
        action=f"queue.duty_{action}",
        object_type="org.Window",
        object_id=str(duty.window_id),
        details={"duty": duty.pk, **details},
        now=now,
    )


def duty_ensure(*, window: Window, clerk: Any, now: dt.datetime) -> WindowDuty:
    """Inside the caller's transaction, with the window row locked: the clerk's duty
    at this window, started (ending her other duty and the window's other clerk's)."""
    current = WindowDuty.objects.filter(window=window, ended_at__isnull=True).first()
    if current is not None and current.clerk_id == clerk.pk:
        return current
    # One clerk calling at two windows at once: her user row serializes the two,
    # so the second moves the duty the first started (one duty per clerk).
    get_user_model().objects.select_for_update().filter(pk=clerk.pk).first()
    mine = WindowDuty.objects.select_for_update().filter(clerk=clerk, ended_at__isnull=True).first()
    if mine is not None:
        mine.ended_at = now
        mine.save(update_fields=["ended_at"])
        _audit(mine, "end", clerk, now, reason="moved")
    if current is not None:
        current.ended_at = now
        current.save(update_fields=["ended_at"])
        _audit(current, "end", clerk, now, reason="handover")
    duty = WindowDuty.objects.create(window=window, clerk=clerk, started_at=now)
    _audit(duty, "start", clerk, now)
    _tickets_hand_over(window=window, clerk=clerk, now=now)
    return duty


def _tickets_hand_over(*, window: Window, clerk: Any, now: dt.datetime) -> None:
    """The tickets called at the window by someone else and not yet finished become
    the new clerk's (version raised: a page showing the old clerk's is stale). The
    row locks wait for a change of the ticket under way; one finished meanwhile is
    not taken over."""
    tickets = list(
        QueueTicket.objects.select_for_update(of=("self",))
        .filter(window=window.pk, status=TicketStatus.CALLED)
        .exclude(clerk_id=clerk.pk)
        .values("pk", "hall_id", "date", "number", "theme_id", "clerk_id")
    )
    if not tickets:
        return
    QueueTicket.objects.filter(pk__in=[t["pk"] for t in tickets]).update(
        clerk_id=clerk.pk, version=F("version") + 1
    )
    for ticket in tickets:
        audit_record(
            actor=actor_label(clerk),
            action="queue.handover",
            object_type="queue_ticket",
            object_id=f"{ticket['hall_id']}/{ticket['date'].isoformat()}/{ticket['number']}",
            details={"theme": ticket["theme_id"], "from_clerk": ticket["clerk_id"]},
            now=now,
        )


def window_duty_start(*, window_id: int, clerk: Any, now: dt.datetime | None = None) -> WindowDuty:
    """上岗 at a window in the clerk's scope (again at the same window: unchanged)."""
    moment = now or clock.now()
    window = selectors.window_get_in_scope(staff_scope_for(user=clerk), window_id)
    with transaction.atomic():
        Window.objects.select_for_update().filter(pk=window.pk).first()
        return duty_ensure(window=window, clerk=clerk, now=moment)


def window_duty_end(*, clerk: Any, now: dt.datetime | None = None) -> WindowDuty | None:
    """离岗 (when not on duty: nothing to do)."""
    moment = now or clock.now()
    with transaction.atomic():
        duty = (
            WindowDuty.objects.select_for_update()
            .filter(clerk=clerk, ended_at__isnull=True)
            .first()
        )
        if duty is None:
            return None
        duty.ended_at = moment
        duty.save(update_fields=["ended_at"])
        _audit(duty, "end", clerk, moment, reason="signed_off")
    return duty
