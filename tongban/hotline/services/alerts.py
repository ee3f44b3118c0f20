"""The hotline alert sweep (R-HL-3): yellow and red alerts on the dispatch and
handling clocks, and automatic 督办 of overdue orders.

One open :class:`HotlineAlert` per (order, kind), kept in step with the clock:
raised, upgraded, downgraded (after an approved extension), resolved (the
order moved on). Raises, level changes and resolutions are audited. An
overdue handling clock raises the order's escalation level through
``work_order_escalate`` (a history row on the order). Idempotent: a second
pass at the same moment changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.calendar import WorkingCalendar, get_calendar
from tongban.core.errors import DomainError
from tongban.hotline import deadlines
from tongban.hotline.models import AlertKind, HotlineAlert, OrderStatus, WorkOrder

logger = logging.getLogger(__name__)
CHUNK = 2000
HORIZON = dt.timedelta(days=20)

_WAITING = (OrderStatus.REGISTERED, OrderStatus.RETURNED)
_HANDLING = (OrderStatus.DISPATCHED, OrderStatus.ACKNOWLEDGED)


@dataclasses.dataclass
class SweepResult:
    examined: int = 0
    raised: int = 0
    upgraded: int = 0
    downgraded: int = 0
    resolved: int = 0
    escalated: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def _clock(order: WorkOrder, kind: str) -> tuple[dt.datetime, dt.datetime, deadlines.Limit] | None:
    if kind == AlertKind.DISPATCH:
        if order.status not in _WAITING or order.dispatch_due_at is None:
            return None
        start = order.updated_at if order.status == OrderStatus.RETURNED else order.registered_at
        limit = (
            deadlines.Limit(hours=settings.TONGBAN_HOTLINE_URGENT_DISPATCH_HOURS)
            if order.urgency == "urgent"
            else None
        )
        days = settings.TONGBAN_HOTLINE_DISPATCH_WORKING_DAYS
        return start, order.dispatch_due_at, limit or deadlines.Limit(working_days=days)
    if order.status not in _HANDLING or order.handle_due_at is None:
        return None
    limit = deadlines.Limit.from_dict(order.handle_limit or {"working_days": 5})
    return order.dispatched_at or order.registered_at, order.handle_due_at, limit


def _message(kind: str, due: dt.datetime, now: dt.datetime, cal: WorkingCalendar) -> str:
    label = AlertKind(kind).label
    day = deadlines.local_date(due)
    when = f"{day.year}年{day.month}月{day.day}日"
    if now > due:
        return f"已超过{label}（{when}）"
    left = deadlines.working_days_left(due, now, cal)
    return (
        f"今日为{label}（{when}）最后一日"
        if left <= 0
        else f"距{label}（{when}）还剩 {left} 个工作日"
    )


def _audit(alert: HotlineAlert, action: str, now: dt.datetime, order_no: str, **extra: Any) -> None:
    audit_record(
        actor="system",
        action=f"hotline.alert_{action}",
        object_type="hotline.HotlineAlert",
        object_id=str(alert.pk),
        details={"order_no": order_no, "kind": alert.kind, "level": alert.level, **extra},
        now=now,
    )


def _settle(
    order: WorkOrder,
    kind: str,
    alert: HotlineAlert | None,
    now: dt.datetime,
    cal: WorkingCalendar,
    result: SweepResult,
) -> None:
    running = _clock(order, kind)
    level = deadlines.Tier.NONE
    if running is not None:
        start, due, limit = running
        level = deadlines.tier(
            start=start,
            due=due,
            limit=limit,
            now=now,
            cal=cal,
            yellow_share=settings.TONGBAN_ALERT_YELLOW_SHARE,
        )
    if running is None or level == deadlines.Tier.NONE:
        if alert is not None:
            with transaction.atomic():
                alert.resolved_at = now
                alert.resolution = "工单已进入下一环节" if running is None else "距时限尚远"
                alert.save(update_fields=["resolved_at", "resolution"])
                _audit(alert, "resolved", now, order.order_no)
            result.resolved += 1
        return
    start, due, limit = running
    message = _message(kind, due, now, cal)
    if alert is None:
        try:
            with transaction.atomic():
                alert = HotlineAlert.objects.create(
                    order=order,
                    kind=kind,
                    level=level.value,
                    due_at=due,
                    message=message,
                    region_path=order.region_path,
                    department_id=order.department_id,
                    raised_at=now,
                    level_changed_at=now,
                )
                _audit(alert, "raised", now, order.order_no)
            result.raised += 1
        except IntegrityError:
            return
    elif alert.level != level.value:
        up = level == deadlines.Tier.RED
        with transaction.atomic():
            alert.level = level.value
            alert.level_changed_at = now
            alert.due_at = due
            alert.message = message
            alert.save(update_fields=["level", "level_changed_at", "due_at", "message"])
            _audit(alert, "upgraded" if up else "downgraded", now, order.order_no)
        if up:
            result.upgraded += 1
        else:
            result.downgraded += 1
    elif (alert.due_at, alert.message) != (due, message):
        alert.due_at = due
        alert.message = message
        alert.save(update_fields=["due_at", "message"])
    if kind == AlertKind.HANDLE and level == deadlines.Tier.RED:
        wanted = deadlines.escalation_level(
            due=due,
            now=now,
            cal=cal,
            every_working_days=settings.TONGBAN_HOTLINE_ESCALATE_EVERY_WORKING_DAYS,
        )
        if wanted > order.escalation_level:
            from tongban.hotline.services.closing import work_order_escalate

            work_order_escalate(order_id=order.pk, level=wanted, now=now)
            result.escalated += 1


def hotline_alerts_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """One pass over every running clock near its due time; see the module docstring."""
    moment = now or clock.now()
    cal = get_calendar()
    result = SweepResult()
    until = moment + HORIZON
    specs = (
        (AlertKind.DISPATCH, {"status__in": _WAITING, "dispatch_due_at__lte": until}),
        (AlertKind.HANDLE, {"status__in": _HANDLING, "handle_due_at__lte": until}),
    )
    for kind, query in specs:
        seen: set[int] = set()
        ids = list(WorkOrder.objects.filter(**query).order_by("pk").values_list("pk", flat=True))
        stale = list(
            HotlineAlert.objects.filter(kind=kind, resolved_at__isnull=True)
            .exclude(order_id__in=ids)
            .values_list("order_id", flat=True)
        )
        for start in range(0, len(ids) + len(stale), CHUNK):
            chunk = (ids + stale)[start : start + CHUNK]
            orders = WorkOrder.objects.filter(pk__in=chunk).order_by("pk")
            alerts = {
                a.order_id: a
                for a in HotlineAlert.objects.filter(
                    kind=kind, resolved_at__isnull=True, order_id__in=chunk
                )
            }
            for order in orders:
                if order.pk in seen:
                    continue
                seen.add(order.pk)
                result.examined += 1
                try:
                    _settle(order, kind, alerts.get(order.pk), moment, cal, result)
                except DomainError as exc:
                    result.failed += 1
                    logger.warning("hotline alert %s of %s: %s", kind, order.order_no, exc)
    logger.info("hotline alerts sweep: %s", result.as_dict())
    return result
