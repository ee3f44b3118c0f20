"""States and transitions of a sharing application, and who may act (CONVENTIONS 4).

国发〔2016〕51号 第十四条: a using department applies for a 有条件共享 resource
with its purpose and basis; the providing department answers within 10
working days, and gives its reason when it refuses. An approved grant may be
revoked by the provider (with a reason); an open application may be
withdrawn by the consumer.

Roles (``org.models.Role``): the consumer's and the provider's **部门负责人**
apply, withdraw, approve, refuse and revoke, each for their own department
(the assignment's department, not its data scope). **窗口人员, 审批人员,
部门负责人 and 承办人员** of the consumer department use the data (verify
and query): they handle the cases the data serves. A system account uses the
data through a staff assignment with one of those roles in its department.
"""

from __future__ import annotations

from tongban.org.models import Role
from tongban.sharing.models import GrantStatus as S

# action → (allowed from-states, to-state)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({S.REQUESTED}), S.APPROVED),
    "refuse": (frozenset({S.REQUESTED}), S.REFUSED),
    "withdraw": (frozenset({S.REQUESTED}), S.WITHDRAWN),
    "revoke": (frozenset({S.APPROVED}), S.REVOKED),
}

ACTION_LABELS = {
    "request": "提出申请",
    "approve": "批准",
    "refuse": "拒绝",
    "withdraw": "撤回申请",
    "revoke": "撤销授权",
}

# Which side acts: the provider decides and revokes, the consumer applies and withdraws.
PROVIDER_ACTIONS = frozenset({"approve", "refuse", "revoke"})
CONSUMER_ACTIONS = frozenset({"request", "withdraw"})

APPLY_ROLES = frozenset({Role.DEPARTMENT_HEAD})
DECIDE_ROLES = frozenset({Role.DEPARTMENT_HEAD})
USE_ROLES = frozenset({Role.WINDOW_CLERK, Role.REVIEWER, Role.DEPARTMENT_HEAD, Role.HANDLER})
# Who sees the catalogue and the applications of departments in their scope.
VIEW_ROLES = frozenset({*USE_ROLES, Role.SUPERVISOR, Role.PLATFORM_ADMIN})

# 国发〔2016〕51号 第十四条: 10 working days to answer an application.
ANSWER_WORKING_DAYS = 10


def target(action: str, status: str) -> str | None:
    """The state after ``action`` from ``status``, or None if not allowed."""
    sources, to = TRANSITIONS[action]
    return to if status in sources else None
