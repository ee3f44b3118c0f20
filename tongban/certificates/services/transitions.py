"""注销, 吊销 and 撤销: one service per transition (workflow.TRANSITIONS)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.certificates import errors, workflow
from tongban.certificates.models import Certificate, CertificateStatus
from tongban.certificates.services._common import actor_label, history, reason_required
from tongban.core import clock, events
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError


def _transition(
    *,
    certificate_id: int,
    action: str,
    actor: Any,
    reason: str,
    legal_basis: str,
    now: dt.datetime | None,
) -> Certificate:
    moment = now or clock.now()
    label = workflow.ACTION_LABELS[action]
    text = reason_required(reason, f"{label}电子证照")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
        if certificate is None:
            raise DomainError(errors.NOT_FOUND, "未找到该电子证照。")
        to = workflow.target(action, certificate.status)
        if to is None:
            raise DomainError(
                errors.INVALID_TRANSITION,
                f"电子证照当前为“{CertificateStatus(certificate.status).label}”，不能{label}。",
                extra={"status": certificate.status, "action": action},
            )
        frm = certificate.status
        certificate.status = to
        certificate.status_reason = text
        certificate.status_changed_at = moment
        certificate.save(update_fields=["status", "status_reason", "status_changed_at"])
        details = {"legal_basis": legal_basis.strip()[:500]} if legal_basis.strip() else {}
        history(
            certificate,
            action=action,
            actor=actor,
            now=moment,
            frm=frm,
            to=to,
            reason=text,
            details=details,
        )
        events.emit(
            f"certificate.{action}",
            {"identifier": certificate.identifier, "from": frm, "to": to},
            now=moment,
        )
        audit_record(
            actor=actor_label(actor),
            action=f"certificates.{action}",
            object_type="certificate",
            object_id=certificate.identifier,
            details={"from": frm, "to": to, "reason": text, **details},
            now=moment,
        )
    return certificate


def certificate_cancel(
    *,
    certificate_id: int,
    actor: Any,
    reason: str,
    legal_basis: str = "",
    now: dt.datetime | None = None,
) -> Certificate:
    """注销 (行政许可法 第七十条): ended without fault."""
    return _transition(
        certificate_id=certificate_id,
        action="cancel",
        actor=actor,
        reason=reason,
        legal_basis=legal_basis,
        now=now,
    )


def certificate_revoke(
    *,
    certificate_id: int,
    actor: Any,
    reason: str,
    legal_basis: str = "",
    now: dt.datetime | None = None,
) -> Certificate:
    """吊销 (行政处罚法 第九条): taken away as a penalty."""
    return _transition(
        certificate_id=certificate_id,
        action="revoke",
        actor=actor,
        reason=reason,
        legal_basis=legal_basis,
        now=now,
    )


def certificate_annul(
    *,
    certificate_id: int,
    actor: Any,
    reason: str,
    legal_basis: str = "",
    now: dt.datetime | None = None,
) -> Certificate:
    """撤销 (行政许可法 第六十九条): the grant itself was unlawful."""
    return _transition(
        certificate_id=certificate_id,
        action="annul",
        actor=actor,
        reason=reason,
        legal_basis=legal_basis,
        now=now,
    )
