"""What the case selectors share: the one "not found" and the case number as typed."""

from __future__ import annotations

from tongban.cases.models import CaseStatus
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError

NOT_FOUND_DETAIL = "未找到该办件"


def not_found() -> DomainError:
    return DomainError(core_errors.NOT_FOUND, NOT_FOUND_DETAIL)


def normalize_case_no(case_no: str) -> str:
    return (case_no or "").strip()[:40]


def status_text(value: str) -> str:
    return CaseStatus(value).label if value in CaseStatus.values else value
