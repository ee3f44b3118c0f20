"""Every write of 好差评 (CONVENTIONS 2): ratings and their rectification."""

from tongban.evaluation.services.ratings import (
    rating_change,
    rating_invite,
    rating_submit_for_case,
    rating_submit_for_order,
)
from tongban.evaluation.services.rectification import (
    rectification_answer,
    rectification_appeal,
    rectification_appeal_decide,
    rectification_close,
    rectification_escalate,
    rectification_notify_outcome,
    rectification_revisit,
    rectifications_overdue_sweep,
    roles_on,
)

__all__ = [
    "rating_change",
    "rating_invite",
    "rating_submit_for_case",
    "rating_submit_for_order",
    "rectification_answer",
    "rectification_appeal",
    "rectification_appeal_decide",
    "rectification_close",
    "rectification_escalate",
    "rectification_notify_outcome",
    "rectification_revisit",
    "rectifications_overdue_sweep",
    "roles_on",
]
