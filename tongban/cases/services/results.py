"""The result of a granted case: its electronic certificate (电子证照, R-CS-6, R-EC-1).

When a case is granted and its guide names a ``result_certificate_type``, the
certificate is issued in the decision's transaction by
``certificates.services.certificate_issue``: the holder is the applicant, the
face is filled from the whole form (decrypted: the certificate app keeps its
own face encrypted), valid from the day of the decision, signed and sealed by
the deciding department. Should the certificate not be issuable (a type the
directory does not know, a department not among its issuers), the decision
stands — it is the legal act — and the reason is recorded in the history and
shown on the case, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction

from tongban.cases.models import Case
from tongban.cases.services.forms import case_form_values
from tongban.core import clock
from tongban.core.errors import DomainError

logger = logging.getLogger(__name__)


def result_certificate_issue(case: Case, *, actor: Any, now: dt.datetime) -> dict[str, str]:
    """Issue the granted case's certificate; what the history records of it."""
    from tongban.certificates.services import certificate_issue

    content = case.guide_version.content or {}
    kind = str(content.get("result_certificate_type") or "").strip()
    if not kind:
        return {}
    try:
        with transaction.atomic():  # a refusal leaves nothing half-written
            certificate = certificate_issue(
                certificate_type=kind,
                holder_person=case.applicant_person,
                holder_entity=case.applicant_entity,
                face=case_form_values(case),
                issuing_department=case.department,
                source_case_no=case.case_no,
                valid_from=clock.local_date(now),
                actor=actor if getattr(actor, "pk", None) else None,
                now=now,
            )
    except DomainError as exc:
        logger.warning("certificate for case %s not issued: %s", case.case_no, exc)
        return {"certificate_type": kind, "certificate_error": exc.detail}
    return {"certificate_type": kind, "certificate": certificate.identifier}
