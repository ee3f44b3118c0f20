"""States and transitions of a 12345 work order (CONVENTIONS 4, DESIGN §3).

One table; each transition has one service in ``services``. A test walks
every allowed and every forbidden pair.
"""

from __future__ import annotations

from tongban.hotline.models import OrderStatus as S
from tongban.org.models import Role

OPEN = frozenset({S.REGISTERED, S.DISPATCHED, S.ACKNOWLEDGED, S.RETURNED})

# action → (allowed from-states, to-state); "=" keeps the state.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    # 直办: answered at once from the knowledge base, and closed.
    "answer_directly": (frozenset({S.REGISTERED}), S.ANSWERED),
    # 110/119/120/122 matters are handed over, not processed as orders (R-HL-1).
    "hand_over": (frozenset({S.REGISTERED}), S.HANDED_OVER),
    # 派单 within one working day (R-HL-3); a reviewed 退单 is dispatched again.
    "dispatch": (frozenset({S.REGISTERED, S.RETURNED}), S.DISPATCHED),
    "acknowledge": (frozenset({S.DISPATCHED}), S.ACKNOWLEDGED),
    # 退单: the department says it is not theirs, with a reason.
    "return": (frozenset({S.DISPATCHED, S.ACKNOWLEDGED}), S.RETURNED),
    # 延期: asked by the department, approved or refused by the centre.
    "request_extension": (frozenset({S.ACKNOWLEDGED}), "="),
    "approve_extension": (frozenset({S.ACKNOWLEDGED}), "="),
    "refuse_extension": (frozenset({S.ACKNOWLEDGED}), "="),
    # 办结: the department answers with what it did.
    "reply": (frozenset({S.ACKNOWLEDGED}), S.REPLIED),
    # 回访: was it solved, how satisfied.
    "revisit": (frozenset({S.REPLIED, S.ANSWERED}), S.REVISITED),
    # 重办: the caller says it is not solved; back to the department.
    "reopen": (frozenset({S.REPLIED, S.REVISITED}), S.DISPATCHED),
    "archive": (frozenset({S.REVISITED, S.ANSWERED}), S.ARCHIVED),
    # 督办: the centre presses the department; the level rises each time.
    "supervise": (frozenset({S.DISPATCHED, S.ACKNOWLEDGED, S.RETURNED}), "="),
    # 并案: a duplicate joins another order and is answered with it.
    "merge": (frozenset({S.REGISTERED, S.DISPATCHED, S.ACKNOWLEDGED, S.RETURNED}), S.MERGED),
    # 补充诉求: the caller adds information while the order is open.
    "add_info": (frozenset(OPEN), "="),
}

ACTION_LABELS = {
    "register": "登记",
    "answer_directly": "直接答复",
    "hand_over": "移交应急",
    "dispatch": "派单",
    "acknowledge": "签收",
    "return": "退单",
    "request_extension": "申请延期",
    "approve_extension": "批准延期",
    "refuse_extension": "不批准延期",
    "reply": "办结答复",
    "revisit": "回访",
    "reopen": "重办",
    "archive": "归档",
    "supervise": "督办",
    "merge": "并案",
    "add_info": "补充诉求",
    "answered_with": "随主工单答复",
    "escalate": "逾期自动督办",
    "deadline_change": "时限变更",
}

TERMINAL = frozenset({S.ARCHIVED, S.MERGED, S.HANDED_OVER})

CENTRE = frozenset({Role.HOTLINE_OPERATOR, Role.HOTLINE_DISPATCHER})
DISPATCH = frozenset({Role.HOTLINE_DISPATCHER})
DEPARTMENT = frozenset({Role.HANDLER, Role.DEPARTMENT_HEAD})
# Who acts at which step. Actions not listed are the caller's (add_info, and
# revisit and reopen when the caller rates the answer) or the scheduler's.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "answer_directly": CENTRE,
    "hand_over": CENTRE,
    "dispatch": DISPATCH,
    "acknowledge": DEPARTMENT,
    "return": DEPARTMENT,
    "request_extension": DEPARTMENT,
    "approve_extension": DISPATCH,
    "refuse_extension": DISPATCH,
    "reply": DEPARTMENT,
    "revisit": CENTRE,
    "reopen": CENTRE,
    "archive": CENTRE,
    "supervise": frozenset({Role.HOTLINE_DISPATCHER, Role.SUPERVISOR}),
    "merge": CENTRE,
}
# Roles that read orders (staff), and those that act on them.
READ_ROLES = (
    Role.HOTLINE_OPERATOR,
    Role.HOTLINE_DISPATCHER,
    Role.HANDLER,
    Role.DEPARTMENT_HEAD,
    Role.SUPERVISOR,
    Role.PLATFORM_ADMIN,
)


def target(action: str, status: str) -> str | None:
    """The state after ``action`` from ``status``, or None if not allowed."""
    sources, to = TRANSITIONS[action]
    if status not in sources:
        return None
    return status if to == "=" else to
