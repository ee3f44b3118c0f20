"""Request and response schemas of the cases API."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, field_validator, model_validator

from tongban.cases.models import (
    CaseStatus,
    DeliveryMethod,
    MaterialKind,
    Outcome,
    SuspensionReason,
)
from tongban.cases.services.intake import MaterialInput
from tongban.core.api.pagination import MAX_LIMIT
from tongban.core.api.schemas import InputSchema


def _strict_base64(value: str) -> str:
    compact = "".join(value.split())
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("文件内容不是合法的 Base64 编码") from None
    return compact


class MaterialIn(InputSchema):
    code: str = Field(min_length=1, max_length=40, description="材料编码（办事指南中的 code）")
    kind: Literal["upload", "deferred"] = Field(description="upload 上传文件；deferred 容缺后补")
    file_base64: str = Field(default="", description="文件内容（Base64）；PDF、JPG、PNG 或 OFD")
    file_name: str = Field(default="", max_length=200)

    @field_validator("file_base64")
    @classmethod
    def _decodable(cls, value: str) -> str:
        return _strict_base64(value) if value else value

    def as_input(self) -> MaterialInput:
        return MaterialInput(
            code=self.code,
            kind=self.kind,
            content=base64.b64decode(self.file_base64) if self.file_base64 else b"",
            file_name=self.file_name,
        )


class SupplementMaterialIn(InputSchema):
    code: str = Field(min_length=1, max_length=40, description="材料编码")
    file_base64: str = Field(min_length=1, description="文件内容（Base64）")
    file_name: str = Field(default="", max_length=200)

    @field_validator("file_base64")
    @classmethod
    def _decodable(cls, value: str) -> str:
        return _strict_base64(value)

    def as_input(self) -> MaterialInput:
        return MaterialInput(
            code=self.code,
            kind=MaterialKind.UPLOAD,
            content=base64.b64decode(self.file_base64),
            file_name=self.file_name,
        )


class ApplicantIn(InputSchema):
    kind: Literal["person", "legal_entity"] = Field(
        description="person：本人；legal_entity：本账号获授权的法人（本人为经办人）"
    )
    credit_code: str | None = Field(
        default=None, min_length=18, max_length=18, description="统一社会信用代码（法人申请时）"
    )

    @model_validator(mode="after")
    def _credit_code_for_entities(self) -> ApplicantIn:
        if self.kind == "legal_entity" and not self.credit_code:
            raise ValueError("以法人名义申请须填写统一社会信用代码")
        if self.kind == "person" and self.credit_code:
            raise ValueError("本人申请不填写统一社会信用代码")
        return self


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


class CaseSubmitIn(InputSchema):
    implementation_code: str = Field(min_length=1, max_length=40, description="事项实施编码")
    channel: Literal["online", "mobile", "api"] = Field(
        default="online", description="渠道；窗口收件通过工作台办理"
    )
    applicant: ApplicantIn
    form: dict[str, Any] = Field(default_factory=dict, description="申请表（字段编码 → 值）")
    situation: str = Field(default="", max_length=40, description="情形编码")
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50)
    commitment: bool = Field(default=False, description="告知承诺")

    @field_validator("form")
    @classmethod
    def _json_numbers(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Python's JSON parser reads NaN and Infinity, which no database JSON accepts.
        if not _finite(value):
            raise ValueError("申请表不能含 NaN 或无穷大")
        return value


class AcceptIn(InputSchema):
    deferred_codes: list[str] = Field(
        default_factory=list, max_length=50, description="容缺受理的材料编码"
    )


class RefuseIn(InputSchema):
    reason: str = Field(min_length=1, max_length=2000, description="不予受理的理由")
    legal_basis: str = Field(default="", max_length=2000)


class SupplementItemIn(InputSchema):
    code: str = Field(default="", max_length=40)
    name: str = Field(min_length=1, max_length=200)
    reason: str = Field(default="", max_length=500)


class RequestSupplementIn(InputSchema):
    items: list[SupplementItemIn] = Field(
        min_length=1, max_length=50, description="需要补正的全部材料（一次性告知）"
    )


class SupplementIn(InputSchema):
    materials: list[SupplementMaterialIn] = Field(min_length=1, max_length=50)


class SuspendIn(InputSchema):
    reason: SuspensionReason = Field(description="特别程序（行政许可法第四十五条）")
    note: str = Field(default="", max_length=500)


class ExtendIn(InputSchema):
    days: int = Field(ge=1, le=30, description="延长天数（一般不超过十日）")
    reason: str = Field(min_length=1, max_length=2000)


class DecideIn(InputSchema):
    outcome: Outcome
    reason: str = Field(min_length=1, max_length=2000)
    legal_basis: str = Field(min_length=1, max_length=2000)


class CommitmentIn(InputSchema):
    legal_basis: str = Field(min_length=1, max_length=2000)


class DeliverIn(InputSchema):
    method: DeliveryMethod
    tracking_no: str = Field(default="", max_length=60, description="邮寄单号（邮寄送达时必填）")


class WithdrawIn(InputSchema):
    reason: str = Field(default="", max_length=2000)


class HandleImmediatelyIn(InputSchema):
    outcome: Outcome
    reason: str = Field(min_length=1, max_length=2000)
    legal_basis: str = Field(default="", max_length=2000)
    delivery_method: DeliveryMethod = DeliveryMethod.WINDOW


class ItemRef(Schema):
    implementation_code: str
    name: str


class DepartmentRef(Schema):
    id: int
    name: str


class ClockOut(Schema):
    phase: Literal["acceptance", "decision", "delivery", "none"] = Field(
        description="acceptance 受理期限；decision 办结期限；delivery 送达期限；none 不计时"
    )
    deadline: dt.date | None
    working_days_left: int | None = Field(description="剩余工作日；逾期为负数")
    alert: Literal["none", "yellow", "red"] | None = Field(description="预警：黄牌、红牌")
    stopped: bool = Field(description="特别程序中，计时暂停")
    provisional: bool = Field(
        description="期限落在尚无国务院放假通知的年度，依据放假办法暂定（ADR-0006）"
    )


class DeadlinesOut(Schema):
    acceptance: dt.date | None
    decision: dt.date | None
    delivery: dt.date | None
    deferred_materials: dt.date | None = Field(description="容缺材料补交期限")
    provisional: list[Literal["acceptance", "decision", "delivery", "deferred_materials"]] = Field(
        description="其中依据放假办法暂定、待国务院放假通知发布后确认的期限（ADR-0006）"
    )


class MaterialOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    file_name: str
    content_type: str
    size: int
    supplied_at: dt.datetime | None


class EventOut(Schema):
    at: dt.datetime
    action: str
    action_label: str
    from_status: str
    to_status: str
    to_status_label: str
    reason: str
    actor: str | None = Field(description="操作人（仅工作人员可见）")
    details: dict[str, Any]


class ExemptionOut(Schema):
    code: str = Field(description="材料编码")
    name: str
    found: bool = Field(description="是否已通过数据共享或电子证照免于提交")
    source: str = Field(description="sharing 数据共享；certificates 电子证照库；未找到时为空")
    source_label: str
    reference: str = Field(description="证照标识或核验结果")
    reason: str = Field(description="未能免于提交的原因（请申请人上传）")


class DocumentOut(Schema):
    kind: str
    kind_label: str
    number: str
    issued_at: dt.datetime
    url: str


class CaseStateFields(Schema):
    """What the case page and every command's answer share (not a schema of its own)."""

    case_no: str
    tracking_code: str = Field(description="查询码：与办件编号一起免登录查询进度")
    version: int = Field(description="版本号（同 ETag），下一个命令的 If-Match")
    status: CaseStatus
    status_label: str
    item: ItemRef
    department: DepartmentRef
    channel: str
    applicant_kind: Literal["person", "legal_entity"]
    applicant_name: str
    situation: str
    commitment: bool
    received_at: dt.datetime
    accepted_on: dt.date | None
    deemed_accepted: bool
    refused_on: dt.date | None
    decided_on: dt.date | None
    delivered_on: dt.date | None
    concluded_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    outcome: str
    decision_reason: str
    decision_basis: str
    delivery_method: str
    tracking_no: str
    extension_days: int
    deadlines: DeadlinesOut
    clock: ClockOut
    exemptions: list[ExemptionOut] = Field(description="两个免于提交：每项政府核发材料的核验结果")


class CaseOut(CaseStateFields):
    form: dict[str, Any]
    materials: list[MaterialOut]
    timeline: list[EventOut]
    documents: list[DocumentOut]


class CaseSummaryOut(Schema):
    case_no: str
    version: int
    status: CaseStatus
    status_label: str
    item: ItemRef
    applicant_name: str = Field(description="申请人（自然人脱敏）")
    received_at: dt.datetime
    decision_deadline: dt.date | None
    clock: ClockOut


class CasePage(Schema):
    items: list[CaseSummaryOut]
    next_cursor: str | None = Field(description="下一页的游标；没有更多时为 null")


class PageQuery(Schema):
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)


class QueueQuery(PageQuery):
    status: CaseStatus | None = None
    queue: Literal["open", "window", "all"] = Field(
        default="open",
        description="open：在办（默认，不含不予受理、已办结、已撤回）；"
        "window：窗口待办（已提交、已补正）；all：全部",
    )
    q: str = Field(default="", max_length=50, description="办件编号开头或申请人名称")


class TrackIn(InputSchema):
    code: str | None = Field(
        default=None, min_length=8, max_length=16, description="查询码（受理通知书、短信中提供）"
    )
    id_last4: str | None = Field(
        default=None,
        min_length=4,
        max_length=4,
        pattern=r"^[0-9Xx]{4}$",
        description="自然人申请人身份证件号码后四位（仅返回状态与期限）",
    )

    @model_validator(mode="after")
    def _one_of_them(self) -> TrackIn:
        if (self.code is None) == (self.id_last4 is None):
            raise ValueError("请提供查询码或身份证件号码后四位（二者之一）")
        return self


class TrackingStepOut(Schema):
    at: dt.datetime
    action_label: str
    status: str
    status_label: str


class TrackingOut(Schema):
    case_no: str
    applicant_name: str = Field(description="申请人（脱敏）")
    item_name: str
    status: str
    status_label: str
    received_on: dt.date
    decision_deadline: dt.date | None
    decision_deadline_provisional: bool = Field(description="办结期限为暂定（ADR-0006）")
    full: bool = Field(description="凭查询码为完整结果；凭证件号码后四位时不含事项与办理记录")
    timeline: list[TrackingStepOut]


class RevealIn(InputSchema):
    field: str = Field(min_length=1, max_length=40, description="申请表字段编码")
    purpose: str = Field(min_length=4, max_length=200, description="查看用途（记入审计日志）")


class RevealOut(Schema):
    field: str
    label: str
    value: str


class ExemptionFigureOut(Schema):
    implementation_code: str
    item_name: str
    department_name: str
    cases: int = Field(description="办件数")
    exempted: int = Field(description="通过数据共享或电子证照免于提交的材料数")
    per_case: float = Field(description="每件免于提交的材料数")
