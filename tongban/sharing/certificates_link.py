"""The default certificate checker: the certificates app's 电子证照库.

Registered by ``SharingConfig.ready`` when ``tongban.certificates`` is
installed; the certificates app may register its own instead (``hooks``).
The holder is named by its key only: a person by the search token of her ID
number (``certificates.holders`` keys holders by the same token), an entity
by its credit code, so a holder without an account is found too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tongban.core import clock
from tongban.sharing.hooks import CertificateHolding
from tongban.sharing.models import SubjectKind
from tongban.sharing.subjects import SubjectRef


@dataclass(frozen=True)
class _Holder:
    """What ``certificates.holders.holder_of`` reads of a person or an entity."""

    name: str = ""
    id_number_token: str = ""
    id_number_masked: str = ""
    credit_code: str = ""


def certificate_holding_from_wallet(
    *, certificate_type: str, subject: SubjectRef, now: dt.datetime
) -> CertificateHolding:
    """Whether the subject holds a valid, in-date certificate of ``certificate_type``."""
    from tongban.certificates.selectors import certificate_find_valid

    today = clock.local_date(now)
    if subject.kind == SubjectKind.PERSON:
        holder = _Holder(id_number_token=subject.token, id_number_masked=subject.label)
        found = certificate_find_valid(
            type_name_or_code=certificate_type, holder_person=holder, today=today
        )
    else:
        found = certificate_find_valid(
            type_name_or_code=certificate_type,
            holder_entity=_Holder(credit_code=subject.identifier),
            today=today,
        )
    if found is None:
        return CertificateHolding(held=False)
    return CertificateHolding(
        held=True,
        identifier=found.identifier,
        type_name=found.certificate_type.name,
        issuer=found.issuing_department.name,
    )
