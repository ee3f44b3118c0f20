"""Schemas of the payments API. Amounts are integer fen (分)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class FeeLineOut(Schema):
    name: str
    basis: str = Field(description="收费依据")
    quantity: int | None = None
    unit: str = ""
    gross_fen: int
    waived_fen: int
    waiver: str = Field("", description="减免（如有）")
    amount_fen: int


class OrderOut(Schema):
    payment_code: str = Field(description="20 位缴款码（末位为 Damm 校验位）")
    status: str
    status_label: str
    version: int
    case_no: str | None
    department: str = Field(description="执收单位")
    payer_name: str
    amount_fen: int
    paid_fen: int
    refunded_fen: int
    lines: list[FeeLineOut]
    due_on: dt.date = Field(description="缴款期限（工作日计算）")
    pay_before: str = Field(
        description="收费环节：须在哪一步之前缴清（acceptance 受理前缴清，delivery 送达前缴清）"
    )
    pay_before_label: str = Field(description="收费环节的中文名称，如“送达前缴清”")
    provider: str
    created_at: dt.datetime
    paid_at: dt.datetime | None
    receipt_number: str | None = None
    receipt_url: str | None = None


class PayIn(Schema):
    provider: str = Field("sim", max_length=20, description="支付渠道，如 sim（模拟支付）")


class PayOut(Schema):
    order: OrderOut
    pay_url: str = Field(description="跳转到支付渠道的收银台")


class LineIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    basis: str = Field(..., min_length=2, max_length=200)
    amount_fen: int | float | str = Field(..., description="整数分；小数或负数为 422")


class OrderIn(Schema):
    case_no: str | None = Field(None, max_length=24)
    payer_name: str = Field(..., min_length=1, max_length=200)
    lines: list[LineIn] = Field(..., min_length=1, max_length=50)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=2, max_length=500)


class RefundIn(Schema):
    amount_fen: int | float | str
    reason: str = Field(..., min_length=2, max_length=500)


class NoteIn(Schema):
    note: str = Field("", max_length=500)


class RefundOut(Schema):
    id: int
    payment_code: str
    amount_fen: int
    reason: str
    status: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class NotifyOut(Schema):
    outcome: str


class StatementIn(Schema):
    provider: str = Field("sim", max_length=20)
    text: str = Field(..., min_length=1, max_length=200_000_000)


class MismatchOut(Schema):
    id: int
    kind: str
    kind_label: str
    payment_code: str
    ours_fen: int | None
    theirs_fen: int | None
    line_no: int | None
    resolution: str
    resolved_at: dt.datetime | None


class PaymentDayOut(Schema):
    id: int
    provider: str
    day: dt.date
    status: str
    lines: int
    total_fen: int
    digest: str
    imported_at: dt.datetime
    closed_at: dt.datetime | None
    mismatches: list[MismatchOut] = []


class ResolveIn(Schema):
    resolution: str = Field(..., min_length=2, max_length=500)


class ReceiptOut(Schema):
    number: str
    check_code: str
    payment_code: str
    payer_name: str
    payee: str
    paid_fen: int
    refunded_fen: int
    paid_at: dt.datetime | None
    status: str


class PaymentFiguresQuery(Schema):
    first: dt.date | None = Field(None, alias="from", description="起始日期，默认截止日前 29 天")
    last: dt.date | None = Field(None, alias="to", description="截止日期，默认今天；至多一年")


class PaymentFiguresOut(Schema):
    start: dt.date
    end: dt.date
    issued: int
    issued_fen: int
    paid: int
    paid_fen: int
    paid_online: int
    online_share: float | None
    median_minutes_to_pay: float | None
    refunds: int
    refunded_fen: int
    by_department: list[dict[str, object]]
    by_item: list[dict[str, object]]
