"""What the hotline API endpoints share: the order view, versions, the caller."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from tongban.core import clock
from tongban.core.api.if_match import if_match_version
from tongban.core.api.pagination import Page
from tongban.core.api.schemas import PROBLEM_RESPONSES, Problem
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.hotline import deadlines, selectors
from tongban.hotline.models import OrderStatus, WorkOrder
from tongban.identity.models import User

RESPONSES: dict[int | frozenset[int], Any] = {**PROBLEM_RESPONSES, 428: Problem}
IF_MATCH_DOC = '工单版本号，取自 ETag，如 "3"'
# core.api.openapi marks the header required where it is in use; harmless otherwise.
REQUIRED_HEADERS = "x-required-headers"
_RUNNING = (
    OrderStatus.REGISTERED,
    OrderStatus.RETURNED,
    OrderStatus.DISPATCHED,
    OrderStatus.ACKNOWLEDGED,
)


def user_of(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def version_of(if_match: str | None) -> int:
    """The version named by ``If-Match`` (required; core.api.if_match)."""
    version = if_match_version(if_match, what="工单版本号", required=True, action="办理工单")
    assert version is not None  # required: a missing header raised
    return version


def clock_out(order: WorkOrder, cal: Any = None) -> dict[str, Any]:
    cal = cal or get_calendar()
    now = clock.now()
    running = order.status in _RUNNING
    due = (
        order.dispatch_due_at
        if order.status in (OrderStatus.REGISTERED, OrderStatus.RETURNED)
        else order.handle_due_at
    )
    left = None
    if running and due is not None:
        try:
            left = deadlines.working_days_left(due, now, cal)
        except DomainError:
            left = None
    return {
        "dispatch_due_at": order.dispatch_due_at,
        "handle_due_at": order.handle_due_at,
        "working_days_left": left,
        "overdue": bool(running and due is not None and now > due),
        "provisional": order.provisional_year is not None,
    }


def _ref(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    if hasattr(obj, "code"):
        return {"code": obj.code, "name": obj.name}
    return {"id": obj.pk, "name": obj.name}


def detail(order: WorkOrder, *, staff: bool) -> dict[str, Any]:
    return {
        "order_no": order.order_no,
        "version": order.version,
        "status": order.status,
        "status_label": OrderStatus(order.status).label,
        "channel": order.channel,
        "kind": order.kind,
        "urgency": order.urgency,
        "emergency": order.emergency,
        "title": order.title,
        "content": order.content,
        "subject_name": order.subject_name,
        "caller_name": mask_name(order.caller_name) if order.caller_name else "",
        "caller_phone": order.caller_phone_masked,
        "anonymous": order.caller_anonymous,
        "region_code": order.region_id,
        "address": order.address,
        "latitude": float(order.latitude) if order.latitude is not None else None,
        "longitude": float(order.longitude) if order.longitude is not None else None,
        "category": _ref(order.category),
        "suggested_category": _ref(order.suggested_category) if staff else None,
        "suggested_department": _ref(order.suggested_department) if staff else None,
        "department": _ref(order.department),
        "registered_at": order.registered_at,
        "clock": clock_out(order),
        "extension_status": order.extension_status,
        "extension_requested_days": order.extension_requested_days,
        "extended_working_days": order.extended_working_days,
        "escalation_level": order.escalation_level,
        "reply_text": order.reply_text or selectors.public_answer(order)[0],
        "reply_action": order.reply_action or selectors.public_answer(order)[1],
        "cited_articles": list(order.cited_articles or []),
        "solved": order.solved,
        "satisfaction": order.satisfaction,
        "merged_into": order.merged_into.order_no if order.merged_into else None,
        "attachments": [
            {"file_name": a.file_name, "content_type": a.content_type, "size": a.size}
            for a in order.attachments.all()
        ],
        "timeline": [
            {
                "at": e.at,
                "action": e.action,
                "action_label": e.action_label,  # type: ignore[attr-defined]
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
                "actor": e.actor_label if staff else None,
                "details": e.details if staff else {},
            }
            for e in selectors.order_timeline(order)
        ],
    }


def respond(order: WorkOrder, response: HttpResponse, *, staff: bool) -> dict[str, Any]:
    response["ETag"] = f'"{order.version}"'
    return detail(order, staff=staff)


def summary(order: WorkOrder, cal: Any) -> dict[str, Any]:
    return {
        "order_no": order.order_no,
        "version": order.version,
        "status": order.status,
        "status_label": OrderStatus(order.status).label,
        "kind": order.kind,
        "urgency": order.urgency,
        "title": order.title,
        "category": _ref(order.category),
        "department": _ref(order.department),
        "registered_at": order.registered_at,
        "clock": clock_out(order, cal),
        "escalation_level": order.escalation_level,
    }


def page_out(page: Page[WorkOrder]) -> dict[str, Any]:
    cal = get_calendar()
    return {"items": [summary(o, cal) for o in page.items], "next_cursor": page.next_cursor}
