"""States and transitions of a case (CONVENTIONS 4).

One table; each transition has one service in ``services.py``. A test walks
every allowed and every forbidden pair.
"""

from __future__ import annotations

from tongban.cases import errors
from tongban.cases.models import CaseStatus as S
from tongban.core.errors import ErrorCode
from tongban.org.models import Role

# action → (allowed from-states, to-state)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    # 受理 / 不予受理 / 一次性告知补正 (行政许可法 第三十二条)
    "accept": (frozenset({S.SUBMITTED, S.SUPPLEMENTED}), S.ACCEPTED),
    "deem_accept": (frozenset({S.SUBMITTED}), S.ACCEPTED),
    "refuse": (frozenset({S.SUBMITTED, S.SUPPLEMENTED}), S.REFUSED),
    # 一次性告知: once. After a supplement the clerk accepts or refuses with reasons.
    "request_supplement": (frozenset({S.SUBMITTED}), S.SUPPLEMENT_REQUESTED),
    "supplement": (frozenset({S.SUPPLEMENT_REQUESTED}), S.SUPPLEMENTED),
    # 审查 (第三十四条), 特别程序 (第四十五条), 延期 (第四十二条)
    "start_review": (frozenset({S.ACCEPTED}), S.UNDER_REVIEW),
    "suspend": (frozenset({S.UNDER_REVIEW}), S.SUSPENDED),
    "resume": (frozenset({S.SUSPENDED}), S.UNDER_REVIEW),
    "extend": (frozenset({S.ACCEPTED, S.UNDER_REVIEW, S.SUSPENDED}), "="),
    # 决定 (第三十八条), 送达 (第四十四条), 办结
    "decide": (frozenset({S.ACCEPTED, S.UNDER_REVIEW}), S.DECIDED),
    "deliver": (frozenset({S.DECIDED}), S.DELIVERED),
    "conclude": (frozenset({S.DELIVERED}), S.CONCLUDED),
    # 撤回: by the applicant before a decision
    "withdraw": (
        frozenset(
            {
                S.SUBMITTED,
                S.SUPPLEMENT_REQUESTED,
                S.SUPPLEMENTED,
                S.ACCEPTED,
                S.UNDER_REVIEW,
                S.SUSPENDED,
            }
        ),
        S.WITHDRAWN,
    ),
    # 即办件: accepted, decided and concluded on the spot in one action
    "handle_immediately": (frozenset({S.SUBMITTED}), S.CONCLUDED),
    # 告知承诺: accepted and granted at once; the commitment is checked later
    "grant_on_commitment": (frozenset({S.SUBMITTED}), S.DECIDED),
    # 容缺后补: deferred materials handed in after acceptance (state unchanged)
    "supply_deferred": (frozenset({S.ACCEPTED, S.UNDER_REVIEW, S.SUSPENDED}), "="),
}

ACTION_LABELS = {
    "submit": "提交申请",
    "accept": "受理",
    "deem_accept": "视为受理",
    "refuse": "不予受理",
    "request_supplement": "一次性告知补正",
    "supplement": "补正材料",
    "start_review": "开始审查",
    "suspend": "中止（特别程序）",
    "resume": "恢复审查",
    "extend": "延长期限",
    "decide": "作出决定",
    "deliver": "送达",
    "conclude": "办结",
    "withdraw": "撤回申请",
    "handle_immediately": "即办",
    "grant_on_commitment": "告知承诺准予",
    "grant_by_policy": "免申即享准予",
    "supply_deferred": "补交容缺材料",
    "deadline_change": "期限变更",
    "fees": "应缴费用变更",
}

TERMINAL = frozenset({S.REFUSED, S.CONCLUDED, S.WITHDRAWN})

# Refusals of the table that the law explains better than "not in this state":
# (action, status) → (error, Chinese detail).
REFUSALS: dict[tuple[str, str], tuple[ErrorCode, str]] = {
    ("request_supplement", S.SUPPLEMENTED): (
        errors.SUPPLEMENT_ONCE,
        "补正材料只能一次性告知（行政许可法第三十二条）。申请人已按告知补正，"
        "请依法受理，或说明理由不予受理。",
    ),
    ("request_supplement", S.SUPPLEMENT_REQUESTED): (
        errors.SUPPLEMENT_ONCE,
        "已一次性告知补正，请等待申请人补正材料（行政许可法第三十二条）。",
    ),
}


def target(action: str, status: str) -> str | None:
    """The state after ``action`` from ``status``, or None if not allowed."""
    sources, to = TRANSITIONS[action]
    if status not in sources:
        return None
    return status if to == "=" else to


FRONT = frozenset({Role.WINDOW_CLERK, Role.DEPARTMENT_HEAD})
REVIEW = frozenset({Role.REVIEWER, Role.DEPARTMENT_HEAD})
ANY_HANDLER = frozenset({Role.WINDOW_CLERK, Role.REVIEWER, Role.DEPARTMENT_HEAD})
# Who acts at which step (DESIGN §8): the window receives and delivers,
# reviewers examine and decide, only the department head extends (第四十二条).
# Actions not listed here are the applicant's (supplement, withdraw) or the
# scheduler's (deem_accept).
ACTION_ROLES: dict[str, frozenset[str]] = {
    "accept": FRONT,
    "refuse": FRONT,
    "request_supplement": FRONT,
    "handle_immediately": FRONT,
    "grant_on_commitment": FRONT,
    "start_review": REVIEW,
    "suspend": REVIEW,
    "resume": REVIEW,
    "decide": REVIEW,
    "extend": frozenset({Role.DEPARTMENT_HEAD}),
    "deliver": ANY_HANDLER,
    "conclude": ANY_HANDLER,
}
