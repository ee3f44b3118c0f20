"""Request and response schemas of the bundles API (names prefixed: the OpenAPI
document has one namespace for every app's schemas)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, field_validator

from tongban.bundles.services.applications import MaterialGiven
from tongban.cases.api.schemas import ApplicantIn
from tongban.core.api.pagination import MAX_LIMIT
from tongban.core.api.schemas import InputSchema


def _strict_base64(value: str) -> str:
    compact = "".join(value.split())
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("文件内容不是合法的 Base64 编码") from None
    return compact


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


# --- definitions ---------------------------------------------------------------------


class BundleListQuery(Schema):
    category: Literal["flagship", "provincial", "local"] | None = None
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class BundleDepartmentOut(Schema):
    name: str
    credit_code: str


class BundleSummaryOut(Schema):
    code: str
    name: str
    category: str
    reach: str
    region_code: str
    promised_days: int | None
    promised_unit: str
    joint: bool
    member_count: int


class BundlePage(Schema):
    items: list[BundleSummaryOut]
    next_cursor: str | None


class BundleMemberDefOut(Schema):
    key: str
    name: str
    implementation_code: str
    department: str
    depends_on: list[str]
    optional: bool
    layer: int = Field(description="办理批次：同一批次的事项并联办理")
    promised_limit: str


class BundleFieldUseOut(Schema):
    member: str
    code: str
    required: bool
    supplied_by: str = Field(description="由哪一事项的办理结果填写；空为申请人填写")


class BundleFieldOut(Schema):
    code: str
    label: str
    type: str
    required: bool
    asked: bool
    options: list[str]
    reason: str
    explanation: str
    uses: list[BundleFieldUseOut]


class BundleMaterialOut(Schema):
    key: str
    name: str
    needed: bool
    submitted: bool = Field(description="是否需要申请人提交（政府核发或前一事项结果提供的不需要）")
    exempt: bool
    provided_by: str
    deferrable: bool
    reason: str
    explanation: str
    members: list[str]


class BundleSavingsOut(Schema):
    fields_separate: int
    fields_merged: int
    fields_saved: int
    materials_separate: int
    materials_merged: int
    materials_saved: int


class BundleDetailOut(Schema):
    code: str
    name: str
    category: str
    reach: str
    version: int
    description: str
    audience: list[str]
    lead_label: str
    cooperating_label: str
    lead_departments: list[BundleDepartmentOut]
    cooperating_departments: list[BundleDepartmentOut]
    promised_limit: str
    joint: bool
    project_required: bool
    critical_path_days: int
    members: list[BundleMemberDefOut]
    form: list[BundleFieldOut]
    materials: list[BundleMaterialOut]
    savings: BundleSavingsOut
    delivery: list[str]


class BundleStatsOut(Schema):
    code: str
    applications: int
    with_all_results: int
    median_working_days: float | None
    p90_working_days: float | None
    within_limit_share: float | None = Field(description="在承诺时限内办结的比例（0–1）")
    savings: BundleSavingsOut


# --- applications ----------------------------------------------------------------------


class BundleMaterialIn(InputSchema):
    key: str = Field(min_length=1, max_length=90, description="材料清单中的材料标识")
    kind: Literal["upload", "deferred"] = "upload"
    file_base64: str = Field(default="", description="文件内容（Base64）；PDF、JPG、PNG 或 OFD")
    file_name: str = Field(default="", max_length=200)

    @field_validator("file_base64")
    @classmethod
    def _decodable(cls, value: str) -> str:
        return _strict_base64(value) if value else value

    def as_given(self) -> MaterialGiven:
        return MaterialGiven(
            key=self.key,
            kind=self.kind,
            content=base64.b64decode(self.file_base64) if self.file_base64 else b"",
            file_name=self.file_name,
        )


class BundleApplicationIn(InputSchema):
    channel: Literal["online", "mobile", "api"] = "online"
    applicant: ApplicantIn
    form: dict[str, Any] = Field(default_factory=dict, description="综合申请表（字段编码 → 值）")
    situations: dict[str, str] = Field(default_factory=dict, description="事项标识 → 情形编码")
    members: list[str] | None = Field(
        default=None, max_length=30, description="申请的事项（可选事项须列出）；不填为全部事项"
    )
    materials: list[BundleMaterialIn] = Field(default_factory=list, max_length=60)

    @field_validator("form")
    @classmethod
    def _json_numbers(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not _finite(value):
            raise ValueError("申请表不能含 NaN 或无穷大")
        return value


class BundleMemberOut(Schema):
    key: str
    name: str
    status: str
    status_label: str
    department: str
    depends_on: list[str]
    case_no: str | None
    case_status: str | None
    decision_deadline: dt.date | None
    reason: str


class BundleNoticeRequestOut(Schema):
    member_name: str
    department: str
    case_no: str
    reason: str


class BundleNoticeEntryOut(Schema):
    key: str
    name: str
    requests: list[BundleNoticeRequestOut]


class BundleNoticeOut(Schema):
    number: int
    status: str
    issued_at: dt.datetime
    answered_at: dt.datetime | None
    items: list[BundleNoticeEntryOut]


class BundleEventOut(Schema):
    at: dt.datetime
    action: str
    action_label: str
    member: str
    to_status: str
    reason: str


class BundleJointParticipantOut(Schema):
    department_id: int
    department: str
    result: str
    opinion: str


class JointProcedureOut(Schema):
    id: int
    kind: str
    title: str
    scheduled_at: dt.datetime
    place: str
    status: str
    outcome: str
    combined_opinion: str
    participants: list[BundleJointParticipantOut]


class BundleApplicationOut(Schema):
    application_no: str
    tracking_code: str
    version: int
    bundle: str
    bundle_name: str
    status: str
    status_label: str
    applicant_name: str
    received_at: dt.datetime
    deadline: dt.date | None
    working_days_left: int | None
    alert: str | None
    legal_deadline: dt.date | None = Field(
        description="统一办理的法定期限（四十五个工作日，可延长十五日）"
    )
    extension_days: int
    project_code: str | None
    established_credit_code: str | None
    delivery_method: str
    delivered_on: dt.date | None
    form: dict[str, Any]
    members: list[BundleMemberOut]
    notices: list[BundleNoticeOut]
    joint_procedures: list[JointProcedureOut]
    timeline: list[BundleEventOut]


class BundleApplicationSummaryOut(Schema):
    application_no: str
    bundle: str
    bundle_name: str
    status: str
    status_label: str
    received_at: dt.datetime
    deadline: dt.date | None


class BundleApplicationPage(Schema):
    items: list[BundleApplicationSummaryOut]
    next_cursor: str | None


class BundlePageQuery(Schema):
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)


class BundleSupplementFileIn(InputSchema):
    key: str = Field(min_length=1, max_length=10, description="告知书中的材料标识（s1、s2…）")
    file_base64: str = Field(min_length=1)
    file_name: str = Field(default="", max_length=200)

    @field_validator("file_base64")
    @classmethod
    def _decodable(cls, value: str) -> str:
        return _strict_base64(value)


class BundleSupplementIn(InputSchema):
    files: list[BundleSupplementFileIn] = Field(min_length=1, max_length=50)


class BundleDeliverIn(InputSchema):
    method: Literal["window", "post"]
    tracking_no: str = Field(default="", max_length=60)


class BundleExtendIn(InputSchema):
    days: int = Field(ge=1, le=15, description="延长的工作日数（不超过十五日）")
    reason: str = Field(min_length=1, max_length=500)
    approver: str = Field(min_length=1, max_length=100, description="批准延长的本级人民政府负责人")


class BundleWithdrawIn(InputSchema):
    reason: str = Field(default="", max_length=500)


class JointProcedureIn(InputSchema):
    kind: Literal["drawing_review", "survey", "site_inspection", "acceptance"]
    scheduled_at: dt.datetime
    place: str = Field(min_length=1, max_length=200)
    members: list[str] = Field(min_length=2, max_length=20)
    title: str = Field(default="", max_length=200)
    suspends_clocks: bool = True


class JointOpinionIn(InputSchema):
    department_id: int = Field(ge=1, le=2**31 - 1)
    result: Literal["agree", "conditions", "disagree"]
    opinion: str = Field(default="", max_length=4000)


# --- projects --------------------------------------------------------------------------


class ProjectApprovalOut(Schema):
    case_no: str | None = Field(description="办件编号（仅项目单位可见）")
    item: str
    department: str
    status: str
    status_label: str
    stage: str = Field(description="阶段：receiving、reviewing、decided、refused、withdrawn")
    stage_label: str
    received_at: dt.datetime | None = Field(description="收件时间（仅项目单位可见）")
    decision_deadline: dt.date | None
    working_days_left: int | None
    alert: str | None
    bundle_application: str | None


class ProjectStageOut(Schema):
    stage: str
    label: str
    count: int


class ProjectBundleOut(Schema):
    application_no: str | None = Field(description="申请编号（仅项目单位可见）")
    bundle: str
    status: str
    members: int
    members_with_result: int


class ProjectOut(Schema):
    code: str
    name: str
    kind: str
    project_type: str
    owner_name: str
    owner_credit_code: str
    region_code: str
    address: str
    total_investment: str
    zone: str | None
    registered_at: dt.datetime
    owner_view: bool = Field(description="调用方是否为项目单位（或其获授权的账号）")
    stage: str = Field(description="none（尚未申报）、in_progress（办理中）、done（已全部办结）")
    stage_label: str
    stages: list[ProjectStageOut]
    approvals: list[ProjectApprovalOut]
    bundles: list[ProjectBundleOut]
    bundle_applications: list[str]


class ProjectRegisterIn(InputSchema):
    name: str = Field(min_length=2, max_length=200)
    kind: Literal["filing", "approval", "government"] = "filing"
    project_type: Literal["01", "02", "03", "04", "05"] = "01"
    guidance_code: str = Field(default="89", pattern=r"^[0-9]{2}$")
    owner_credit_code: str = Field(min_length=18, max_length=18)
    region_code: str = Field(min_length=6, max_length=6, pattern=r"^[0-9]{6}$")
    address: str = Field(min_length=2, max_length=200)
    total_investment: float = Field(ge=0, le=1e13, description="总投资（万元）")
    zone_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
