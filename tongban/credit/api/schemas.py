"""Request and response shapes of the credit API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class MeasureOut(Schema):
    measure: str
    description: str
    implementing_department: str


class ListOut(Schema):
    code: str
    name: str
    kind: str
    department: str
    legal_basis: str
    way_out: str
    measures: list[MeasureOut]


class EntryOut(Schema):
    id: int
    list_code: str
    list_name: str
    kind: str
    department: str
    subject_kind: str
    subject_code: str = Field(description="法人的统一社会信用代码；自然人为空")
    subject_name: str = Field(description="自然人姓名脱敏")
    reason: str
    legal_basis: str
    listed_on: dt.date
    valid_until: dt.date
    status: str
    removed_on: dt.date | None
    way_out: str


class PenaltyOut(Schema):
    decision_no: str
    department: str
    legal_basis: str
    subject_kind: str
    subject_code: str
    subject_name: str
    facts: str
    kind: str
    kind_label: str
    amount_fen: int = Field(description="罚没金额（分）")
    decided_on: dt.date


class ClassChangeOut(Schema):
    from_class: str
    to_class: str
    rule_version: str
    explanation: str
    changed_at: dt.datetime


class SubjectOut(Schema):
    credit_code: str
    name: str
    credit_class: str = Field(description="A/B/C/D，规则见 docs/credit.md")
    rule_version: str
    entries: list[EntryOut]
    penalties: list[PenaltyOut]
    class_changes: list[ClassChangeOut]


class RepairIn(Schema):
    subject_code: str = Field(min_length=18, max_length=18, description="统一社会信用代码")
    list_code: str = Field("", max_length=40, description="只申请移出该名单；空为全部失信名单")
    reason: str = Field(max_length=2000)
    evidence: str = Field(max_length=4000, description="整改情况及证明")


class RepairOut(Schema):
    id: int
    entry: EntryOut
    reason: str
    evidence: str
    status: str
    submitted_at: dt.datetime
    reviewed_at: dt.datetime | None
    review_note: str
    removed_on: dt.date | None


class ReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class PenaltyIn(Schema):
    department_id: int = Field(ge=1, le=2_000_000_000, description="处罚机关")
    decision_no: str = Field("", max_length=100, description="处罚决定书文号（必填）")
    legal_basis: str = Field("", max_length=2000, description="处罚依据（必填）")
    subject_kind: str = Field(description="entity 或 person")
    subject_code: str = Field(max_length=64, description="统一社会信用代码或公民身份号码")
    subject_name: str = Field(max_length=200)
    facts: str = Field(max_length=4000)
    kind: str = Field(description="warning、fine、licence、restriction、detention、other")
    amount_fen: int = Field(0, ge=0, le=10**13, description="罚没金额（分）")
    decided_on: dt.date


class ImportIn(Schema):
    department_id: int = Field(ge=1, le=2_000_000_000)
    content_base64: str = Field(max_length=14_000_000, description="xlsx 文件，base64")


class EntryIn(Schema):
    subject_kind: str = Field(description="entity 或 person")
    subject_code: str = Field(max_length=64)
    subject_name: str = Field("", max_length=200)
    reason: str = Field(max_length=500)
    legal_basis: str = Field(max_length=2000)
    valid_until: dt.date
