"""Writes of case handling: intake and one service per transition (CONVENTIONS 4)."""

from tongban.cases.services._common import acting_in_scope
from tongban.cases.services.exemptions import exempted_certificate_open, exemptions_preview
from tongban.cases.services.intake import case_submit, case_submit_prepare, case_submit_write
from tongban.cases.services.transitions import (
    case_accept,
    case_conclude,
    case_decide,
    case_deem_accept,
    case_deliver,
    case_extend,
    case_grant_on_commitment,
    case_handle_immediately,
    case_refuse,
    case_request_supplement,
    case_resume,
    case_start_review,
    case_supplement,
    case_supply_deferred,
    case_suspend,
    case_withdraw,
)

__all__ = [
    "acting_in_scope",
    "case_accept",
    "case_conclude",
    "case_decide",
    "case_deem_accept",
    "case_deliver",
    "case_extend",
    "case_grant_on_commitment",
    "case_handle_immediately",
    "case_refuse",
    "case_request_supplement",
    "case_resume",
    "case_start_review",
    "case_submit",
    "case_submit_prepare",
    "case_submit_write",
    "case_supplement",
    "case_supply_deferred",
    "case_suspend",
    "case_withdraw",
    "exempted_certificate_open",
    "exemptions_preview",
]
