"""The public verification of a document: only what the document itself says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tongban.cases.models import (
    Case,
    CaseDocument,
)
from tongban.cases.notices.content import (
    VERIFY_STATEMENT,
)
from tongban.cases.notices.issue import document_ready
from tongban.core import clock
from tongban.core.masking import mask_name

# ── Public verification ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class DocumentVerification:
    """What the public verification page shows: no more than the document says,
    with the applicant's name masked."""

    kind_label: str
    number: str
    case_no: str
    item_name: str
    department_name: str
    applicant_masked: str
    issued_on: dt.date
    sha256: str
    statement: str = VERIFY_STATEMENT


def mask_applicant(case: Case) -> str:
    """A person shows the surname only (张*, 欧阳*); a legal entity keeps the
    first two and the last four characters (南京****有限公司)."""
    name = case.applicant_name.strip()
    if case.applicant_entity_id is None:
        return mask_name(name)
    keep_head, keep_tail = (2, 4) if len(name) > 7 else (1, 1)
    if len(name) <= keep_head + keep_tail:
        return name[:1] + "*" * max(1, len(name) - 1)
    return name[:keep_head] + "*" * (len(name) - keep_head - keep_tail) + name[-keep_tail:]


def document_verification_get(*, code: str) -> DocumentVerification | None:
    """The document with verification code ``code``, or None (unknown code)."""
    code = (code or "").strip()
    if not code or len(code) > 32:
        return None
    document = (
        CaseDocument.objects.select_related("case__service_item", "case__department")
        .filter(verification_code=code)
        .first()
    )
    if document is None:
        return None
    document = document_ready(document)  # its digest is that of the sealed PDF
    case = document.case
    return DocumentVerification(
        kind_label=document.get_kind_display(),
        number=document.number,
        case_no=case.case_no,
        item_name=case.service_item.name,
        department_name=case.department.name,
        applicant_masked=mask_applicant(case),
        issued_on=clock.local_date(document.issued_at),
        sha256=document.sha256,
    )
