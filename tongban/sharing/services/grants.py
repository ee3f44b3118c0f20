"""Sharing applications (共享申请) and grants: request, approve, refuse, withdraw, revoke.

Each transition locks the application row, checks ``workflow.TRANSITIONS``
and the actor's role in the acting department, writes the new state, appends
a history row and an audit event. ``actor=None`` is the system (demo loading).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.org.models import Department
from tongban.sharing import errors, workflow
from tongban.sharing.models import (
    AccessGrant,
    DataResource,
    GrantStatus,
    ResourceField,
    SharingType,
)
from tongban.sharing.services._common import grant_audit, grant_history, holds_role_in

_TEXT_MAX = 2000


def _text(value: str, label: str, *, required: bool = True, limit: int = _TEXT_MAX) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(errors.GRANT_INVALID, f"须写明{label}")
    if len(text) > limit:
        raise DomainError(errors.GRANT_INVALID, f"{label}不能超过 {limit} 字")
    return text


def _fields_of(resource: DataResource, codes: Iterable[str], *, label: str) -> list[ResourceField]:
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        raise DomainError(errors.GRANT_INVALID, f"须选择{label}")
    found = {f.code: f for f in ResourceField.objects.filter(resource=resource, code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise DomainError(
            errors.GRANT_INVALID, f"数据资源 {resource.code} 没有信息项：{'、'.join(unknown)}"
        )
    return [found[c] for c in wanted]


def _answer_due(today: dt.date) -> dt.date | None:
    try:
        return get_calendar().add_working_days(today, workflow.ANSWER_WORKING_DAYS)
    except DomainError:  # a year without calendar data: no due date rather than a guess
        return None


def access_grant_request(
    *,
    resource: DataResource,
    consumer_department: Department,
    purpose: str,
    legal_basis: str,
    field_codes: Iterable[str],
    requested_until: dt.date | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> AccessGrant:
    """Apply for a 有条件共享 resource (国发〔2016〕51号 第十四条)."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    if actor is not None and not holds_role_in(actor, consumer_department, workflow.APPLY_ROLES):
        raise DomainError(errors.NOT_APPLICANT, "只有使用部门的部门负责人可以提出共享申请。")
    if not resource.active:
        raise DomainError(errors.GRANT_INVALID, "该数据资源已停用")
    if resource.sharing_type == SharingType.NONE:
        raise DomainError(
            errors.NOT_SHAREABLE,
            f"“{resource.name}”为不予共享资源：{resource.sharing_condition or '依法不予共享'}",
        )
    if resource.sharing_type == SharingType.UNCONDITIONAL:
        raise DomainError(
            errors.GRANT_INVALID, "无条件共享资源无需申请，各部门可直接通过共享平台获取。"
        )
    if resource.provider_id == consumer_department.pk:
        raise DomainError(errors.GRANT_INVALID, "本部门提供的数据资源无需申请。")
    purpose = _text(purpose, "用途")
    legal_basis = _text(legal_basis, "使用依据", limit=500)
    if requested_until is not None and requested_until < today:
        raise DomainError(errors.GRANT_INVALID, "申请使用期限不能早于今天")
    fields = _fields_of(resource, field_codes, label="申请的信息项")
    try:
        with transaction.atomic():
            grant = AccessGrant.objects.create(
                resource=resource,
                consumer=consumer_department,
                status=GrantStatus.REQUESTED,
                purpose=purpose,
                legal_basis=legal_basis,
                requested_until=requested_until,
                requested_by=actor if getattr(actor, "pk", None) else None,
                requested_at=moment,
                answer_due_on=_answer_due(today),
            )
            grant.requested_fields.set(fields)
            codes = [f.code for f in fields]
            grant_history(
                grant, action="request", actor=actor, now=moment, to=GrantStatus.REQUESTED,
                reason=purpose, details={"fields": codes},
            )  # fmt: skip
            grant_audit(grant, action="requested", actor=actor, now=moment, fields=codes)
    except IntegrityError:
        raise DomainError(
            errors.GRANT_PENDING, "本部门对该资源已有待审核的申请，请等待提供部门答复。"
        ) from None
    return grant


def _locked(grant: AccessGrant, action: str, expected_version: int | None) -> AccessGrant:
    locked = (
        AccessGrant.objects.select_for_update()
        .select_related("resource", "consumer")
        .get(pk=grant.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise DomainError(errors.VERSION_MISMATCH, "共享申请已被他人处理，请刷新后再操作。")
    if workflow.target(action, locked.status) is None:
        raise DomainError(
            errors.INVALID_TRANSITION,
            f"共享申请当前为“{GrantStatus(locked.status).label}”，不能"
            f"{workflow.ACTION_LABELS[action]}。",
        )
    return locked


def _check_actor(actor: Any, grant: AccessGrant, action: str) -> None:
    if actor is None:
        return
    if action in workflow.PROVIDER_ACTIONS:
        if not holds_role_in(actor, grant.resource.provider, workflow.DECIDE_ROLES):
            raise DomainError(errors.NOT_PROVIDER, "只有提供部门的部门负责人可以审核或撤销授权。")
    elif not holds_role_in(actor, grant.consumer, workflow.APPLY_ROLES):
        raise DomainError(errors.NOT_APPLICANT, "只有使用部门的部门负责人可以撤回申请。")


def _transition(
    grant: AccessGrant,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    reason: str,
    expected_version: int | None,
    apply: Any = None,
    details: dict[str, Any] | None = None,
) -> AccessGrant:
    with transaction.atomic():
        locked = _locked(grant, action, expected_version)
        _check_actor(actor, locked, action)
        frm = locked.status
        locked.status = workflow.target(action, frm) or frm
        locked.version += 1
        update = ["status", "version"]
        if apply is not None:
            update += apply(locked)
        locked.save(update_fields=update)
        grant_history(
            locked, action=action, actor=actor, now=now, frm=frm, to=locked.status,
            reason=reason, details=details,
        )  # fmt: skip
        grant_audit(locked, action=action, actor=actor, now=now, **(details or {}))
    return locked


def access_grant_approve(
    *,
    grant: AccessGrant,
    field_codes: Iterable[str],
    valid_until: dt.date,
    reason: str = "",
    actor: Any = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> AccessGrant:
    """Grant some or all of the requested fields until ``valid_until`` (inclusive)."""
    moment = now or clock.now()
    if valid_until < clock.local_date(moment):
        raise DomainError(errors.GRANT_INVALID, "授权有效期不能早于今天")
    reason = _text(reason, "审核意见", required=False)
    fields = _fields_of(grant.resource, field_codes, label="授权的信息项")
    requested = set(grant.requested_fields.values_list("code", flat=True))
    beyond = [f.code for f in fields if f.code not in requested]
    if beyond:
        raise DomainError(errors.GRANT_INVALID, f"不能授权未申请的信息项：{'、'.join(beyond)}")
    codes = [f.code for f in fields]

    def apply(locked: AccessGrant) -> list[str]:
        locked.granted_fields.set(fields)
        locked.valid_until = valid_until
        locked.decided_by = actor if getattr(actor, "pk", None) else None
        locked.decided_at = moment
        locked.decision_reason = reason
        return ["valid_until", "decided_by", "decided_at", "decision_reason"]

    return _transition(
        grant, action="approve", actor=actor, now=moment, reason=reason,
        expected_version=expected_version, apply=apply,
        details={"fields": codes, "valid_until": valid_until.isoformat()},
    )  # fmt: skip


def access_grant_refuse(
    *,
    grant: AccessGrant,
    reason: str,
    actor: Any = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> AccessGrant:
    """Refuse an application; the reason is required (国发〔2016〕51号 第十四条)."""
    moment = now or clock.now()
    reason = _text(reason, "不予共享的理由")

    def apply(locked: AccessGrant) -> list[str]:
        locked.decided_by = actor if getattr(actor, "pk", None) else None
        locked.decided_at = moment
        locked.decision_reason = reason
        return ["decided_by", "decided_at", "decision_reason"]

    return _transition(
        grant, action="refuse", actor=actor, now=moment, reason=reason,
        expected_version=expected_version, apply=apply,
    )  # fmt: skip


def access_grant_withdraw(
    *,
    grant: AccessGrant,
    reason: str = "",
    actor: Any = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> AccessGrant:
    moment = now or clock.now()
    reason = _text(reason, "撤回理由", required=False)
    return _transition(
        grant, action="withdraw", actor=actor, now=moment, reason=reason,
        expected_version=expected_version,
    )  # fmt: skip


def access_grant_revoke(
    *,
    grant: AccessGrant,
    reason: str,
    actor: Any = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> AccessGrant:
    """End an approved grant before its term; calls are refused from now on."""
    moment = now or clock.now()
    reason = _text(reason, "撤销理由")

    def apply(locked: AccessGrant) -> list[str]:
        locked.revoked_at = moment
        locked.revoke_reason = reason
        return ["revoked_at", "revoke_reason"]

    return _transition(
        grant, action="revoke", actor=actor, now=moment, reason=reason,
        expected_version=expected_version, apply=apply,
    )  # fmt: skip
