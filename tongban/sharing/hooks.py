"""Extension point: "does this subject hold a valid certificate of type X".

The answer belongs to the certificates app (电子证照库). ``SharingConfig.ready``
registers ``certificates_link.certificate_holding_from_wallet`` when that app
is installed; the certificates app may install its own checker instead::

    from tongban.sharing.hooks import certificate_checker_register
    certificate_checker_register(certificate_holding_for_sharing)

with ``certificate_holding_for_sharing(*, certificate_type: str, subject:
SubjectRef, now: datetime) -> CertificateHolding``. ``subject.token`` equals
``Person.id_number_token`` for a person; an entity is ``subject.identifier``
(its credit code). Without a checker the ``certificate`` verification
answers ``sharing_service_not_connected`` (409): never a guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from tongban.sharing.subjects import SubjectRef


@dataclass(frozen=True)
class CertificateHolding:
    held: bool
    identifier: str = ""  # GB/T 36905 identifier of the valid certificate found
    type_name: str = ""
    issuer: str = ""


class CertificateChecker(Protocol):
    def __call__(
        self, *, certificate_type: str, subject: SubjectRef, now: dt.datetime
    ) -> CertificateHolding: ...


_checkers: list[CertificateChecker] = []


def certificate_checker_register(checker: CertificateChecker) -> None:
    """Install the certificates app's checker (the last one registered wins)."""
    _checkers.clear()
    _checkers.append(checker)


def certificate_checker_unregister() -> None:
    _checkers.clear()


def certificate_checker() -> CertificateChecker | None:
    return _checkers[-1] if _checkers else None
