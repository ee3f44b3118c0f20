"""One service per transition of a work order up to the reply (workflow.TRANSITIONS).

Each takes the order id, the acting user, ``expected_version`` (If-Match;
``None`` for the scheduler and the caller) and ``now``. Callers have found the
order through a scoped selector; the roles of workflow.ACTION_ROLES are
checked in ``_common.transition``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q

from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.hotline import deadlines, errors, text
from tongban.hotline.models import (
    Emergency,
    ExtensionStatus,
    KnowledgeArticle,
    OrderStatus,
    WorkOrder,
)
from tongban.hotline.services._common import (
    dispatch_limit,
    handle_limit,
    history,
    notify_caller,
    require_reason,
    set_due,
    transition,
)
from tongban.hotline.services.intake import category_leaf
from tongban.org.models import Department


def _cited(codes: list[str] | None, today: dt.date) -> list[str]:
    """Knowledge articles cited in an answer: each must exist and be valid today."""
    wanted = sorted({c.strip() for c in (codes or []) if c and c.strip()})[:10]
    if not wanted:
        return []
    valid = set(
        KnowledgeArticle.objects.filter(code__in=wanted, valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values_list("code", flat=True)
    )
    unknown = [c for c in wanted if c not in valid]
    if unknown:
        raise DomainError(
            errors.KNOWLEDGE_INVALID,
            f"引用的知识库条目不存在或已失效：{'、'.join(c[:20] for c in unknown)}。",
            fields=[{"field": "cited_articles", "code": "invalid", "message": "条目无效"}],
        )
    return wanted


def _answer(value: str | None, label: str = "答复内容") -> str:
    return text.clean_text(value, field="answer", label=label, max_length=5000, required=True)


def work_order_answer_directly(
    *,
    order_id: int,
    actor: Any,
    answer: str,
    category_code: str,
    cited_articles: list[str] | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """直办: the operator answers from the knowledge base and closes the order."""
    body = _answer(answer)
    category = category_leaf(category_code)

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        cited = _cited(cited_articles, clock.local_date(moment))
        order.category = category
        order.reply_text = body
        order.cited_articles = cited
        order.replied_at = moment
        set_due(order, field="dispatch_due_at", value=None, actor=actor, now=moment, reason="直办")
        notify_caller(order, "answer_directly", now=moment, answer=body[:200])
        return {"category": category.code, "cited_articles": cited}

    return transition(
        order_id=order_id,
        action="answer_directly",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def work_order_hand_over(
    *,
    order_id: int,
    actor: Any,
    service: str,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
    role_checked: bool = True,
) -> WorkOrder:
    """移交: an emergency for 110/119/120/122 is handed over, not processed (R-HL-1)."""
    if service not in Emergency.values:
        raise DomainError(
            errors.EMERGENCY_INVALID,
            "紧急警情只能移交 110、119、120 或 122。",
            fields=[{"field": "service", "code": "enum", "message": "移交对象无效"}],
        )

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        order.emergency = service
        set_due(order, field="dispatch_due_at", value=None, actor=actor, now=moment, reason="移交")
        notify_caller(order, "hand_over", now=moment, service=service)
        return {"service": service}

    return transition(
        order_id=order_id,
        action="hand_over",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=(note or "").strip()[:500] or f"移交 {Emergency(service).label}",
        mutate=mutate,
        role_checked=role_checked,
    )


def _department_for_dispatch(department_id: int, actor: Any) -> Department:
    from tongban.org.selectors import scope_q, staff_scope_for

    scope = staff_scope_for(user=actor).for_roles("hotline_dispatcher")
    department = (
        Department.objects.filter(pk=department_id)
        .filter(scope_q(scope=scope, region_path_field="region__path", department_field="pk"))
        .first()
        if actor is not None
        else Department.objects.filter(pk=department_id).first()
    )
    if department is None:
        raise DomainError(
            errors.DEPARTMENT_INVALID,
            "承办单位不存在，或不在您的派单范围内。",
            fields=[{"field": "department_id", "code": "unknown", "message": "承办单位无效"}],
        )
    return department


def work_order_dispatch(
    *,
    order_id: int,
    actor: Any,
    department_id: int,
    category_code: str,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """派单 to the handling department, with the category that sets its limit.

    A returned order (退单) goes to another department than the one that
    returned it."""
    department = _department_for_dispatch(department_id, actor)
    category = category_leaf(category_code)

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        if order.status == OrderStatus.RETURNED and order.department_id == department.pk:
            raise DomainError(
                errors.DEPARTMENT_INVALID,
                f"{department.name}已退回该工单，请审核退单理由后改派其他单位。",
                fields=[{"field": "department_id", "code": "returned", "message": "已退单"}],
            )
        redispatch = order.status == OrderStatus.RETURNED
        order.department = department
        order.category = category
        order.dispatched_at = moment
        order.first_dispatched_at = order.first_dispatched_at or moment
        order.acknowledged_at = None
        order.extension_status = ExtensionStatus.NONE
        order.extended_working_days = 0
        limit = handle_limit(order, category)
        order.handle_limit = limit.as_dict()
        cal = get_calendar()
        # dispatch_due_at stays: whether the dispatch was in time is a figure of R-HL-3.
        set_due(
            order,
            field="handle_due_at",
            value=deadlines.due_at(moment, limit, cal),
            actor=actor,
            now=moment,
            reason=f"派单，办理时限 {limit.label}",
        )
        return {
            "department_id": department.pk,
            "category": category.code,
            "redispatch": redispatch,
            "followed_suggestion": order.suggested_department_id == department.pk,
        }

    return transition(
        order_id=order_id,
        action="dispatch",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=(note or "").strip()[:500],
        mutate=mutate,
    )


def work_order_acknowledge(
    *,
    order_id: int,
    actor: Any,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """签收 by the handling department."""

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        order.acknowledged_at = moment
        return {}

    return transition(
        order_id=order_id,
        action="acknowledge",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def work_order_return(
    *,
    order_id: int,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """退单: not this department's matter; back to the dispatcher with the reason.
    The dispatch clock runs again from now."""
    why = require_reason(reason, "退单")

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        order.return_count += 1
        cal = get_calendar()
        set_due(order, field="handle_due_at", value=None, actor=actor, now=moment, reason="退单")
        set_due(
            order,
            field="dispatch_due_at",
            value=deadlines.due_at(moment, dispatch_limit(order, order.category), cal),
            actor=actor,
            now=moment,
            reason="退单后重新派单",
        )
        return {"department_id": order.department_id}

    return transition(
        order_id=order_id,
        action="return",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=why,
        mutate=mutate,
    )


def work_order_request_extension(
    *,
    order_id: int,
    actor: Any,
    working_days: int,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """申请延期: a number of working days and the reason; the centre decides."""
    why = require_reason(reason, "申请延期")
    most = settings.TONGBAN_HOTLINE_EXTENSION_MAX_WORKING_DAYS
    if not isinstance(working_days, int) or not 1 <= working_days <= most:
        raise DomainError(
            errors.EXTENSION_INVALID,
            f"延期天数须为 1 到 {most} 个工作日。",
            fields=[{"field": "working_days", "code": "out_of_range", "message": "天数无效"}],
        )

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        if order.extension_status == ExtensionStatus.PENDING:
            raise DomainError(
                errors.EXTENSION_PENDING, "已有待审批的延期申请，请等待派单中心审批。"
            )
        if order.extended_working_days + working_days > most:
            raise DomainError(
                errors.EXTENSION_INVALID,
                f"累计延期不能超过 {most} 个工作日（已延期 {order.extended_working_days} 个）。",
            )
        if order.handle_due_at is not None and moment > order.handle_due_at:
            raise DomainError(errors.EXTENSION_INVALID, "办理时限已过，不能再申请延期。")
        order.extension_status = ExtensionStatus.PENDING
        order.extension_requested_days = working_days
        order.extension_reason = why[:500]
        return {"working_days": working_days}

    return transition(
        order_id=order_id,
        action="request_extension",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=why,
        mutate=mutate,
    )


def _decide_extension(
    *,
    order_id: int,
    actor: Any,
    approve: bool,
    note: str,
    expected_version: int | None,
    now: dt.datetime | None,
) -> WorkOrder:
    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        if order.extension_status != ExtensionStatus.PENDING:
            raise DomainError(errors.NO_EXTENSION_PENDING, "该工单没有待审批的延期申请。")
        days = order.extension_requested_days
        if approve:
            order.extension_status = ExtensionStatus.APPROVED
            order.extended_working_days += days
            assert order.handle_due_at is not None
            set_due(
                order,
                field="handle_due_at",
                value=deadlines.extended(order.handle_due_at, days, get_calendar()),
                actor=actor,
                now=moment,
                reason=f"批准延期 {days} 个工作日",
            )
        else:
            order.extension_status = ExtensionStatus.REFUSED
        return {"working_days": days}

    return transition(
        order_id=order_id,
        action="approve_extension" if approve else "refuse_extension",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason=(note or "").strip()[:500],
        mutate=mutate,
    )


def work_order_approve_extension(
    *,
    order_id: int,
    actor: Any,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """批准延期: the handling due day moves on by the days asked."""
    return _decide_extension(
        order_id=order_id,
        actor=actor,
        approve=True,
        note=note,
        expected_version=expected_version,
        now=now,
    )


def work_order_refuse_extension(
    *,
    order_id: int,
    actor: Any,
    note: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """不批准延期, with the reason; the due time stays."""
    why = require_reason(note, "不批准延期", field="note")
    return _decide_extension(
        order_id=order_id,
        actor=actor,
        approve=False,
        note=why,
        expected_version=expected_version,
        now=now,
    )


def work_order_reply(
    *,
    order_id: int,
    actor: Any,
    answer: str,
    action_taken: str,
    cited_articles: list[str] | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """办结: the department's answer and what it did. Orders merged into this one
    are answered with it (并案, answered together)."""
    body = _answer(answer)
    done = _answer(action_taken, "处理情况")

    def mutate(order: WorkOrder, moment: dt.datetime) -> dict[str, Any]:
        cited = _cited(cited_articles, clock.local_date(moment))
        order.reply_text = body
        order.reply_action = done
        order.cited_articles = cited
        order.replied_at = moment
        department = order.department.name if order.department else ""
        notify_caller(order, "reply", now=moment, department=department)
        merged = list(WorkOrder.objects.select_for_update().filter(merged_into=order))
        for duplicate in merged:
            duplicate.reply_text = body
            duplicate.reply_action = done
            duplicate.replied_at = moment
            duplicate.version += 1
            duplicate.updated_at = moment
            duplicate.save(
                update_fields=["reply_text", "reply_action", "replied_at", "version", "updated_at"]
            )
            history(
                duplicate,
                action="answered_with",
                actor=actor,
                now=moment,
                department_id=order.department_id,
                details={"order_no": order.order_no},
            )
            notify_caller(duplicate, "answered_with", now=moment)
        return {"cited_articles": cited, "answered_together": [d.order_no for d in merged]}

    return transition(
        order_id=order_id,
        action="reply",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )
