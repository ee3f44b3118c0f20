"""Writes of electronic certificates: one module per sub-domain (CONVENTIONS 1)."""

from tongban.certificates.services.issue import certificate_change, certificate_issue
from tongban.certificates.services.transitions import (
    certificate_annul,
    certificate_cancel,
    certificate_revoke,
)
from tongban.certificates.services.types import (
    certificate_type_link_items,
    certificate_type_upsert,
)

__all__ = [
    "certificate_annul",
    "certificate_cancel",
    "certificate_change",
    "certificate_issue",
    "certificate_revoke",
    "certificate_type_link_items",
    "certificate_type_upsert",
]
