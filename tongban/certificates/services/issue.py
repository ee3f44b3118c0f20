"""签发 and 变更: a certificate's first version and each new one.

``certificate_issue`` is what ``cases.case_decide`` calls for a granted case
whose guide names a ``result_certificate_type``. It runs in the caller's
transaction (its own ``atomic`` block nests as a savepoint) and renders the
sealed PDF there, so a rolled-back decision leaves no certificate row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from tongban.certificates import errors, offline, workflow
from tongban.certificates.face import face_clean, face_decrypt, face_encrypt, face_public, face_rows
from tongban.certificates.holders import PERSON_ID_CONTEXT, Holder, holder_of, mask_holder_name
from tongban.certificates.identifiers import identifier_make, identifier_parse
from tongban.certificates.keys import sign_with, signing_key_active
from tongban.certificates.models import (
    Certificate,
    CertificateSerial,
    CertificateStatus,
    CertificateType,
    HolderKind,
    KeyUse,
    ValidityKind,
)
from tongban.certificates.pdf import CertificateSheet, chinese_date, render_certificate, seal_box
from tongban.certificates.seal import seal_enabled, seal_pdf
from tongban.certificates.services._common import (
    actor_label,
    certificate_type_resolve,
    history,
    reason_required,
)
from tongban.core import clock, events
from tongban.core.audit import audit_record
from tongban.core.counters import counter_next
from tongban.core.crypto import decrypt
from tongban.core.errors import DomainError
from tongban.org.models import Department

CERTIFICATE_ISSUED = "certificate.issued"


def validity_until(
    certificate_type: CertificateType, valid_from: dt.date, given: dt.date | None
) -> dt.date | None:
    """The last valid day under the type's rule (None: 长期)."""
    if certificate_type.validity_kind == ValidityKind.LONG_TERM:
        return given
    if certificate_type.validity_kind == ValidityKind.YEARS:
        years = certificate_type.validity_years or 1
        try:
            end = valid_from.replace(year=valid_from.year + years)
        except ValueError:  # 29 February
            end = valid_from.replace(year=valid_from.year + years, day=28)
        return end - dt.timedelta(days=1)
    if given is None:
        raise DomainError(errors.VALIDITY_INVALID, f"{certificate_type.name}须写明有效期截止日期。")
    return given


def validity_text(valid_from: dt.date, valid_until: dt.date | None) -> str:
    if valid_until is None:
        return f"自{chinese_date(valid_from)}起长期有效"
    return f"{chinese_date(valid_from)}至{chinese_date(valid_until)}"


def verification_url(payload: str) -> str:
    base = str(settings.TONGBAN_PUBLIC_BASE_URL).rstrip("/")
    return f"{base}{reverse('portal:certificate_verify')}?p={payload}"


def qr_payload(certificate: Certificate, *, now: dt.datetime) -> tuple[str, str, str]:
    """(payload, key id, algorithm): the signed claims of ``certificate``."""
    key = signing_key_active(department=certificate.issuing_department, use=KeyUse.QR, now=now)
    claims = {
        "a": key.algorithm,
        "k": key.key_id,
        "id": certificate.identifier,
        "t": certificate.certificate_type.name,
        "h": mask_holder_name(certificate.holder_kind, certificate.holder_name),
        "o": certificate.issuing_department.credit_code,
        "f": certificate.valid_from.isoformat(),
        "u": certificate.valid_until.isoformat() if certificate.valid_until else "",
    }
    body = offline.canonical_body(claims)
    signature = sign_with(key, offline.DOMAIN + body)
    payload = f"{offline.PREFIX}.{offline.b64url(body)}.{offline.b64url(signature)}"
    return payload, key.key_id, key.algorithm


def _render_and_store(certificate: Certificate, face: dict[str, str], *, now: dt.datetime) -> None:
    from reportlab.lib.pagesizes import A4

    sheet = CertificateSheet(
        title=certificate.certificate_type.name,
        identifier=certificate.identifier,
        number=certificate.number,
        holder_label="持证人" if certificate.holder_kind == HolderKind.PERSON else "持证单位",
        holder_name=certificate.holder_name,
        holder_code=certificate.holder_code_masked,
        rows=face_rows(certificate.certificate_type, face),
        validity=validity_text(certificate.valid_from, certificate.valid_until),
        issuer=certificate.issuing_department.name,
        issued_on=clock.local_date(certificate.issued_at),
        qr_text=verification_url(certificate.qr_payload),
        version=certificate.version,
    )
    pdf = render_certificate(sheet)
    if seal_enabled():
        pdf = seal_pdf(
            pdf, department=certificate.issuing_department, box=seal_box(A4[0]), page=0, now=now
        )
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.pdf.save(
        f"{certificate.lineage[-31:]}-v{certificate.version}-{secrets.token_hex(4)}.pdf",
        ContentFile(pdf),
        save=False,
    )


def _create(
    *,
    certificate_type: CertificateType,
    holder: Holder,
    face: dict[str, str],
    department: Department,
    identifier: str,
    version: int,
    valid_from: dt.date,
    valid_until: dt.date | None,
    source_case_no: str,
    imported: bool,
    now: dt.datetime,
) -> Certificate:
    parsed = identifier_parse(identifier)
    certificate = Certificate(
        identifier=identifier,
        lineage=parsed.lineage,
        version=version,
        certificate_type=certificate_type,
        issuing_department=department,
        holder_kind=holder.kind,
        holder_key=holder.key,
        holder_person=holder.person,
        holder_entity=holder.entity,
        holder_name=holder.name,
        holder_code_masked=holder.code_masked,
        face_enc=face_encrypt(face),
        face_public=face_public(certificate_type, face),
        number=face.get("number", "")[:80],
        valid_from=valid_from,
        valid_until=valid_until,
        issued_at=now,
        source_case_no=(source_case_no or "")[:24],
        imported=imported,
        created_at=now,
    )
    certificate.qr_payload, certificate.key_id, certificate.algorithm = qr_payload(
        certificate, now=now
    )
    _render_and_store(certificate, face, now=now)
    certificate.save()
    return certificate


def next_identifier(certificate_type: CertificateType, department: Department, year: int) -> str:
    number = counter_next(
        CertificateSerial,
        key={
            "type_code": certificate_type.code,
            "issuer_code": department.credit_code,
            "year": year,
        },
    )
    return identifier_make(
        type_code=certificate_type.code,
        issuer_code=department.credit_code,
        year=year,
        number=number,
        version=1,
    )


def _with_holder_fields(face: dict[str, Any], holder: Holder) -> dict[str, Any]:
    """The face with the holder's own fields filled where the caller left them
    out (a case's form need not repeat the applicant's name and number)."""
    if not isinstance(face, dict):
        return face
    filled = dict(face)
    if holder.kind == HolderKind.ENTITY:
        defaults = {"entity_name": holder.name, "credit_code": holder.code_masked}
    else:
        defaults = {"applicant_name": holder.name}
        enc = getattr(holder.person, "id_number_enc", "")
        if enc and not filled.get("applicant_id_number"):
            defaults["applicant_id_number"] = decrypt(enc, context=PERSON_ID_CONTEXT)
    for key, value in defaults.items():
        if not str(filled.get(key) or "").strip():
            filled[key] = value
    return filled


def _check_issuer(certificate_type: CertificateType, department: Department) -> None:
    allowed = list(certificate_type.issuing_departments.values_list("pk", flat=True))
    if allowed and department.pk not in allowed:
        raise DomainError(
            errors.ISSUER_NOT_ALLOWED, f"{department.name}不是{certificate_type.name}的颁发机关。"
        )


def certificate_issue(
    *,
    certificate_type: CertificateType | str,
    holder_person: Any = None,
    holder_entity: Any = None,
    face: dict[str, Any],
    issuing_department: Department,
    source_case_no: str = "",
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    actor: Any = None,
    imported: bool = False,
    now: dt.datetime | None = None,
) -> Certificate:
    """签发: a new certificate of ``certificate_type`` (the type, its code,
    name or alias) to a person or a legal entity, signed by the issuing
    department's key, with its sealed PDF; history, audit and the
    ``certificate.issued`` event in the caller's transaction."""
    moment = now or clock.now()
    kind = certificate_type_resolve(certificate_type)
    if not kind.active:
        raise DomainError(errors.TYPE_INVALID, f"证照类型“{kind.name}”已停用。")
    holder = holder_of(person=holder_person, entity=holder_entity)
    if holder.kind != kind.holder_kind:
        raise DomainError(
            errors.HOLDER_INVALID,
            f"{kind.name}的持证主体应为{HolderKind(kind.holder_kind).label}。",
        )
    _check_issuer(kind, issuing_department)
    cleaned = face_clean(kind, _with_holder_fields(face, holder))
    if not isinstance(valid_from, dt.date):
        raise DomainError(errors.VALIDITY_INVALID, "有效期起始日期须为日期。")
    until = validity_until(kind, valid_from, valid_until)
    if until is not None and until < valid_from:
        raise DomainError(errors.VALIDITY_INVALID, "有效期截止日期早于起始日期。")
    with transaction.atomic():
        identifier = next_identifier(kind, issuing_department, clock.local_date(moment).year)
        certificate = _create(
            certificate_type=kind,
            holder=holder,
            face=cleaned,
            department=issuing_department,
            identifier=identifier,
            version=1,
            valid_from=valid_from,
            valid_until=until,
            source_case_no=source_case_no,
            imported=imported,
            now=moment,
        )
        action = "import" if imported else "issue"
        history(
            certificate,
            action=action,
            actor=actor,
            now=moment,
            to=CertificateStatus.VALID,
            details={"case_no": certificate.source_case_no, "key_id": certificate.key_id},
        )
        events.emit(
            CERTIFICATE_ISSUED,
            {
                "identifier": certificate.identifier,
                "type": kind.code,
                "case_no": certificate.source_case_no,
            },
            now=moment,
        )
        audit_record(
            actor=actor_label(actor),
            action=f"certificates.{action}",
            object_type="certificate",
            object_id=certificate.identifier,
            details={
                "type": kind.code,
                "department": issuing_department.pk,
                "case_no": certificate.source_case_no,
            },
            now=moment,
        )
    return certificate


def certificate_change(
    *,
    certificate_id: int,
    face_changes: dict[str, Any],
    actor: Any,
    reason: str,
    source_case_no: str = "",
    valid_until: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Certificate:
    """变更: a new version with the changed face (a new identifier, same 流水号,
    version + 1); the old version becomes 已变更 and points to the new one."""
    moment = now or clock.now()
    text = reason_required(reason, "变更电子证照")
    with transaction.atomic():
        old = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related(
                "certificate_type", "issuing_department", "holder_person", "holder_entity"
            )
            .filter(pk=certificate_id)
            .first()
        )
        if old is None:
            raise DomainError(errors.NOT_FOUND, "未找到该电子证照。")
        to = workflow.target("change", old.status)
        if to is None:
            raise DomainError(
                errors.INVALID_TRANSITION,
                f"电子证照当前为“{CertificateStatus(old.status).label}”，不能变更。",
            )
        merged = {**face_decrypt(old.face_enc), **(face_changes or {})}
        cleaned = face_clean(old.certificate_type, merged)
        parsed = identifier_parse(old.identifier)
        body = f"{parsed.lineage}.{old.version + 1:03d}"
        identifier = identifier_make(
            type_code=parsed.type_code,
            issuer_code=parsed.issuer_code,
            year=int(parsed.serial[:4]),
            number=int(parsed.serial[4:]),
            version=old.version + 1,
        )
        assert identifier.startswith(body)
        holder = Holder(
            old.holder_kind,
            old.holder_key,
            old.holder_name,
            old.holder_code_masked,
            person=old.holder_person,
            entity=old.holder_entity,
        )
        new = _create(
            certificate_type=old.certificate_type,
            holder=holder,
            face=cleaned,
            department=old.issuing_department,
            identifier=identifier,
            version=old.version + 1,
            valid_from=clock.local_date(moment),
            valid_until=valid_until if valid_until is not None else old.valid_until,
            source_case_no=source_case_no or old.source_case_no,
            imported=False,
            now=moment,
        )
        frm = old.status
        old.status = to
        old.status_reason = text
        old.status_changed_at = moment
        old.superseded_by = new
        old.save(update_fields=["status", "status_reason", "status_changed_at", "superseded_by"])
        history(
            old,
            action="change",
            actor=actor,
            now=moment,
            frm=frm,
            to=to,
            reason=text,
            details={"new": new.identifier},
        )
        history(
            new,
            action="issue",
            actor=actor,
            now=moment,
            to=CertificateStatus.VALID,
            reason=text,
            details={"replaces": old.identifier},
        )
        audit_record(
            actor=actor_label(actor),
            action="certificates.change",
            object_type="certificate",
            object_id=old.identifier,
            details={"new": new.identifier, "reason": text},
            now=moment,
        )
    return new
