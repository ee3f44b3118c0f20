"""The transition table of a purchase (CONVENTIONS 4)."""

from __future__ import annotations

from tongban.intermediaries.models import PurchaseStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.SIGNUP: frozenset({S.SELECTING, S.CANCELLED}),
    S.SELECTING: frozenset({S.PUBLICITY, S.FAILED, S.CANCELLED}),
    S.PUBLICITY: frozenset({S.CONTRACTED, S.FAILED}),
    S.CONTRACTED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.RATED}),
    S.RATED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
