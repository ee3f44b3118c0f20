"""States and transitions of bundles (CONVENTIONS 4): one table per machine.

Definition versions (as guides, ``catalog.workflow``)::

    draft ──submit──▶ in_review ──publish──▶ published ──(newer)──▶ superseded
      ▲                   │
      └──────reject───────┘

Applications::

    in_progress ──ready──▶ ready ──deliver──▶ delivered ──conclude──▶ concluded
         │  ▲                │
         │  └──(a member still running: back)
         ├──stop──▶ stopped      (no member can give a result any more)
         └──withdraw──▶ withdrawn (the applicant, before any result is out)

Members (one per item of an application)::

    waiting ──start──▶ running ──result──▶ result
       │  └──fail──▶ failed        ├──refuse──▶ refused
       └──stop──▶ stopped          └──withdraw──▶ withdrawn

Joint procedures: scheduled ──conclude──▶ concluded; scheduled ──cancel──▶ cancelled.
"""

from __future__ import annotations

from tongban.bundles.models import ApplicationStatus as A
from tongban.bundles.models import JointStatus as J
from tongban.bundles.models import MemberStatus as M
from tongban.bundles.models import VersionStatus as V

VERSION_TRANSITIONS: dict[str, tuple[str, str]] = {
    "submit": (V.DRAFT, V.IN_REVIEW),
    "reject": (V.IN_REVIEW, V.DRAFT),
    "publish": (V.IN_REVIEW, V.PUBLISHED),
    "supersede": (V.PUBLISHED, V.SUPERSEDED),
}

VERSION_LABELS = {
    "create": "创建草稿",
    "update": "修改草稿",
    "submit": "提交审核",
    "reject": "退回修改",
    "publish": "审核发布",
    "supersede": "被新版本取代",
}

# action → (allowed from-states, to-state); "=" keeps the state.
APPLICATION_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "ready": (frozenset({A.IN_PROGRESS}), A.READY),
    "reopen": (frozenset({A.READY}), A.IN_PROGRESS),
    "deliver": (frozenset({A.READY}), A.DELIVERED),
    "conclude": (frozenset({A.DELIVERED}), A.CONCLUDED),
    "stop": (frozenset({A.IN_PROGRESS, A.READY}), A.STOPPED),
    "withdraw": (frozenset({A.IN_PROGRESS}), A.WITHDRAWN),
    # 行政许可法 第四十二条第二款: once, by 15 working days, with the head's approval.
    "extend": (frozenset({A.IN_PROGRESS, A.READY}), "="),
    "supplement": (frozenset({A.IN_PROGRESS}), "="),
}

APPLICATION_LABELS = {
    "submit": "提交申请",
    "ready": "结果齐备，待统一出件",
    "reopen": "继续办理",
    "deliver": "统一出件",
    "conclude": "办结",
    "stop": "终止办理",
    "withdraw": "撤回申请",
    "extend": "延长办理期限",
    "supplement": "补正材料",
    "notice": "一次性告知补正",
    "joint_schedule": "安排联合办理",
    "joint_opinion": "签署联合办理意见",
    "joint_conclude": "形成联合意见",
    "joint_cancel": "取消联合办理",
}

MEMBER_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({M.WAITING}), M.RUNNING),
    "fail": (frozenset({M.WAITING}), M.FAILED),
    "stop": (frozenset({M.WAITING}), M.STOPPED),
    "result": (frozenset({M.RUNNING}), M.RESULT),
    "refuse": (frozenset({M.RUNNING}), M.REFUSED),
    "withdraw": (frozenset({M.RUNNING}), M.WITHDRAWN),
}

MEMBER_LABELS = {
    "start": "转办部门，开始办理",
    "fail": "未能转办",
    "stop": "终止（前置事项未获准予）",
    "result": "作出准予决定",
    "refuse": "未获准予",
    "withdraw": "撤回",
}

# A member in these states will never give a result.
MEMBER_CLOSED = frozenset({M.REFUSED, M.STOPPED, M.WITHDRAWN, M.FAILED})

JOINT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "opinion": (frozenset({J.SCHEDULED}), "="),
    "conclude": (frozenset({J.SCHEDULED}), J.CONCLUDED),
    "cancel": (frozenset({J.SCHEDULED}), J.CANCELLED),
}


def version_allowed(action: str, status: str) -> bool:
    return action in VERSION_TRANSITIONS and VERSION_TRANSITIONS[action][0] == status


def _target(table: dict[str, tuple[frozenset[str], str]], action: str, status: str) -> str | None:
    sources, to = table[action]
    if status not in sources:
        return None
    return status if to == "=" else to


def application_target(action: str, status: str) -> str | None:
    return _target(APPLICATION_TRANSITIONS, action, status)


def member_target(action: str, status: str) -> str | None:
    return _target(MEMBER_TRANSITIONS, action, status)


def joint_target(action: str, status: str) -> str | None:
    return _target(JOINT_TRANSITIONS, action, status)


# Events of an application for the departments' systems (``integration`` webhooks),
# as the cases emit theirs: submitted, a member released to its department (its
# case filed), and the results handed out together.
BUNDLE_EVENTS = ("bundle.submitted", "bundle.member_released", "bundle.delivered")
