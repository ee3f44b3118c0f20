"""States and transitions of a certificate (CONVENTIONS 4).

- 变更 (change): a new version replaces this one (行政许可法 第四十九条);
- 注销 (cancel): the licence ends without fault — expired and not renewed,
  the holder died or dissolved, the holder gave it up (第七十条);
- 吊销 (revoke): taken away as a penalty (行政处罚法 第九条);
- 撤销 (annul): the grant itself was unlawful, e.g. obtained by deception
  (行政许可法 第六十九条).
Each has one service in ``services/transitions.py``; a test walks every pair.
"""

from __future__ import annotations

from tongban.certificates.models import CertificateStatus as S

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "change": (frozenset({S.VALID}), S.SUPERSEDED),
    "cancel": (frozenset({S.VALID}), S.CANCELLED),
    "revoke": (frozenset({S.VALID}), S.REVOKED),
    "annul": (frozenset({S.VALID}), S.ANNULLED),
}

ACTION_LABELS = {
    "issue": "签发",
    "import": "存量导入",
    "change": "变更",
    "cancel": "注销",
    "revoke": "吊销",
    "annul": "撤销",
}


def target(action: str, status: str) -> str | None:
    sources, to = TRANSITIONS[action]
    return to if status in sources else None
