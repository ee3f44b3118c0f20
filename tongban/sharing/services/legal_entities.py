"""法人库 check of business accounts (issue 14, item 2).

When a business account is bound to a legal entity as its 法定代表人, or an
existing binding is verified again, the 统一社会信用代码 and the legal
representative are checked against the 法人库 (市场主体登记信息): the code must
be registered, the entity 存续, and the registered legal representative the
account's own person (her ID-number token and name). A mismatch is refused with
a stable code and audited; nothing is bound. The entity's name is taken from
the registry (no second data entry). Identity sits below the registries, so the
check lives here, as the L2 check does (``sharing.services.real_name``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
    Person,
    User,
)
from tongban.identity.selectors import authorizations_for_user
from tongban.identity.services import authorization_grant, legal_entity_register
from tongban.sharing.models import BusinessRecord, BusinessStatus

REGISTRY_SOURCE = "法人库（市场主体登记信息）"


@dataclass(frozen=True)
class RegistryCheck:
    credit_code: str
    name: str
    status: str


def _refuse(*, user: User, code: str, reason: str, now: dt.datetime) -> None:
    audit_record(
        actor=actor_label(user),
        action="identity.legal_entity.registry_refused",
        object_type="identity.user",
        object_id=str(user.pk),
        details={"credit_code": code, "reason": reason},
        now=now,
    )


def legal_entity_registry_check(
    *, user: User, credit_code: str, now: dt.datetime | None = None
) -> RegistryCheck:
    """Check that the 法人库 registers ``credit_code``, 存续, with the account's
    person as its 法定代表人; refuse (and audit) otherwise."""
    now = now or clock.now()
    code = validate_credit_code(credit_code)
    person: Person | None = user.person if user.person_id else None
    if user.kind != AccountKind.BUSINESS or person is None:
        raise DomainError(
            identity_errors.LEGAL_ENTITY_REGISTRY_MISMATCH,
            "只有已实名的法人用户账号可以绑定法人。",
        )
    record = (
        BusinessRecord.objects.select_related("legal_representative")
        .filter(credit_code=code)
        .first()
    )
    reason = ""
    if record is None:
        reason = "not_found"
    elif record.legal_representative_name != person.name or (
        record.legal_representative is not None
        and record.legal_representative.id_number_token != person.id_number_token
    ):
        reason = "representative_mismatch"
    if reason:
        _refuse(user=user, code=code, reason=reason, now=now)
        raise DomainError(
            identity_errors.LEGAL_ENTITY_REGISTRY_MISMATCH,
            "法人库中未找到该统一社会信用代码。"
            if reason == "not_found"
            else "法人库登记的法定代表人不是本账号的实名人员，不能以法定代表人身份绑定。",
        )
    assert record is not None
    if record.status != BusinessStatus.IN_BUSINESS:
        _refuse(user=user, code=code, reason=f"status:{record.status}", now=now)
        raise DomainError(
            identity_errors.LEGAL_ENTITY_NOT_IN_BUSINESS,
            f"该法人在法人库中的登记状态为“{record.get_status_display()}”，不能绑定或办理业务。",
        )
    return RegistryCheck(credit_code=code, name=record.name, status=record.status)


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
