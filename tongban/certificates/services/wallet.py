"""The holder's wallet (电子证照夹): use authorizations, and every staff read logged.

Staff read a certificate only on a basis the holder can see: her
authorization (用证授权: which department, which case or purpose, until
when; revocable) or the case the certificate serves (intake's "免于提交").
Every read appends a ``CertificateAccess`` row (who, when, department, case,
purpose, basis) and an audit event; the holder sees the rows in the wallet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q

from tongban.certificates import errors
from tongban.certificates.models import (
    AccessBasis,
    Certificate,
    CertificateAccess,
    UseAuthorization,
)
from tongban.certificates.services._common import actor_label
from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.org.models import Department, StaffAssignment

MAX_AUTHORIZATION_DAYS = 366


def use_authorization_grant(
    *,
    certificate: Certificate,
    holder_keys: list[str],
    department: Department,
    purpose: str,
    valid_until: dt.datetime,
    case_no: str = "",
    actor: Any,
    now: dt.datetime | None = None,
) -> UseAuthorization:
    """用证授权 by the holder (``holder_keys``: what the portal user may act for)."""
    moment = now or clock.now()
    if certificate.holder_key not in holder_keys:
        raise DomainError(errors.NOT_FOUND, "未找到该电子证照。")
    purpose = (purpose or "").strip()
    problems = []
    if not purpose:
        problems.append({"field": "purpose", "code": "required", "message": "请写明用途"})
    if len(purpose) > 200:
        problems.append({"field": "purpose", "code": "too_long", "message": "用途不能超过 200 字"})
    if valid_until <= moment:
        problems.append(
            {"field": "valid_until", "code": "past", "message": "授权截止时间须晚于现在"}
        )
    elif valid_until > moment + dt.timedelta(days=MAX_AUTHORIZATION_DAYS):
        problems.append(
            {"field": "valid_until", "code": "too_far", "message": "授权期限不能超过一年"}
        )
    case_no = (case_no or "").strip()
    if len(case_no) > 24:
        problems.append({"field": "case_no", "code": "too_long", "message": "办件编号过长"})
    if problems:
        raise DomainError(
            errors.AUTHORIZATION_INVALID,
            "用证授权填写有误：" + "；".join(p["message"] for p in problems) + "。",
            fields=problems,
        )
    with transaction.atomic():
        grant = UseAuthorization.objects.create(
            certificate=certificate,
            holder_key=certificate.holder_key,
            department=department,
            case_no=case_no,
            purpose=purpose,
            valid_until=valid_until,
            created_at=moment,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor_label(actor),
            action="certificates.authorize",
            object_type="certificate",
            object_id=certificate.identifier,
            details={"department": department.pk, "case_no": case_no, "until": valid_until},
            now=moment,
        )
    return grant


def use_authorization_revoke(
    *, authorization_id: int, holder_keys: list[str], actor: Any, now: dt.datetime | None = None
) -> UseAuthorization:
    """The holder withdraws an authorization (kept, marked revoked)."""
    moment = now or clock.now()
    with transaction.atomic():
        grant = (
            UseAuthorization.objects.select_for_update()
            .filter(pk=authorization_id, holder_key__in=holder_keys)
            .first()
        )
        if grant is None:
            raise DomainError(errors.NOT_FOUND, "未找到该用证授权。")
        if grant.revoked_at is None:
            grant.revoked_at = moment
            grant.revoked_by = actor if getattr(actor, "pk", None) else None
            grant.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(
                actor=actor_label(actor),
                action="certificates.authorization_revoke",
                object_type="use_authorization",
                object_id=str(grant.pk),
                now=moment,
            )
    return grant


def _log(
    certificate: Certificate,
    *,
    reader: Any,
    department: Department | None,
    basis: str,
    purpose: str,
    case_no: str,
    authorization: UseAuthorization | None,
    now: dt.datetime,
) -> CertificateAccess:
    access = CertificateAccess.objects.create(
        certificate=certificate,
        holder_key=certificate.holder_key,
        at=now,
        reader=reader if getattr(reader, "pk", None) else None,
        reader_label=actor_label(reader),
        department=department,
        basis=basis,
        authorization=authorization,
        case_no=case_no[:24],
        purpose=purpose[:200],
    )
    audit_record(
        actor=actor_label(reader),
        action="certificates.read",
        object_type="certificate",
        object_id=certificate.identifier,
        details={"basis": basis, "case_no": case_no, "department": getattr(department, "pk", None)},
        now=now,
    )
    return access


def certificate_read_for_staff(
    *,
    identifier: str,
    user: Any,
    purpose: str,
    case_no: str = "",
    now: dt.datetime | None = None,
) -> Certificate:
    """A staff read through the holder's authorization for one of the user's
    departments (and, if the authorization names a case, that case). Logged.
    No authorization: ``certificate_access_denied``; only expired or revoked
    ones: ``certificate_authorization_expired``."""
    moment = now or clock.now()
    purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError(errors.AUTHORIZATION_INVALID, "查看电子证照须写明用途。")
    departments = list(
        StaffAssignment.objects.filter(
            user_id=getattr(user, "pk", 0) or 0, active=True
        ).values_list("department_id", flat=True)
    )
    certificate = (
        Certificate.objects.select_related("certificate_type", "issuing_department")
        .filter(identifier=(identifier or "").strip().upper())
        .first()
    )
    if certificate is None or not departments:
        raise DomainError(errors.NOT_FOUND, "未找到该电子证照。")
    grants = UseAuthorization.objects.filter(certificate=certificate, department_id__in=departments)
    if case_no:
        grants = grants.filter(Q(case_no="") | Q(case_no=case_no))
    usable = (
        grants.filter(revoked_at__isnull=True, valid_until__gt=moment)
        .select_related("department")
        .order_by("-created_at")
        .first()
    )
    if usable is None:
        if grants.exists():
            raise DomainError(errors.AUTHORIZATION_EXPIRED, "持证人的用证授权已过期或已撤销。")
        raise DomainError(errors.ACCESS_DENIED, "持证人未授权您的部门使用该电子证照。")
    with transaction.atomic():
        _log(
            certificate,
            reader=user,
            department=usable.department,
            basis=AccessBasis.AUTHORIZATION,
            purpose=purpose,
            case_no=case_no or usable.case_no,
            authorization=usable,
            now=moment,
        )
    return certificate


def certificate_read_for_case(
    *,
    certificate: Certificate,
    reader: Any,
    department: Department,
    case_no: str,
    purpose: str,
    now: dt.datetime | None = None,
) -> CertificateAccess:
    """Record a read on the basis of the case the certificate serves (called
    by ``cases`` after its own scoped look-up of the case: intake's 免于提交,
    the clerk opening the exempted material)."""
    if not (case_no or "").strip():
        raise DomainError(errors.AUTHORIZATION_INVALID, "按办件查看电子证照须有办件编号。")
    moment = now or clock.now()
    with transaction.atomic():
        return _log(
            certificate,
            reader=reader,
            department=department,
            basis=AccessBasis.CASE,
            purpose=(purpose or "办件受理核验").strip(),
            case_no=case_no.strip(),
            authorization=None,
            now=moment,
        )
