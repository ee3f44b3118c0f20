"""法人库 check of business accounts (issue 14, item 2).

The check itself is identity's (``identity.services.legal_registry``): every
binding as 法定代表人, every business account created and every authorization
granted needs the 统一社会信用代码 registered, the entity 存续, and the
registered legal representative to be the person acting as such. A mismatch
is refused with a stable code and audited; nothing is bound. This module gives
identity the 法人库's answer (:func:`business_registry_entry`, registered in
``SharingConfig.ready``), and binds or re-verifies an account, taking the
entity's name from the registry (no second data entry).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import NOT_FOUND, DomainError
from tongban.core.identifiers import validate_credit_code
from tongban.identity import errors as identity_errors
from tongban.identity.models import (
    AccountKind,
    AuthorizationRole,
    BusinessAuthorization,
    LegalEntity,
    User,
)
from tongban.identity.registry import RegistryEntry
from tongban.identity.selectors import authorizations_for_user
from tongban.identity.services import authorization_grant, legal_entity_register
from tongban.identity.services.legal_registry import legal_entity_registry_confirm
from tongban.sharing.models import BusinessRecord, BusinessStatus

REGISTRY_SOURCE = "法人库（市场主体登记信息）"


def business_registry_entry(credit_code: str) -> RegistryEntry | None:
    """The 法人库's record of ``credit_code`` as identity's check reads it."""
    record = (
        BusinessRecord.objects.select_related("legal_representative")
        .filter(credit_code=credit_code)
        .first()
    )
    if record is None:
        return None
    return RegistryEntry(
        credit_code=record.credit_code,
        name=record.name,
        status=record.status,
        status_label=record.get_status_display(),
        in_business=record.status == BusinessStatus.IN_BUSINESS,
        representative_name=record.legal_representative_name,
        representative_token=record.legal_representative.id_number_token
        if record.legal_representative is not None
        else "",
    )


def legal_entity_registry_check(
    *, user: User, credit_code: str, now: dt.datetime | None = None
) -> RegistryEntry:
    """Check that the 法人库 registers ``credit_code``, 存续, with the account's
    person as its 法定代表人; refuse (and audit) otherwise."""
    now = now or clock.now()
    code = validate_credit_code(credit_code)
    if user.kind != AccountKind.BUSINESS or user.person_id is None:
        raise DomainError(
            identity_errors.LEGAL_ENTITY_REGISTRY_MISMATCH,
            "只有已实名的法人用户账号可以绑定法人。",
        )
    return legal_entity_registry_confirm(
        credit_code=code, representative=user.person, account=user, actor=user, now=now
    )


def business_account_bind(
    *, user: User, credit_code: str, now: dt.datetime | None = None
) -> BusinessAuthorization:
    """Bind a business account to the legal entity it represents, after the 法人库
    check; the entity is registered with the registry's name if it is new."""
    now = now or clock.now()
    checked = legal_entity_registry_check(user=user, credit_code=credit_code, now=now)
    assert user.person is not None
    with transaction.atomic():
        entity = legal_entity_register(
            credit_code=checked.credit_code,
            name=checked.name,
            legal_representative=user.person,
            now=now,
        )
        authorization = authorization_grant(
            user=user,
            legal_entity=entity,
            role=AuthorizationRole.LEGAL_REPRESENTATIVE,
            granted_by=None,
            now=now,
        )
        _checked(user=user, entity=entity, action="bind", now=now)
    return authorization


def business_account_verify(
    *, user: User, credit_code: str, now: dt.datetime | None = None
) -> LegalEntity:
    """Check again an entity this account is bound to as 法定代表人 (e.g. after a
    change of representative was registered). Not bound is ``not_found``."""
    now = now or clock.now()
    code = validate_credit_code(credit_code)
    authorization = (
        authorizations_for_user(user=user, now=now)
        .filter(legal_entity__credit_code=code, role=AuthorizationRole.LEGAL_REPRESENTATIVE)
        .first()
    )
    if authorization is None:
        raise DomainError(NOT_FOUND, "本账号未以法定代表人身份绑定该法人。")
    legal_entity_registry_check(user=user, credit_code=code, now=now)
    _checked(user=user, entity=authorization.legal_entity, action="verify", now=now)
    return authorization.legal_entity


def _checked(*, user: User, entity: LegalEntity, action: str, now: dt.datetime) -> None:
    audit_record(
        actor=actor_label(user),
        action="identity.legal_entity.registry_checked",
        object_type="identity.LegalEntity",
        object_id=str(entity.pk),
        details={"credit_code": entity.credit_code, "user": user.pk, "for": action},
        now=now,
    )
