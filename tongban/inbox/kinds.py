"""Kinds of notice a person sets channels for (issue 14, item 5), by the
notification's ``purpose`` (``"<app>.<action>"``, see each app's notify helper).

``sms_required``: the platform must tell the applicant by SMS as well as in
the inbox, whatever she prefers — the acts of the licensing procedure that the
law requires to be notified: acceptance or refusal (行政许可法 第三十二条), the
one-time notice of what to supplement (第三十二条第一款第四项), the decision
(第三十八条) and its delivery (第四十四条); and one-time codes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NoticeKind:
    code: str
    label: str
    description: str
    purposes: tuple[str, ...]  # exact purposes, or prefixes ending in "."
    sms_required: bool = False


LEGAL = NoticeKind(
    "case_legal",
    "办件法定告知",
    "受理、不予受理、补正材料、许可决定、结果送达",
    (
        "case.accept",
        "case.deem_accept",
        "case.refuse",
        "case.request_supplement",
        "case.decide",
        "case.deliver",
        "bundle.notice",
        "bundle.refused",
        "bundle.ready",
        "bundle.deliver",
        "bundle.stop",
    ),
    sms_required=True,
)
PROGRESS = NoticeKind(
    "case_progress",
    "办件进度",
    "收件回执、当场办结、撤回、期限变化等",
    ("case.", "bundle."),
)
HOTLINE = NoticeKind("hotline", "12345 诉求", "登记、答复、办结", ("hotline.",))
EVALUATION = NoticeKind("evaluation", "评价邀请", "办结后请您评价", ("evaluation.",))
POLICY = NoticeKind("policy", "惠企政策", "企业符合的政策和免申即享", ("policy.",))
OTHER = NoticeKind("other", "其他通知", "证照到期、年报等提醒", ())

KINDS: tuple[NoticeKind, ...] = (LEGAL, PROGRESS, HOTLINE, EVALUATION, POLICY, OTHER)
BY_CODE = {k.code: k for k in KINDS}


def kind_of(purpose: str) -> NoticeKind:
    """The kind of a purpose: an exact purpose first, then the longest prefix."""
    for kind in KINDS:
        if purpose in kind.purposes:
            return kind
    best: NoticeKind | None = None
    best_len = 0
    for kind in KINDS:
        for prefix in kind.purposes:
            if prefix.endswith(".") and purpose.startswith(prefix) and len(prefix) > best_len:
                best, best_len = kind, len(prefix)
    return best or OTHER
