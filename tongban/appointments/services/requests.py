"""上门服务 and 帮办代办 (R-CS-10, R-HA-5, 002 #30): a person who cannot come asks a hall
or service point for a home visit, or asks its staff to apply on her behalf.

States (one service per transition, CONVENTIONS 4)::

    submitted ──assign──▶ assigned ──complete──▶ done
        │  ▲                 │ (assign again: another clerk)
        │  └─────────────────┘
        ├──decline / cancel──▶ declined / cancelled   (also from assigned)

The hall's staff (its region's head, supervisor or a window clerk) assign a
window clerk of the hall's region; only the assigned clerk completes, with the
case taken in if there is one; a refusal needs its reason (窗口无否决权: the
reason is shown to the person). One open request per person, point and kind.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction

from tongban.appointments import errors, request_selectors, selectors
from tongban.appointments.models import (
    RequestKind,
    RequestStatus,
    ServiceRequest,
    ServiceRequestEvent,
)
from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.org.models import Hall
from tongban.org.selectors import staff_scope_for

TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "assign": ((RequestStatus.SUBMITTED, RequestStatus.ASSIGNED), RequestStatus.ASSIGNED),
    "complete": ((RequestStatus.ASSIGNED,), RequestStatus.DONE),
    "decline": ((RequestStatus.SUBMITTED, RequestStatus.ASSIGNED), RequestStatus.DECLINED),
    "cancel": ((RequestStatus.SUBMITTED, RequestStatus.ASSIGNED), RequestStatus.CANCELLED),
}
MAX_DAYS_AHEAD = 30


def _text(value: str, *, field: str, label: str, least: int, most: int) -> str:
    text = " ".join((value or "").split())
    if not least <= len(text) <= most:
        raise DomainError(
            errors.REQUEST_INVALID,
            f"{label}须为 {least}–{most} 个字。",
            fields=[{"field": field}],
        )
    return text


def service_request_submit(
    *,
    person: Any,
    hall_id: int,
    kind: str,
    reason: str,
    address: str = "",
    authorization: str = "",
    service_item_id: int | None = None,
    preferred_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """Ask a hall or point for 上门服务 or 帮办代办."""
    moment = now or clock.now()
    if kind not in RequestKind.values:
        raise DomainError(
            errors.REQUEST_INVALID, "请选择上门服务或帮办代办。", fields=[{"field": "kind"}]
        )
    hall = Hall.objects.filter(pk=hall_id).first()
    if hall is None:
        raise DomainError(errors.REQUEST_NOT_FOUND, "服务点不存在。")
    reason = _text(reason, field="reason", label="原因", least=2, most=200)
    address = " ".join((address or "").split())
    if kind == RequestKind.HOME_VISIT:
        address = _text(address, field="address", label="上门地址", least=5, most=200)
    authorization = " ".join((authorization or "").split())
    if kind == RequestKind.PROXY:
        authorization = _text(
            authorization, field="authorization", label="委托说明", least=4, most=200
        )
    today = clock.local_date(moment)
    if preferred_date is not None and not (
        today <= preferred_date <= today + dt.timedelta(days=MAX_DAYS_AHEAD)
    ):
        raise DomainError(
            errors.REQUEST_INVALID,
            f"希望日期须在今天至 {MAX_DAYS_AHEAD} 天内。",
            fields=[{"field": "preferred_date"}],
        )
    item = None
    if service_item_id is not None:
        item = request_selectors.hall_items(hall).filter(pk=service_item_id).first()
        if item is None:
            raise DomainError(
                errors.REQUEST_INVALID,
                "该服务点不办理所选事项。",
                fields=[{"field": "service_item_id"}],
            )
    try:
        with transaction.atomic():
            request = ServiceRequest.objects.create(
                code=f"FW{today:%y%m%d}{secrets.randbelow(10**6):06d}",
                kind=kind,
                hall=hall,
                person=person,
                service_item=item,
                reason=reason,
                address=address if kind == RequestKind.HOME_VISIT else "",
                authorization=authorization if kind == RequestKind.PROXY else "",
                preferred_date=preferred_date,
                created_at=moment,
            )
            ServiceRequestEvent.objects.create(
                request=request, actor=person, to_status=RequestStatus.SUBMITTED, at=moment
            )
            _audit(request, "submit", person, moment)
    except IntegrityError:
        raise DomainError(
            errors.REQUEST_DUPLICATE,
            f"您在{hall.name}已有一项未办结的{RequestKind(kind).label}申请。",
        ) from None
    return request


def _audit(request: ServiceRequest, action: str, actor: Any, now: dt.datetime, **kw: Any) -> None:
    audit_record(
        actor=actor_label(actor),
        action=f"appointments.request_{action}",
        object_type="service_request",
        object_id=request.code,
        details={"hall": request.hall_id, "kind": request.kind, "status": request.status, **kw},
        now=now,
    )


def _move(
    request_id: int,
    action: str,
    actor: Any,
    now: dt.datetime,
    expected_version: int | None,
    note: str = "",
    scope_check: Any = None,
) -> ServiceRequest:
    """Lock, check the table and the version, then let ``scope_check`` refuse."""
    request = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("hall")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise DomainError(errors.REQUEST_NOT_FOUND, "申请不存在。")
    if scope_check is not None:
        scope_check(request)
    if expected_version is not None and request.version != expected_version:
        raise DomainError(errors.REQUEST_VERSION_MISMATCH, "该申请已被他人处理，请刷新后再操作。")
    allowed, target = TRANSITIONS[action]
    if request.status not in allowed:
        raise DomainError(
            errors.REQUEST_INVALID_STATE,
            f"申请{request.get_status_display()}，不能{_LABELS[action]}。",
        )
    before = request.status
    request.status = target
    request.changed_at = now
    request.version += 1
    ServiceRequestEvent.objects.create(
        request=request, actor=actor, from_status=before, to_status=target, note=note, at=now
    )
    return request


_LABELS = {"assign": "指派", "complete": "办结", "decline": "不予办理", "cancel": "撤销"}


def _staff_of_hall(user: Any, hall_id: int) -> None:
    scope = staff_scope_for(user=user)
    if not selectors.halls_in_scope(scope).filter(pk=hall_id).exists():
        raise DomainError(errors.REQUEST_NOT_FOUND, "申请不存在，或不在您的大厅。")


def service_request_assign(
    *,
    request_id: int,
    staff: Any,
    clerk_id: int,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """指派 a window clerk of the hall's region (a clerk may take it herself)."""
    moment = now or clock.now()
    with transaction.atomic():
        request = _move(
            request_id,
            "assign",
            staff,
            moment,
            expected_version,
            scope_check=lambda r: _staff_of_hall(staff, r.hall_id),
        )
        clerk = request_selectors.clerks_for_hall(request.hall).filter(pk=clerk_id).first()
        if clerk is None:
            raise DomainError(
                errors.REQUEST_CLERK_INVALID,
                "只能指派该服务点所在区划的窗口人员。",
                fields=[{"field": "clerk_id"}],
            )
        request.clerk = clerk
        request.save(update_fields=["status", "changed_at", "version", "clerk"])
        _audit(request, "assign", staff, moment, clerk=clerk.pk)
    return request


def service_request_complete(
    *,
    request_id: int,
    clerk: Any,
    note: str = "",
    case_no: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """办结 by the assigned clerk, with the case taken in on the person's behalf, if any."""
    from tongban.cases.selectors import case_get_for_staff

    moment = now or clock.now()
    case = case_get_for_staff(user=clerk, case_no=case_no.strip()) if case_no.strip() else None
    note = " ".join((note or "").split())[:500]

    def mine(request: ServiceRequest) -> None:
        if request.clerk_id != clerk.pk:
            raise DomainError(errors.REQUEST_NOT_FOUND, "申请不存在，或未指派给您。")

    with transaction.atomic():
        request = _move(request_id, "complete", clerk, moment, expected_version, note, mine)
        request.case = case
        request.answer = note
        request.save(update_fields=["status", "changed_at", "version", "case", "answer"])
        _audit(request, "complete", clerk, moment, case=case.case_no if case else "")
    return request


def service_request_decline(
    *,
    request_id: int,
    staff: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """不予办理, with the reason the person is shown."""
    moment = now or clock.now()
    reason = _text(reason, field="reason", label="不予办理的理由", least=4, most=500)
    with transaction.atomic():
        request = _move(
            request_id,
            "decline",
            staff,
            moment,
            expected_version,
            reason,
            scope_check=lambda r: _staff_of_hall(staff, r.hall_id),
        )
        request.answer = reason
        request.save(update_fields=["status", "changed_at", "version", "answer"])
        _audit(request, "decline", staff, moment)
    return request


def service_request_cancel(
    *, person: Any, code: str, now: dt.datetime | None = None
) -> ServiceRequest:
    """撤销 by the person who asked (again: unchanged)."""
    moment = now or clock.now()
    found = ServiceRequest.objects.filter(person=person, code=code.strip()[:20]).first()
    if found is None:
        raise DomainError(errors.REQUEST_NOT_FOUND, "没有找到您的这项申请。")
    if found.status == RequestStatus.CANCELLED:
        return found
    with transaction.atomic():
        request = _move(found.pk, "cancel", person, moment, None)
        request.save(update_fields=["status", "changed_at", "version"])
        _audit(request, "cancel", person, moment)
    return request
