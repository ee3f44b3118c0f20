"""What every certificate service shares: history, audit, the type look-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from tongban.certificates import errors
from tongban.certificates.models import Certificate, CertificateEvent, CertificateType
from tongban.core.audit import actor_label as audit_actor_label
from tongban.core.errors import DomainError


def actor_label(actor: Any) -> str:
    name = getattr(actor, "display_name", "") or getattr(actor, "username", "")
    return f"{audit_actor_label(actor)} {name}".strip()


def history(
    certificate: Certificate,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    frm: str = "",
    to: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    CertificateEvent.objects.create(
        certificate=certificate,
        at=now,
        actor_label=actor_label(actor),
        action=action,
        from_status=frm,
        to_status=to,
        reason=reason,
        details=details or {},
    )


def reason_required(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(errors.REASON_REQUIRED, f"{what}须写明理由。")
    return text[:2000]


def certificate_type_resolve(value: CertificateType | str) -> CertificateType:
    """A type given as itself, its code, its name or one of its aliases
    (the catalogue's ``result_certificate_type`` names)."""
    if isinstance(value, CertificateType):
        return value
    text = (value or "").strip()
    found = (
        CertificateType.objects.filter(Q(code=text.upper()) | Q(name=text)).first()
        if text
        else None
    )
    if found is None and text:
        for candidate in CertificateType.objects.exclude(aliases=[]).only("id", "aliases"):
            if text in (candidate.aliases or []):
                found = CertificateType.objects.get(pk=candidate.pk)
                break
    if found is None:
        raise DomainError(errors.TYPE_NOT_FOUND, f"电子证照目录中没有“{text[:60]}”这一证照类型。")
    return found
