"""One service per transition of a case (workflow.TRANSITIONS), by stage:
``acceptance`` (受理), ``review`` (审查与期限) and ``decision`` (决定与办结).

Each takes the case id, the acting user, ``expected_version`` (the If-Match
version; ``None`` for the scheduler) and ``now``. Callers have already found
the case through a scoped selector; role checks that the law ties to a
position (延期 needs the department head) are made here.
"""

from tongban.cases.services.acceptance import (
    case_accept,
    case_deem_accept,
    case_refuse,
    case_request_supplement,
    case_supplement,
)
from tongban.cases.services.decision import (
    case_conclude,
    case_decide,
    case_deliver,
    case_grant_on_commitment,
    case_handle_immediately,
    case_supply_deferred,
    case_withdraw,
)
from tongban.cases.services.review import (
    case_extend,
    case_resume,
    case_start_review,
    case_suspend,
)

__all__ = [
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
    "case_supplement",
    "case_supply_deferred",
    "case_suspend",
    "case_withdraw",
]
