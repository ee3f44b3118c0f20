"""Reads of electronic certificates (CONVENTIONS 2, 5).

Public verification shows only what the certificate's face makes public,
masked; holders read their own by holder key; staff read through
``services.wallet.certificate_read_for_staff`` (it records the read).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from tongban.certificates import errors, offline
from tongban.certificates.holders import holder_of, mask_holder_name
from tongban.certificates.identifiers import identifier_parse
from tongban.certificates.models import (
    EXPIRED_LABEL,
    Certificate,
    CertificateAccess,
    CertificateStatus,
    CertificateType,
    KeyStatus,
    KeyUse,
    SigningKey,
    UseAuthorization,
)
from tongban.certificates.services._common import certificate_type_resolve
from tongban.core.errors import DomainError

QR_ERRORS = {
    "certificate_qr_malformed": errors.QR_MALFORMED,
    "certificate_key_unknown": errors.KEY_UNKNOWN,
    "certificate_signature_invalid": errors.SIGNATURE_INVALID,
}


def status_label(certificate: Certificate, today: dt.date) -> tuple[str, str]:
    """(code, label) as verification shows it: ``expired`` is derived."""
    if (
        certificate.status == CertificateStatus.VALID
        and certificate.valid_until
        and today > certificate.valid_until
    ):
        return "expired", EXPIRED_LABEL
    return certificate.status, CertificateStatus(certificate.status).label


@dataclass(frozen=True)
class Verification:
    """The public answer about one certificate: no more than its public face."""

    identifier: str
    verified: bool  # valid and in date: may be relied on today
    status: str
    status_label: str
    type_name: str
    holder_masked: str
    issuer: str
    issuer_code: str
    valid_from: dt.date
    valid_until: dt.date | None
    version: int
    face: dict[str, str]
    pdf_sha256: str
    key_id: str
    algorithm: str
    replaced_by: str = ""
    status_changed_on: dt.date | None = None
    signature_checked: bool = False
    notes: list[str] = field(default_factory=list)


def _verification(
    certificate: Certificate, today: dt.date, *, signature_checked: bool
) -> Verification:
    code, label = status_label(certificate, today)
    return Verification(
        identifier=certificate.identifier,
        verified=code == CertificateStatus.VALID,
        status=code,
        status_label=label,
        type_name=certificate.certificate_type.name,
        holder_masked=mask_holder_name(certificate.holder_kind, certificate.holder_name),
        issuer=certificate.issuing_department.name,
        issuer_code=certificate.issuing_department.credit_code,
        valid_from=certificate.valid_from,
        valid_until=certificate.valid_until,
        version=certificate.version,
        face=dict(certificate.face_public),
        pdf_sha256=certificate.pdf_sha256,
        key_id=certificate.key_id,
        algorithm=certificate.algorithm,
        replaced_by=certificate.superseded_by.identifier if certificate.superseded_by else "",
        status_changed_on=certificate.status_changed_at.date()
        if certificate.status_changed_at
        else None,
        signature_checked=signature_checked,
    )


def _by_identifier(identifier: str) -> Certificate:
    parsed = identifier_parse(identifier)
    certificate = (
        Certificate.objects.select_related(
            "certificate_type", "issuing_department", "superseded_by"
        )
        .filter(identifier=str(parsed))
        .first()
    )
    if certificate is None:
        raise DomainError(
            errors.NOT_FOUND, "未找到该电子证照：标识格式正确，但平台没有签发过此证照。"
        )
    return certificate


def certificate_verify(*, identifier: str, today: dt.date) -> Verification:
    """Online verification by identifier (no login). A malformed identifier, a
    wrong check character or an unknown one is a 4xx with its code."""
    return _verification(_by_identifier(identifier), today, signature_checked=False)


def published_key_map() -> dict[str, offline.PublishedKey]:
    return {
        k.key_id: offline.PublishedKey(
            key_id=k.key_id,
            algorithm=k.algorithm,
            public_key=bytes.fromhex(k.public_key),
            status=k.status,
            department=k.department.name,
        )
        for k in published_keys()
        if k.use == KeyUse.QR
    }


def certificate_verify_qr(*, payload: str, today: dt.date) -> Verification:
    """Verification of a scanned QR: the signature against the published keys
    (as offline), then the status online. A revoked certificate never verifies."""
    try:
        claims = offline.verify_qr(payload, published_key_map())
    except offline.QrError as exc:
        raise DomainError(QR_ERRORS.get(exc.code, errors.QR_INVALID), exc.detail) from None
    certificate = _by_identifier(claims.identifier)
    if certificate.key_id != claims.key_id:
        raise DomainError(errors.SIGNATURE_INVALID, "二维码签名与平台记录的证照不符。")
    return _verification(certificate, today, signature_checked=True)


def published_keys() -> QuerySet[SigningKey]:
    """Every key a verifier needs: in use, rotated (still verify) and revoked
    (listed so that offline verifiers learn not to trust them)."""
    return SigningKey.objects.select_related("department").order_by(
        "department_id", "use", "created_at", "id"
    )


def certificate_type_list() -> QuerySet[CertificateType]:
    return CertificateType.objects.filter(active=True).order_by("code")


def certificate_find_valid(
    *, type_name_or_code: str, holder_person: Any = None, holder_entity: Any = None, today: dt.date
) -> Certificate | None:
    """The holder's newest certificate of this type that is valid and in date
    today, or None (intake's "两个免于提交"). An unknown type is None, not an error:
    intake then asks for the upload."""
    try:
        kind = certificate_type_resolve(type_name_or_code)
        holder = holder_of(person=holder_person, entity=holder_entity)
    except DomainError:
        return None
    return (
        Certificate.objects.filter(
            holder_key=holder.key,
            certificate_type=kind,
            status=CertificateStatus.VALID,
            valid_from__lte=today,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("certificate_type", "issuing_department")
        .order_by("-issued_at", "-id")
        .first()
    )


def certificate_list_for_holder(*, holder_keys: list[str]) -> QuerySet[Certificate]:
    """The wallet: every version the holder was issued, newest first."""
    return (
        Certificate.objects.filter(holder_key__in=holder_keys)
        .select_related("certificate_type", "issuing_department")
        .order_by("-issued_at", "-id")
    )


def certificate_get_for_holder(*, identifier: str, holder_keys: list[str]) -> Certificate:
    """One of the holder's certificates; another's is "not found"."""
    certificate = (
        certificate_list_for_holder(holder_keys=holder_keys).filter(identifier=identifier).first()
    )
    if certificate is None:
        raise DomainError(errors.NOT_FOUND, "未找到该电子证照。")
    return certificate


def accesses_for_holder(*, holder_keys: list[str]) -> QuerySet[CertificateAccess]:
    """Who read the holder's certificates, when, for which case and why."""
    return (
        CertificateAccess.objects.filter(holder_key__in=holder_keys)
        .select_related("certificate__certificate_type", "department")
        .order_by("-at", "-id")
    )


def authorizations_for_holder(*, holder_keys: list[str]) -> QuerySet[UseAuthorization]:
    return (
        UseAuthorization.objects.filter(holder_key__in=holder_keys)
        .select_related("certificate__certificate_type", "department")
        .order_by("-created_at", "-id")
    )


def key_status_label(status: str) -> str:
    return KeyStatus(status).label


# Roles that may end a certificate of their department (注销、吊销、撤销).
MANAGE_ROLES = ("reviewer", "department_head")


def certificate_list_for_staff(*, user: Any) -> QuerySet[Certificate]:
    """Certificates issued by departments in the staff member's scope (SQL)."""
    from tongban.org.selectors import scope_q, staff_scope_for

    scope = staff_scope_for(user=user)
    return (
        Certificate.objects.filter(
            scope_q(
                scope=scope,
                region_path_field="issuing_department__region__path",
                department_field="issuing_department",
            )
        )
        .select_related("certificate_type", "issuing_department")
        .order_by("-issued_at", "-id")
    )


def certificate_get_for_issuer(*, user: Any, identifier: str) -> Certificate:
    """One certificate the staff member may manage: issued by a department in
    the scope of her reviewer or department-head role. Else "not found"."""
    from tongban.org.selectors import scope_q, staff_scope_for

    scope = staff_scope_for(user=user).for_roles(*MANAGE_ROLES)
    certificate = (
        Certificate.objects.filter(
            scope_q(
                scope=scope,
                region_path_field="issuing_department__region__path",
                department_field="issuing_department",
            ),
            identifier=(identifier or "").strip().upper(),
        )
        .select_related("certificate_type", "issuing_department")
        .first()
    )
    if certificate is None:
        raise DomainError(errors.NOT_FOUND, "未找到该电子证照，或不在您的管理范围内。")
    return certificate
