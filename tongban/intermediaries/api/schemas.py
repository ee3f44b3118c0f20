"""Schemas of the marketplace and trading API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from tongban.core.api.schemas import InputSchema


class ServiceTypeOut(Schema):
    code: str
    name: str
    approval_items: list[str]


class FeeOut(Schema):
    service_type: str
    service_name: str
    fee_basis: str
    fee_min_fen: int
    fee_max_fen: int


class QualificationOut(Schema):
    name: str
    number: str
    valid_until: dt.date | None


class AgencyOut(Schema):
    credit_code: str
    name: str
    region_code: str
    joined_at: dt.datetime
    introduction: str
    contact_name: str
    contact_phone_masked: str
    restricted: bool = Field(description="一处失信、全省受限：当前是否受限")
    services: list[FeeOut]
    qualifications: list[QualificationOut]


class AgencyPageOut(Schema):
    items: list[AgencyOut]
    next_cursor: str | None


class AgencyIn(InputSchema):
    credit_code: str = Field(description="要入驻的企业的统一社会信用代码（须为本账号获授权的企业）")
    contact_name: str
    contact_phone: str
    introduction: str = ""


class ServiceIn(InputSchema):
    service_type: str
    fee_basis: str
    fee_min_fen: int
    fee_max_fen: int


class QualificationIn(InputSchema):
    name: str
    number: str
    valid_until: dt.date | None = None


class ConsortiumIn(InputSchema):
    name: str
    member_codes: list[str] = Field(description="其他成员的统一社会信用代码")


class ConsortiumOut(Schema):
    id: int
    name: str
    lead: str
    members: list[str]


class AgencyPenaltyIn(InputSchema):
    kind: str = Field(description="warning 警示 / suspension 暂停承接业务")
    reason: str
    decided_by: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None


class AgencyPenaltyOut(Schema):
    id: int
    kind: str
    reason: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None


class PurchaseIn(InputSchema):
    title: str
    service_type: str
    region_code: str
    budget_fen: int
    service_days: int = Field(description="服务时限（工作日）")
    method: str = Field(description="direct / random / competitive / quality")
    description: str
    signup_closes_at: dt.datetime
    project_code: str = ""
    qualification: str = ""
    buyer_credit_code: str = Field("", description="以企业身份发布时：企业的统一社会信用代码")
    buyer_department_id: int | None = Field(None, description="以政府部门身份发布时：部门编号")
    restrictions: dict[str, object] = Field(
        default_factory=dict, description="资质以外的限制条件（一律不允许，列出即被拒绝并说明原因）"
    )


class SignupOut(Schema):
    id: int
    agency: str
    agency_name: str
    consortium: str
    price_fen: int | None
    quality_score: int | None
    status: str
    exclusion_reason: str
    signed_up_at: dt.datetime


class PurchaseOut(Schema):
    code: str
    title: str
    service_type: str
    service_name: str
    buyer_name: str
    region_code: str
    region_name: str
    project_code: str
    budget_fen: int
    qualification: str
    service_days: int
    method: str
    method_label: str
    description: str
    status: str
    status_label: str
    published_at: dt.datetime
    signup_closes_at: dt.datetime
    draw_public_id: uuid.UUID | None
    draw_url: str
    selected_agency: str
    selected_agency_name: str
    selection_reason: str
    publicity_ends_at: dt.datetime | None
    contract_fen: int | None
    contracted_at: dt.datetime | None
    service_due_on: dt.date | None
    alert_level: str
    delivered_at: dt.datetime | None
    rating: int | None
    signups: int


class PurchasePageOut(Schema):
    items: list[PurchaseOut]
    next_cursor: str | None


class PurchaseSignupIn(InputSchema):
    agency_code: str = ""
    price_fen: int | None = None
    proposal: str = ""
    consortium_id: int | None = None


class ScoreLine(InputSchema):
    signup_id: int
    score: int


class SelectIn(InputSchema):
    signup_id: int | None = None
    reason: str = ""
    scores: list[ScoreLine] = Field(default_factory=list)


class ObjectionIn(InputSchema):
    filer_name: str
    reason: str


class ObjectionDecideIn(InputSchema):
    upheld: bool
    answer: str


class ObjectionOut(Schema):
    id: int
    filer_name: str
    reason: str
    status: str
    answer: str
    filed_at: dt.datetime


def objection_out(o: Any) -> dict[str, Any]:
    """A purchase's or a tender's objection (both carry the same fields)."""
    return {
        "id": o.pk,
        "filer_name": o.filer_name,
        "reason": o.reason,
        "status": o.status,
        "answer": o.answer,
        "filed_at": o.filed_at,
    }


class ContractIn(InputSchema):
    contract_fen: int


class ServiceRatingIn(InputSchema):
    score: int
    comment: str = ""


class ServiceRatingOut(Schema):
    purchase: str
    agency: str
    score: int
    comment: str
    rated_at: dt.datetime


class MarketFiguresOut(Schema):
    purchases: int
    by_method: list[dict[str, object]]
    by_region: list[dict[str, object]]
    random_or_competitive_share: float | None
    median_days_to_contract: float | None
    contracted: int
    agencies_joined: int
    agencies_active: int
    average_rating: float | None
    rated: int
    open_purchases: int
    trading: list[dict[str, object]]


# --- trading -----------------------------------------------------------------------


class TenderIn(InputSchema):
    category: str = Field(description="construction / land_mining / state_property / procurement")
    title: str
    tenderer_name: str
    tenderer_code: str
    region_code: str
    budget_fen: int
    announcement: str
    bid_deadline: dt.datetime
    opens_at: dt.datetime | None = Field(
        default=None, description="开标时间，不早于投标截止时间；不填则截止即开标"
    )
    expert_specialty: str
    expert_count: int = 5
    min_bids: int = 3


class DocumentIn(InputSchema):
    kind: str = Field(description="document 招标文件 / clarification 澄清")
    title: str
    content: str


class TenderDocumentOut(Schema):
    kind: str
    title: str
    content: str
    sm3: str = Field(description="附件的 SM3（有附件时），否则为内容的 SM3")
    published_at: dt.datetime
    file_name: str = Field(default="", description="附件名称（上传的招标文件）")


class BidPublicOut(Schema):
    bidder_code: str
    bidder_name: str
    receipt: str = Field(description="投标文件（密文）的 SM3 摘要")
    submitted_at: dt.datetime
    status: str
    price_fen: int | None = Field(description="开标解密后公布")
    invalid_reason: str
    average_score: float | None
    rank: int | None


class ScoringCriterionOut(Schema):
    key: str
    name: str = Field(description="评分项")
    max: int = Field(description="分值上限")


class TenderOut(Schema):
    code: str
    category: str
    category_label: str
    title: str
    tenderer_name: str
    region_code: str
    budget_fen: int
    announcement: str
    published_at: dt.datetime
    bid_deadline: dt.datetime
    opening_time: dt.datetime = Field(description="开标时间")
    status: str
    status_label: str
    key_scheme: str
    opening_public_key: str
    expert_draw_public_id: uuid.UUID | None
    expert_draw_url: str
    publicity_ends_at: dt.datetime | None
    result_note: str
    scoring_criteria: list[ScoringCriterionOut] = Field(description="评分办法（满分 100）")
    evaluation_summary: str = Field(description="评标报告（组长汇总，公示时公开）")
    documents: list[TenderDocumentOut]
    bids: list[BidPublicOut]


class TenderPageItem(Schema):
    code: str
    category: str
    category_label: str
    title: str
    status: str
    status_label: str
    published_at: dt.datetime
    bid_deadline: dt.datetime
    result_note: str


class TenderPageOut(Schema):
    items: list[TenderPageItem]
    next_cursor: str | None


class BidIn(InputSchema):
    bidder_code: str = ""
    price_fen: int
    proposal: str = ""


class SealedBidIn(InputSchema):
    bidder_code: str = ""
    envelope: str
    code_hash: str


class BidReceiptOut(Schema):
    tender: str
    bidder_code: str
    receipt: str
    submitted_at: dt.datetime
    decryption_code: str = Field(
        description="解密码：仅此一次显示，平台只保存其摘要；开标时凭此解密，遗失则投标无效"
    )


class DecryptIn(InputSchema):
    bidder_code: str = ""
    decryption_code: str


class SheetLine(InputSchema):
    bid_bidder_code: str
    score: int


class SheetIn(InputSchema):
    expert_code: str
    scores: list[SheetLine]


class EvaluationSummaryIn(InputSchema):
    expert_code: str = Field(description="评标委员会组长的专家编号")
    summary: str = Field(description="评标报告，10–5000 字")
