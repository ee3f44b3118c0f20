"""The 法人库 check of every business authorization (issue 14, item 2).

Binding an account as 法定代表人, creating a business account and granting an
authorization all pass through :func:`legal_entity_registry_confirm`: the
统一社会信用代码 must be registered in the 法人库 and the entity 存续, and
whoever acts as the 法定代表人 (the account bound as such, or the account
granting an agent) must be the registered legal representative — the same
name and, where the registry holds it, the same ID number. A refusal has a
stable code (``legal_entity_registry_mismatch``, ``legal_entity_not_in_business``)
and is audited; nothing is written. The registry answers through
``identity.registry`` (filled by the ``sharing`` app).
"""

from __future__ import annotations

import datetime as dt

from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code
from tongban.identity import errors
from tongban.identity.models import Person, User
from tongban.identity.registry import RegistryEntry, registry_entry

NOT_FOUND_MESSAGE = "法人库中未找到该统一社会信用代码。"


def _refuse(
    *, actor: User | None, account: User | None, code: str, reason: str, now: dt.datetime
) -> None:
    audit_record(
        actor=actor_label(actor if actor is not None else account),
        action="identity.legal_entity.registry_refused",
        object_type="identity.user",
        object_id=str(account.pk) if account is not None and account.pk else "",
        details={"credit_code": code, "reason": reason},
        now=now,
    )


def legal_entity_registry_confirm(
    *,
    credit_code: str,
    representative: Person | None,
    now: dt.datetime,
    account: User | None = None,
    actor: User | None = None,
    representative_message: str = "",
) -> RegistryEntry:
    """The 法人库's entry for ``credit_code`` when it is registered and 存续 and,
    if ``representative`` is given, records that person as its 法定代表人;
    refused (and audited against ``account``, by ``actor``) otherwise."""
    code = validate_credit_code(credit_code)
    entry = registry_entry(code)
    reason = ""
    if entry is None:
        reason = "not_found"
    elif representative is not None and (
        entry.representative_name != representative.name
        or (
            entry.representative_token
            and entry.representative_token != representative.id_number_token
        )
    ):
        reason = "representative_mismatch"
    if reason:
        _refuse(actor=actor, account=account, code=code, reason=reason, now=now)
        raise DomainError(
            errors.LEGAL_ENTITY_REGISTRY_MISMATCH,
            NOT_FOUND_MESSAGE
            if reason == "not_found"
            else representative_message
            or "法人库登记的法定代表人不是本账号的实名人员，不能以法定代表人身份绑定。",
        )
    assert entry is not None
    if not entry.in_business:
        _refuse(actor=actor, account=account, code=code, reason=f"status:{entry.status}", now=now)
        raise DomainError(
            errors.LEGAL_ENTITY_NOT_IN_BUSINESS,
            f"该法人在法人库中的登记状态为“{entry.status_label}”，不能绑定或办理业务。",
        )
    return entry
