"""Writes of the agency library: join (zero threshold), services and fees,
qualifications, consortia, penalties (R-IM-1, R-IM-3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from tongban.core import clock, crypto
from tongban.core import errors as core_errors
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code, validate_mobile_phone
from tongban.core.masking import mask_phone
from tongban.identity.models import LegalEntity
from tongban.intermediaries import errors
from tongban.intermediaries.credit import restrictions_for
from tongban.intermediaries.models import (
    Agency,
    AgencyPenalty,
    AgencyQualification,
    AgencyService,
    Consortium,
    PenaltyKind,
    ServiceType,
)
from tongban.intermediaries.services._common import refuse

PHONE_CONTEXT = "intermediaries.agency.contact_phone"
MAX_FEE_FEN = 10**13  # 1000 亿元: anything above is a typing error


def _invalid(detail: str, field: str) -> DomainError:
    return DomainError(
        core_errors.VALIDATION_FAILED, detail, fields=[{"field": field, "code": "invalid"}]
    )


def _text(value: str, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    cleaned = " ".join((value or "").split())
    if required and not cleaned:
        raise _invalid(f"{label}不能为空。", field)
    if len(cleaned) > max_length:
        raise _invalid(f"{label}不能超过 {max_length} 个字。", field)
    return cleaned


def _audit(action: str, agency: Agency, actor: Any, now: dt.datetime, **details: Any) -> None:
    audit_record(
        actor=actor_label(actor),
        action=f"intermediaries.{action}",
        object_type="intermediaries.agency",
        object_id=agency.credit_code,
        details=details,
        now=now,
    )


def agency_phone(agency: Agency) -> str:
    """The contact phone in clear, for notifications only."""
    return crypto.decrypt(agency.contact_phone_enc, context=PHONE_CONTEXT)


def agency_register(
    *,
    legal_entity: LegalEntity,
    contact_name: str,
    contact_phone: str,
    introduction: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Agency:
    """List an agency at once (零门槛入驻): a valid 统一社会信用代码 is all it takes.

    No approval step, no qualification asked: R-IM-3. Listing is province-wide.
    """
    now = now or clock.now()
    code = validate_credit_code(legal_entity.credit_code)
    name = _text(contact_name, field="contact_name", label="联系人", max_length=50)
    phone = validate_mobile_phone(contact_phone)
    intro = (introduction or "").strip()[:2000]
    if Agency.objects.filter(credit_code=code).exists():
        raise DomainError(
            errors.AGENCY_ALREADY_LISTED, f"{legal_entity.name}已入驻，无需重复入驻。"
        )
    try:
        with transaction.atomic():
            agency = Agency.objects.create(
                legal_entity=legal_entity,
                credit_code=code,
                name=legal_entity.name,
                region_code=legal_entity.region_code,
                contact_name=name,
                contact_phone_enc=crypto.encrypt(phone, context=PHONE_CONTEXT),
                contact_phone_masked=mask_phone(phone),
                introduction=intro,
                joined_at=now,
                registered_by=actor if getattr(actor, "pk", None) else None,
            )
            _audit("agency_register", agency, actor, now)
    except IntegrityError:
        raise DomainError(
            errors.AGENCY_ALREADY_LISTED, f"{legal_entity.name}已入驻，无需重复入驻。"
        ) from None
    return agency


def agency_service_publish(
    *,
    agency: Agency,
    service_type_code: str,
    fee_basis: str,
    fee_min_fen: int,
    fee_max_fen: int,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> AgencyService:
    """Offer a service type with its published fee range (收费标准公开); again: update it."""
    now = now or clock.now()
    service_type = ServiceType.objects.filter(code=service_type_code, active=True).first()
    if service_type is None:
        raise DomainError(
            errors.SERVICE_TYPE_NOT_FOUND, f"没有代码为“{service_type_code}”的服务类型。"
        )
    basis = _text(fee_basis, field="fee_basis", label="收费依据", max_length=200)
    if not 0 <= fee_min_fen <= fee_max_fen <= MAX_FEE_FEN:
        raise _invalid("收费范围无效：下限不能为负，且不能高于上限。", "fee_min_fen")
    with transaction.atomic():
        service, _ = AgencyService.objects.update_or_create(
            agency=agency,
            service_type=service_type,
            defaults={
                "fee_basis": basis,
                "fee_min_fen": fee_min_fen,
                "fee_max_fen": fee_max_fen,
                "published_at": now,
            },
        )
        _audit(
            "agency_service_publish", agency, actor, now,
            service_type=service_type.code, fee_min_fen=fee_min_fen, fee_max_fen=fee_max_fen,
        )  # fmt: skip
    return service


def agency_qualification_add(
    *,
    agency: Agency,
    name: str,
    number: str,
    valid_until: dt.date | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> AgencyQualification:
    """Record a qualification (optional: only purchases that ask for it check it)."""
    now = now or clock.now()
    label = _text(name, field="name", label="资质名称", max_length=100)
    no = _text(number, field="number", label="证书编号", max_length=60)
    if valid_until is not None and valid_until < clock.local_date(now):
        raise _invalid("资质已过有效期，不能登记。", "valid_until")
    with transaction.atomic():
        qualification, _ = AgencyQualification.objects.update_or_create(
            agency=agency, name=label, defaults={"number": no, "valid_until": valid_until}
        )
        _audit("agency_qualification_add", agency, actor, now, qualification=label)
    return qualification


def consortium_form(
    *,
    lead: Agency,
    members: list[Agency],
    name: str,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Consortium:
    """A 联合体 led by ``lead``: every member listed and none restricted (一处失信、全省受限)."""
    now = now or clock.now()
    label = _text(name, field="name", label="联合体名称", max_length=200)
    everyone = {a.pk: a for a in [lead, *members]}
    if len(everyone) < 2:
        raise DomainError(errors.CONSORTIUM_INVALID, "联合体至少由两家中介机构组成。")
    for agency in everyone.values():
        reasons = restrictions_for(credit_code=agency.credit_code, measure="marketplace", now=now)
        if reasons:
            raise refuse(
                errors.AGENCY_RESTRICTED,
                f"联合体成员{agency.name}失信受限，不能组成联合体：{'；'.join(reasons)}",
                purchase=None,
                actor=actor,
            )
    with transaction.atomic():
        consortium = Consortium.objects.create(name=label, lead=lead, formed_at=now)
        consortium.members.set(list(everyone.values()))
        _audit(
            "consortium_form", lead, actor, now,
            consortium=consortium.pk, members=sorted(a.credit_code for a in everyone.values()),
        )  # fmt: skip
    return consortium


def agency_penalty_record(
    *,
    agency: Agency,
    kind: str,
    reason: str,
    decided_by: str,
    region_code: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> AgencyPenalty:
    """Record a penalty; a suspension bars the agency from every selection in the province."""
    now = now or clock.now()
    if kind not in PenaltyKind.values:
        raise _invalid("处理类型无效。", "kind")
    why = _text(reason, field="reason", label="事由", max_length=300)
    by = _text(decided_by, field="decided_by", label="作出单位", max_length=100)
    if ends_at is not None and ends_at <= starts_at:
        raise _invalid("截止时间须晚于起始时间。", "ends_at")
    with transaction.atomic():
        penalty = AgencyPenalty.objects.create(
            agency=agency,
            kind=kind,
            reason=why,
            decided_by=by,
            region_code=region_code,
            starts_at=starts_at,
            ends_at=ends_at,
            recorded_at=now,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        _audit("agency_penalty_record", agency, actor, now, kind=kind, penalty=penalty.pk)
    return penalty


def service_type_save(
    *, code: str, name: str, approval_items: list[str], active: bool = True
) -> ServiceType:
    """Create or update a service type (the item library's side of the marketplace)."""
    label = _text(name, field="name", label="服务名称", max_length=60)
    items = [i.strip() for i in approval_items if i and i.strip()]
    service_type, _ = ServiceType.objects.update_or_create(
        code=code, defaults={"name": label, "approval_items": items, "active": active}
    )
    return service_type
