"""Who holds a certificate, as a key that does not depend on an account.

A person is keyed by the keyed search token of the 公民身份号码 (HMAC-SM3 with
the same context as ``identity.Person.id_number_token``, so the two are the
same value and the platform has one subject key, as the sharing registries
do); a legal entity by its 统一社会信用代码, which is public. ``identity`` is a
sibling registry, so Person and LegalEntity arrive here as objects from the
caller and are read by their attributes, never imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tongban.certificates import errors
from tongban.certificates.models import HolderKind
from tongban.core.crypto import search_token
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code, validate_resident_id
from tongban.core.masking import mask_id_number, mask_name

# The context of identity's ID-number token (identity.selectors.ID_NUMBER_CONTEXT);
# tests/test_certificates_identity.py keeps the two equal.
PERSON_ID_CONTEXT = "identity.person.id_number"


@dataclass(frozen=True)
class Holder:
    kind: str
    key: str
    name: str
    code_masked: str
    person: Any = None
    entity: Any = None

    @property
    def name_masked(self) -> str:
        return mask_holder_name(self.kind, self.name)


def person_key(token: str) -> str:
    return f"P:{token}"


def entity_key(credit_code: str) -> str:
    return f"E:{credit_code}"


def holder_of(*, person: Any = None, entity: Any = None) -> Holder:
    """The holder for a ``identity.Person`` or ``identity.LegalEntity`` (one of them)."""
    if (person is None) == (entity is None):
        raise DomainError(errors.HOLDER_INVALID, "持证主体须为一个自然人或一个法人，二者选一。")
    if person is not None:
        token = getattr(person, "id_number_token", "")
        if not token:
            raise DomainError(errors.HOLDER_INVALID, "持证人没有实名信息（公民身份号码）。")
        return Holder(
            HolderKind.PERSON,
            person_key(token),
            person.name,
            person.id_number_masked,
            person=person,
        )
    code = getattr(entity, "credit_code", "")
    if not code:
        raise DomainError(errors.HOLDER_INVALID, "持证单位没有统一社会信用代码。")
    return Holder(HolderKind.ENTITY, entity_key(code), entity.name, code, entity=entity)


def holder_from_codes(*, kind: str, code: str, name: str) -> Holder:
    """The holder named by an ID number or credit code (bulk import), checked."""
    name = (name or "").strip()
    if not name:
        raise DomainError(errors.HOLDER_INVALID, "持证主体名称不能为空。")
    if kind == HolderKind.PERSON:
        number = validate_resident_id(code).number
        token = search_token(number, context=PERSON_ID_CONTEXT)
        return Holder(HolderKind.PERSON, person_key(token), name, mask_id_number(number))
    credit = validate_credit_code(code)
    return Holder(HolderKind.ENTITY, entity_key(credit), name, credit)


def holder_keys_for(*, person: Any = None, entities: list[Any] | None = None) -> list[str]:
    """The holder keys a portal user may see: her own and her businesses'."""
    keys = []
    if person is not None and str(getattr(person, "id_number_token", "") or ""):
        keys.append(person_key(person.id_number_token))
    keys += [entity_key(e.credit_code) for e in entities or []]
    return keys


def mask_holder_name(kind: str, name: str) -> str:
    """A person shows the surname only; an organisation keeps the first two and
    the last four characters (as the document verification page does)."""
    name = name.strip()
    if kind == HolderKind.PERSON:
        return mask_name(name)
    if len(name) <= 6:
        return name[:1] + "*" * max(1, len(name) - 1)
    return name[:2] + "*" * (len(name) - 6) + name[-4:]
