"""States and transitions of a rectification (差评整改, CONVENTIONS 4).

open ──answer──▶ answered ──revisit──▶ revisited ──close──▶ closed
  │                 │                     │
  └──escalate───────┴──────escalate───────┘──▶ escalated ──answer──▶ answered

The department answers (cause and measures); the rater is called back (回访)
and says whether the answer satisfies; a supervisor then closes the loop with
its outcome, or escalates it (督办), after which the department answers again.

申诉: instead of answering, the department head may appeal a malicious or
mistaken rating (open or escalated ──appeal──▶ appealed); a platform
administrator decides with a reason: upheld ──▶ closed (the rating no longer
counts in the figures), rejected ──▶ open (the department must rectify).
"""

from __future__ import annotations

from tongban.evaluation.models import RectificationStatus as S
from tongban.org.models import Role

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "answer": (frozenset({S.OPEN, S.ESCALATED}), S.ANSWERED),
    "revisit": (frozenset({S.ANSWERED}), S.REVISITED),
    "close": (frozenset({S.REVISITED}), S.CLOSED),
    "escalate": (frozenset({S.OPEN, S.ANSWERED, S.REVISITED}), S.ESCALATED),
    "appeal": (frozenset({S.OPEN, S.ESCALATED}), S.APPEALED),
    "uphold_appeal": (frozenset({S.APPEALED}), S.CLOSED),
    "reject_appeal": (frozenset({S.APPEALED}), S.OPEN),
}

ACTION_LABELS = {
    "open": "发起整改",
    "answer": "整改答复",
    "revisit": "回访",
    "close": "办结",
    "escalate": "督办",
    "appeal": "申诉",
    "uphold_appeal": "申诉成立",
    "reject_appeal": "申诉不成立",
}

# The department answers; the supervisors (电子监察) call back, close and escalate.
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_HEAD, Role.REVIEWER, Role.WINDOW_CLERK})
SUPERVISE_ROLES = frozenset({Role.SUPERVISOR, Role.PLATFORM_ADMIN})
ACTION_ROLES: dict[str, frozenset[str]] = {
    "answer": DEPARTMENT_ROLES,
    "revisit": SUPERVISE_ROLES | {Role.DEPARTMENT_HEAD},
    "close": SUPERVISE_ROLES,
    "escalate": SUPERVISE_ROLES,
    "appeal": frozenset({Role.DEPARTMENT_HEAD}),
    # 申诉 is decided by the platform, not by the supervisors who watch the department.
    "uphold_appeal": frozenset({Role.PLATFORM_ADMIN}),
    "reject_appeal": frozenset({Role.PLATFORM_ADMIN}),
}
READ_ROLES = tuple(sorted(DEPARTMENT_ROLES | SUPERVISE_ROLES))

OPEN_STATUSES = (S.OPEN, S.ANSWERED, S.REVISITED, S.ESCALATED, S.APPEALED)


def target(action: str, status: str) -> str | None:
    """The state ``action`` leads to from ``status``, or None when not allowed."""
    allowed, to = TRANSITIONS[action]
    return to if status in allowed else None
