"""States and transitions of a payment order (CONVENTIONS 4).

One table; each action has one service in ``services/``. Out-of-order and
repeated callbacks are harmless because a provider's word only moves an order
along an edge of this table: a "failed" arriving after "paid" finds no edge.
"""

from __future__ import annotations

from tongban.payments.models import OrderStatus as S

# action → (allowed from-states, to-state)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    # The payer chooses a provider; after a failure they may try again.
    "start": (frozenset({S.CREATED, S.FAILED, S.PENDING}), S.PENDING),
    "succeed": (frozenset({S.CREATED, S.PENDING, S.FAILED}), S.PAID),
    "fail": (frozenset({S.PENDING}), S.FAILED),
    "expire": (frozenset({S.CREATED, S.PENDING, S.FAILED}), S.EXPIRED),
    # An expired order still counts as owed; the department lifts it by cancelling.
    "cancel": (frozenset({S.CREATED, S.PENDING, S.FAILED, S.EXPIRED}), S.CANCELLED),
    "refund_part": (frozenset({S.PAID, S.PART_REFUNDED}), S.PART_REFUNDED),
    "refund_full": (frozenset({S.PAID, S.PART_REFUNDED}), S.REFUNDED),
}

ACTION_LABELS = {
    "create": "开具缴款通知书",
    "start": "发起支付",
    "succeed": "缴款成功",
    "fail": "支付失败",
    "expire": "逾期未缴",
    "cancel": "撤销",
    "refund_part": "部分退款",
    "refund_full": "全额退款",
}

TERMINAL = frozenset({S.EXPIRED, S.CANCELLED, S.REFUNDED})


def target(action: str, status: str) -> str | None:
    sources, to = TRANSITIONS[action]
    return to if status in sources else None
