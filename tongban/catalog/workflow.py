"""States and transitions of a guide version (CONVENTIONS 4).

draft ──submit──▶ in_review ──publish──▶ published ──(newer published)──▶ superseded
  ▲                   │
  └──────reject───────┘
"""

from __future__ import annotations

from tongban.catalog.models import GuideStatus

TRANSITIONS: dict[str, tuple[GuideStatus, GuideStatus]] = {
    "submit": (GuideStatus.DRAFT, GuideStatus.IN_REVIEW),
    "reject": (GuideStatus.IN_REVIEW, GuideStatus.DRAFT),
    "publish": (GuideStatus.IN_REVIEW, GuideStatus.PUBLISHED),
    "supersede": (GuideStatus.PUBLISHED, GuideStatus.SUPERSEDED),
}

ACTION_LABELS = {
    "create": "创建草稿",
    "update": "修改草稿",
    "submit": "提交审核",
    "reject": "退回修改",
    "publish": "审核发布",
    "supersede": "被新版本取代",
}


def allowed(action: str, status: str) -> bool:
    return action in TRANSITIONS and TRANSITIONS[action][0] == status
