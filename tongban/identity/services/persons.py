"""Natural persons and legal entities: registered with encrypted ID and phone numbers."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from tongban.core import clock, events
from tongban.core import errors as core_errors
from tongban.core.audit import actor_label, audit_record
from tongban.core.crypto import decrypt, encrypt, search_token
from tongban.core.errors import DomainError
from tongban.core.identifiers import (
    validate_credit_code,
    validate_mobile_phone,
    validate_resident_id,
)
from tongban.core.masking import mask_id_number, mask_phone
from tongban.identity import errors
from tongban.identity.models import (
    LegalEntity,
    Person,
)
from tongban.identity.selectors import (
    ID_NUMBER_CONTEXT,
    PHONE_CONTEXT,
    person_find_by_id_number,
)
from tongban.identity.services._shared import (
    _NAME_MAX,
)

# --- natural persons and legal entities -------------------------------------


def validate_phone(value: str) -> str:
    """A mainland mobile number (``core.identifiers.validate_mobile_phone``)."""
    return validate_mobile_phone(value)


def validate_person_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise DomainError(errors.INVALID_NAME, "姓名不能为空")
    if len(name) > _NAME_MAX:
        raise DomainError(errors.INVALID_NAME, f"姓名不能超过 {_NAME_MAX} 个字符")
    return name


def person_register(
    *, name: str, id_number: str, phone: str = "", now: dt.datetime | None = None
) -> Person:
    """Register a natural person, or return the one already registered with this ID.

    The name must agree with an existing record (the ID/name check of 实名 L1).
    A phone given for a person who has none yet is added.
    """
    now = now or clock.now()
    name = validate_person_name(name)
    resident = validate_resident_id(id_number, today=clock.local_date(now))
    phone = validate_phone(phone) if phone else ""
    existing = person_find_by_id_number(resident.number)
    if existing is None:
        person = Person(
            name=name,
            id_number_enc=encrypt(resident.number, context=ID_NUMBER_CONTEXT),
            id_number_token=search_token(resident.number, context=ID_NUMBER_CONTEXT),
            id_number_masked=mask_id_number(resident.number),
            birth_date=resident.birth_date,
            sex=resident.sex,
            region_code=resident.region_code,
            created_at=now,
        )
        if phone:
            _set_phone(person, phone)
        try:
            with transaction.atomic():
                person.save(force_insert=True)
                audit_record(
                    actor="system",
                    action="identity.person_registered",
                    object_type="identity.Person",
                    object_id=str(person.pk),
                    details={},  # never the ID number, not even masked (R-SC-1)
                    now=now,
                )
            return person
        except IntegrityError:
            # Registered concurrently by someone else: continue with theirs.
            existing = person_find_by_id_number(resident.number)
            if existing is None:
                raise
    if existing.name != name:
        raise DomainError(errors.PERSON_NAME_MISMATCH, "姓名与公民身份号码不一致，请核对")
    if phone and not existing.phone_token:
        _set_phone(existing, phone)
        existing.save(update_fields=["phone_enc", "phone_token", "phone_masked"])
    return existing


def _set_phone(person: Person, phone: str) -> None:
    person.phone_enc = encrypt(phone, context=PHONE_CONTEXT)
    person.phone_token = search_token(phone, context=PHONE_CONTEXT)
    person.phone_masked = mask_phone(phone)


# Emitted when a legal entity becomes known to the platform: {"credit_code": …}.
LEGAL_ENTITY_REGISTERED = "legal_entity.registered"


def legal_entity_register(
    *,
    credit_code: str,
    name: str,
    legal_representative: Person,
    now: dt.datetime | None = None,
) -> LegalEntity:
    """Register a legal entity by its 统一社会信用代码, or return the registered one."""
    now = now or clock.now()
    code = validate_credit_code(credit_code)
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(core_errors.VALIDATION_FAILED, "法人名称不能为空")
    existing = LegalEntity.objects.filter(credit_code=code).first()
    if existing is not None:
        if existing.name != name:
            raise DomainError(
                errors.LEGAL_ENTITY_NAME_MISMATCH, "名称与统一社会信用代码登记的名称不一致"
            )
        return existing
    with transaction.atomic():
        entity = LegalEntity.objects.create(
            credit_code=code,
            name=name,
            legal_representative=legal_representative,
            # GB 32100-2015: characters 3–8 are the registering authority's region.
            region_code=code[2:8],
            created_at=now,
        )
        audit_record(
            actor="system",
            action="identity.legal_entity_registered",
            object_type="identity.LegalEntity",
            object_id=str(entity.pk),
            details={"credit_code": code},
            now=now,
        )
        # Others attach what the platform already holds for this business
        # (cases: the cases of 免申即享 grants made before it was known).
        events.emit(LEGAL_ENTITY_REGISTERED, {"credit_code": code}, now=now)
    return entity


PURPOSE_MIN_LENGTH = 4


def person_phone_reveal(
    *,
    person_id: int,
    actor: object,
    purpose: str,
    object_type: str,
    object_id: str,
    now: dt.datetime | None = None,
) -> str:
    """A person's mobile number in clear, for a member of staff who states why
    (purpose-bound unmasking, R-SC-1). The caller has checked that the actor
    may see the record named by ``object_type``/``object_id`` (a case they
    handle); the audit event names that record, the purpose and the field,
    never the number."""
    purpose = " ".join((purpose or "").split())
    if len(purpose) < PURPOSE_MIN_LENGTH:
        raise DomainError(errors.PURPOSE_REQUIRED, "查看完整信息须写明用途（至少 4 个字）。")
    person = Person.objects.filter(pk=person_id).only("phone_enc").first()
    if person is None or not person.phone_enc:
        raise DomainError(core_errors.NOT_FOUND, "未登记手机号码。")
    with transaction.atomic():
        phone = decrypt(person.phone_enc, context=PHONE_CONTEXT)
        audit_record(
            actor=actor_label(actor),
            action="person.phone_revealed",
            object_type=object_type,
            object_id=object_id,
            details={"field": "person.mobile", "person": person_id, "purpose": purpose[:200]},
            now=now or clock.now(),
        )
    return phone
