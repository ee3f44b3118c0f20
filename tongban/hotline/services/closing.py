"""After the reply: revisit, reopen, archive, supervision, escalation and merge.

The second half of the transitions of a work order (workflow.TRANSITIONS); the
conventions of ``transitions`` apply: order id, acting user, ``expected_version``
and ``now``; roles checked in ``_common.transition``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from tongban.core import errors as core_errors
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.hotline import deadlines, errors, text
from tongban.hotline.models import ExtensionStatus, OrderStatus, WorkOrder
from tongban.hotline.services._common import (
    handle_limit,
    require_reason,
    set_due,
    transition,
)


def work_order_revisit(
    *,
    order_id: int,
    actor: Any,
    solved: bool,
    satisfaction: int,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
    by_caller: bool = False,
) -> WorkOrder:
    """回访: solved or not, and satisfaction 1 (very dissatisfied) … 5 (very satisfied)."""
    if not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5:
        raise DomainError(
            errors.REVISIT_INVALID,
            "满意度须为 1（非常不满意）到 5（非常满意）。",
            fields=[{"field": "satisfaction", "code": "out_of_range", "message": "满意度无效"}],
        )
    remark = text.clean_text(note, field="note", label="回访记录", max_length=500)

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        order.solved = bool(solved)
        order.satisfaction = satisfaction
        order.revisit_note = remark
        order.revisited_at = moment
        return {"solved": bool(solved), "satisfaction": satisfaction, "by_caller": by_caller}

    return transition(
        order_id=order_id,
        action="revisit",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=remark,
        mutate=mutate,
        role_checked=not by_caller,
    )


def work_order_reopen(
    *,
    order_id: int,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
    by_caller: bool = False,
) -> WorkOrder:
    """重办: not solved, says the caller; back to the same department on a new clock."""
    why = require_reason(reason, "重办")

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        if order.status == OrderStatus.REVISITED and order.solved:
            raise DomainError(
                errors.INVALID_TRANSITION, "回访结果为已解决，不能重办；请重新回访后再重办。"
            )
        if order.department_id is None:
            raise DomainError(errors.INVALID_TRANSITION, "直接答复的工单不能重办，请重新登记。")
        order.reopen_count += 1
        order.dispatched_at = moment
        order.acknowledged_at = None
        order.replied_at = None
        order.extension_status = ExtensionStatus.NONE
        order.extended_working_days = 0
        limit = deadlines.Limit.from_dict(order.handle_limit) if order.handle_limit else None
        limit = limit or handle_limit(order, order.category)
        set_due(
            order,
            field="handle_due_at",
            value=deadlines.due_at(moment, limit, get_calendar()),
            actor=actor,
            now=moment,
            reason="重办",
        )
        return {"reopen_count": order.reopen_count, "by_caller": by_caller}

    return transition(
        order_id=order_id,
        action="reopen",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=why,
        mutate=mutate,
        role_checked=not by_caller,
    )


def work_order_archive(
    *,
    order_id: int,
    actor: Any,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """归档: the order is closed for good."""

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        order.archived_at = moment
        return {}

    return transition(
        order_id=order_id,
        action="archive",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def work_order_supervise(
    *,
    order_id: int,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """督办 by the centre: the escalation level rises by one (at most 3)."""
    why = require_reason(reason, "督办")

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        order.escalation_level = min(deadlines.MAX_ESCALATION, order.escalation_level + 1)
        return {"escalation_level": order.escalation_level}

    return transition(
        order_id=order_id,
        action="supervise",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=why,
        mutate=mutate,
    )


def work_order_escalate(*, order_id: int, level: int, now: dt.datetime | None = None) -> WorkOrder:
    """逾期自动督办 by the scheduler: the level an overdue order has reached."""

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        if level <= order.escalation_level:
            raise DomainError(core_errors.CONFLICT, "督办等级未提高。")
        order.escalation_level = min(deadlines.MAX_ESCALATION, level)
        return {"escalation_level": order.escalation_level, "automatic": True}

    return transition(
        order_id=order_id,
        action="supervise",
        actor=None,
        expected_version=None,
        now=now,
        reason="工单逾期，自动督办",
        mutate=mutate,
    )


def work_order_merge(
    *,
    order_id: int,
    actor: Any,
    into_order_id: int,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """并案: a duplicate (same caller, or same place and category, within the
    window) joins another open order and is answered with it."""
    window = dt.timedelta(days=settings.TONGBAN_HOTLINE_DUPLICATE_WINDOW_DAYS)

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        main = WorkOrder.objects.select_for_update().filter(pk=into_order_id).first()
        if main is None or main.pk == order.pk:
            raise DomainError(errors.MERGE_INVALID, "不能并入该工单。")
        if main.status not in (
            OrderStatus.REGISTERED,
            OrderStatus.DISPATCHED,
            OrderStatus.ACKNOWLEDGED,
            OrderStatus.RETURNED,
        ):
            raise DomainError(
                errors.MERGE_INVALID, f"主工单{main.order_no}已办结或已关闭，不能并入。"
            )
        if main.merged_into_id is not None:
            raise DomainError(errors.MERGE_INVALID, f"工单{main.order_no}本身已并案。")
        if abs(main.registered_at - order.registered_at) > window:
            raise DomainError(
                errors.MERGE_INVALID,
                f"两张工单登记时间相隔超过 {window.days} 天，不作为重复诉求合并。",
            )
        same_caller = bool(order.caller_phone_token) and (
            order.caller_phone_token == main.caller_phone_token
        )
        category = order.category_id or order.suggested_category_id
        main_category = main.category_id or main.suggested_category_id
        same_place = (
            order.region_id == main.region_id
            and category is not None
            and category == main_category
            and (not order.address_key or order.address_key == main.address_key)
        )
        if not (same_caller or same_place):
            raise DomainError(
                errors.MERGE_INVALID,
                "只有同一来电人、或同一地点同一分类的诉求才能并案。",
            )
        if WorkOrder.objects.filter(merged_into=order).exists():
            raise DomainError(errors.MERGE_INVALID, "该工单已有并入的工单，请将其他工单并入本单。")
        order.merged_into = main
        set_due(order, field="dispatch_due_at", value=None, actor=actor, now=moment, reason="并案")
        set_due(order, field="handle_due_at", value=None, actor=actor, now=moment, reason="并案")
        return {"into": main.order_no, "same_caller": same_caller, "same_place": same_place}

    return transition(
        order_id=order_id,
        action="merge",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )
