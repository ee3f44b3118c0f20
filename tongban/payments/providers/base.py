"""The provider interface: create, query, notify, refund, statement.

Every amount is integer fen. A provider answers in these plain records, so
that the services never see a provider's own formats.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Created:
    txn_id: str  # the provider's transaction number
    pay_url: str  # where the payer is sent to pay


@dataclass(frozen=True)
class ProviderStatus:
    """What the provider says of one payment (a callback or a query's answer)."""

    payment_code: str
    txn_id: str
    status: str  # "success" | "failed" | "waiting" | "closed"
    amount_fen: int
    paid_at: dt.datetime | None
    notify_id: str = ""


@dataclass(frozen=True)
class Refunded:
    refund_id: str


@dataclass(frozen=True)
class StatementLine:
    line_no: int
    payment_code: str
    txn_id: str
    kind: str  # "pay" | "refund"
    amount_fen: int
    at: dt.datetime


class Provider(Protocol):
    code: str
    name: str

    def create(self, *, payment_code: str, amount_fen: int, now: dt.datetime) -> Created:
        """Open (or reopen: idempotent per payment code) the provider's payment."""

    def query(self, *, payment_code: str, txn_id: str) -> ProviderStatus | None:
        """The provider's current word on a payment; None if it knows none."""

    def verify(self, *, body: bytes, signature: str) -> ProviderStatus:
        """Check the signature of a callback and read it; raise DomainError if forged."""

    def refund(
        self, *, txn_id: str, amount_fen: int, refund_key: str, now: dt.datetime
    ) -> Refunded:
        """Pay ``amount_fen`` back (idempotent per ``refund_key``)."""

    def statement(self, *, day: dt.date) -> str:
        """The day's statement file (对账单) as text."""

    def parse_statement(self, text: str) -> tuple[dt.date, list[StatementLine]]:
        """Read a statement file; raise DomainError naming the first bad line."""
