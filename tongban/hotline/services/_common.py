"""What every work-order service shares: locking, the transition check, history,
due times, audit and the event for other apps (CONVENTIONS 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

from tongban.core import clock, events
from tongban.core import errors as core_errors
from tongban.core.audit import actor_label as audit_actor_label
from tongban.core.audit import audit_record
from tongban.core.calendar import WorkingCalendar, get_calendar
from tongban.core.errors import DomainError
from tongban.hotline import deadlines, errors, workflow
from tongban.hotline.models import Category, OrderStatus, WorkOrder, WorkOrderEvent

PHONE_CONTEXT = "hotline.caller.phone"


def actor_label(actor: Any) -> str:
    name = getattr(actor, "display_name", "") or getattr(actor, "username", "")
    return f"{audit_actor_label(actor)} {name}".strip()


def history(
    order: WorkOrder,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    frm: str = "",
    to: str = "",
    reason: str = "",
    department_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    WorkOrderEvent.objects.create(
        order=order,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        action=action,
        from_status=frm,
        to_status=to,
        department_id=department_id,
        reason=reason,
        details=details or {},
    )


def require_reason(text: str | None, what: str, *, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(
            errors.REASON_REQUIRED,
            f"{what}须写明理由。",
            fields=[{"field": field, "code": "missing", "message": "须写明理由"}],
        )
    if len(text) > 2000:
        raise DomainError(core_errors.VALIDATION_FAILED, "理由不能超过 2000 个字符。")
    return text


# --- limits and due times ---------------------------------------------------------


def dispatch_limit(order: WorkOrder, category: Category | None) -> deadlines.Limit:
    return deadlines.dispatch_limit(
        urgent=order.urgency == "urgent",
        category_days=category.dispatch_working_days if category else None,
        default_days=settings.TONGBAN_HOTLINE_DISPATCH_WORKING_DAYS,
        urgent_hours=settings.TONGBAN_HOTLINE_URGENT_DISPATCH_HOURS,
    )


def handle_limit(order: WorkOrder, category: Category | None) -> deadlines.Limit:
    return deadlines.handle_limit(
        urgent=order.urgency == "urgent",
        category_days=category.handle_working_days if category else None,
        category_hours=category.urgent_handle_hours if category else None,
        default_days=settings.TONGBAN_HOTLINE_HANDLE_WORKING_DAYS,
        urgent_hours=settings.TONGBAN_HOTLINE_URGENT_HANDLE_HOURS,
    )


def set_due(
    order: WorkOrder,
    *,
    field: str,
    value: dt.datetime | None,
    actor: Any,
    now: dt.datetime,
    reason: str,
) -> None:
    """Store a due time; a history row when it changes (DESIGN §4)."""
    old = getattr(order, field)
    if old == value:
        return
    setattr(order, field, value)
    history(
        order,
        action="deadline_change",
        actor=actor,
        now=now,
        reason=reason,
        details={
            "field": field,
            "from": old.isoformat() if old else None,
            "to": value.isoformat() if value else None,
        },
    )


def provisional_year_of(order: WorkOrder, cal: WorkingCalendar) -> int | None:
    """ADR-0006: the provisional year an open due day was counted on, if any."""
    if order.status in workflow.TERMINAL:
        return None
    years = {
        deadlines.local_date(due).year
        for due in (order.dispatch_due_at, order.handle_due_at)
        if due is not None and cal.is_provisional(deadlines.local_date(due))
    }
    return min(years) if years else None


# --- roles ----------------------------------------------------------------------


def roles_on_order(user: Any, order: WorkOrder) -> set[str]:
    """The staff roles of ``user`` whose data scope covers this order."""
    from tongban.org.selectors import staff_scope_for

    return {
        g.role
        for g in staff_scope_for(user=user).grants
        if order.region_path.startswith(g.region_path)
        and (g.department_ids is None or order.department_id in g.department_ids)
    }


def check_role(order: WorkOrder, action: str, actor: Any) -> None:
    allowed = workflow.ACTION_ROLES.get(action)
    if allowed is None or actor is None:
        return
    if getattr(actor, "kind", "") != "staff" or not roles_on_order(actor, order) & allowed:
        raise DomainError(
            core_errors.PERMISSION_DENIED,
            f"您的岗位不能对该工单{workflow.ACTION_LABELS[action]}。",
        )


# --- the transition -----------------------------------------------------------------


def transition(
    *,
    order_id: int,
    action: str,
    actor: Any,
    expected_version: int | None,
    now: dt.datetime | None,
    reason: str = "",
    mutate: Callable[[WorkOrder, dt.datetime], dict[str, Any] | None] | None = None,
    role_checked: bool = True,
) -> WorkOrder:
    """Lock the order, check version, role and table, apply ``mutate``, save,
    append history, audit, and emit ``hotline.<action>``."""
    moment = now or clock.now()
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=order_id)
        if expected_version is not None and order.version != expected_version:
            raise DomainError(
                errors.VERSION_MISMATCH,
                f"工单已被他人处理（当前版本 {order.version}），请刷新后再操作。",
                extra={"version": order.version},
            )
        to = workflow.target(action, order.status)
        if to is None:
            raise DomainError(
                errors.INVALID_TRANSITION,
                f"工单当前为“{OrderStatus(order.status).label}”，"
                f"不能{workflow.ACTION_LABELS[action]}。",
                extra={"status": order.status, "action": action},
            )
        if role_checked:
            check_role(order, action, actor)
        frm = order.status
        department_before = order.department_id
        details = (mutate(order, moment) if mutate else None) or {}
        order.status = to
        order.version += 1
        order.updated_at = moment
        history(
            order,
            action=action,
            actor=actor,
            now=moment,
            frm=frm,
            to=to,
            reason=reason,
            department_id=order.department_id or department_before,
            details=details,
        )
        order.provisional_year = provisional_year_of(order, get_calendar())
        order.save()
        events.emit(
            f"hotline.{action}",
            {"order_no": order.order_no, "from": frm, "to": to, "version": order.version},
            now=moment,
        )
        audit_record(  # last: it holds the audit chain's lock until commit
            actor=actor_label(actor),
            action=f"hotline.{action}",
            object_type="hotline.WorkOrder",
            object_id=order.order_no,
            details={"from": frm, "to": to, **details},
            now=moment,
        )
    return order


# --- the caller -------------------------------------------------------------------

CALLER_TEXTS = {
    "register": "您反映的问题已登记，工单编号{no}。可凭工单编号和本手机号在网上查询办理进度。",
    "answer_directly": "您的工单{no}已答复：{answer}",
    "reply": "您的工单{no}已由{department}办结，请登录查询答复内容并评价。",
    "answered_with": "您的工单{no}与相同诉求合并办理，已答复，请登录查询答复内容并评价。",
    "hand_over": "您反映的紧急情况已转{service}处置，请保持电话畅通。",
}


def notify_caller(order: WorkOrder, purpose: str, *, now: dt.datetime, **values: str) -> None:
    """An SMS to the caller, in the caller's transaction (sent after commit)."""
    from tongban.core.crypto import decrypt
    from tongban.core.notifications import notification_send

    text = CALLER_TEXTS.get(purpose)
    if text is None or not order.caller_phone_enc:
        return
    phone = decrypt(order.caller_phone_enc, context=PHONE_CONTEXT)
    if not phone.startswith("1"):
        return  # a fixed line gets no SMS
    notification_send(
        channel="sms",
        recipient=phone,
        subject="",
        body=text.format(no=order.order_no, **values)[:500],
        purpose=f"hotline.{purpose}",
        object_type="hotline.WorkOrder",
        object_id=f"{order.order_no}/v{order.version}",
        now=now,
    )
