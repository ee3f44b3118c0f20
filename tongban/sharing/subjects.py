"""Data subjects: who a call is about, and the one key the platform knows them by.

A natural person is keyed by the HMAC-SM3 search token of her ID number with
identity's context, which is exactly ``identity.Person.id_number_token``: the
access log, the base registries and the accounts meet on that token and the
clear number is never stored beside them. A legal entity is keyed by the
token of its 统一社会信用代码 (public, but keyed alike so that the log has one
shape).
"""

from __future__ import annotations

from dataclasses import dataclass

from tongban.core.crypto import search_token
from tongban.core.masking import mask_id_number
from tongban.identity.models import LegalEntity, Person
from tongban.identity.selectors import (
    ID_NUMBER_CONTEXT,
    normalize_credit_code,
    normalize_id_number,
)
from tongban.sharing.models import SubjectKind

CREDIT_CODE_CONTEXT = "sharing.subject.credit_code"
# Lines about no particular subject (a call refused before its subject was read).
NO_SUBJECT = "-"


@dataclass(frozen=True)
class SubjectRef:
    """The subject named by a call: an ID number or a credit code, as given."""

    kind: str  # SubjectKind.PERSON or SubjectKind.LEGAL_ENTITY
    identifier: str

    @classmethod
    def person(cls, id_number: str) -> SubjectRef:
        return cls(SubjectKind.PERSON, normalize_id_number(id_number))

    @classmethod
    def entity(cls, credit_code: str) -> SubjectRef:
        return cls(SubjectKind.LEGAL_ENTITY, normalize_credit_code(credit_code))

    @classmethod
    def of_person(cls, person: Person) -> SubjectRef:
        """A registered person; her number is decrypted only to key the registries."""
        from tongban.core.crypto import decrypt

        return cls.person(decrypt(person.id_number_enc, context=ID_NUMBER_CONTEXT))

    @classmethod
    def of_entity(cls, entity: LegalEntity) -> SubjectRef:
        return cls.entity(entity.credit_code)

    @property
    def token(self) -> str:
        if not self.identifier:
            return NO_SUBJECT
        if self.kind == SubjectKind.PERSON:
            return person_token(self.identifier)
        return entity_token(self.identifier)

    @property
    def label(self) -> str:
        """What the log shows of the subject: masked, never the clear number."""
        if self.kind == SubjectKind.PERSON:
            return mask_id_number(self.identifier)[:32]
        return self.identifier[:18]


def person_token(id_number: str) -> str:
    return search_token(normalize_id_number(id_number), context=ID_NUMBER_CONTEXT)


def entity_token(credit_code: str) -> str:
    return search_token(normalize_credit_code(credit_code), context=CREDIT_CODE_CONTEXT)
