"""The content of a guide (办事指南): one typed document per version.

A guide version stores this document as JSON; it is validated by these
pydantic models on every write, linted before publication (``lint.py``),
compared between versions (``selectors.guide_diff``), exported and imported
(``transfer.py``) and snapshotted by cases. Field names follow GLOSSARY.md;
the "八公开" elements (R-CT-1) are: 办理主体 (the service item's department),
办理依据 (``legal_bases``), 办理条件 (``conditions``), 办理程序 (``steps``),
办理时限 (``legal_limit``/``promised_limit``), 办理结果 (``result``), 收费依据
and 收费标准 (``fees``).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Text = Annotated[str, Field(max_length=2000)]
ShortText = Annotated[str, Field(max_length=200)]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LimitUnit(StrEnum):
    WORKING_DAYS = "working_days"
    NATURAL_DAYS = "natural_days"


class TimeLimit(Strict):
    value: int = Field(ge=0, le=3650)
    unit: LimitUnit = LimitUnit.WORKING_DAYS

    def label(self) -> str:
        unit = "个工作日" if self.unit == LimitUnit.WORKING_DAYS else "个自然日"
        return f"{self.value}{unit}"


class Handling(StrEnum):
    IMMEDIATE = "immediate"  # 即办件
    PROMISED = "promised"  # 承诺件


class Audience(StrEnum):
    PERSON = "person"  # 个人
    LEGAL_ENTITY = "legal_entity"  # 法人


class ServiceMode(StrEnum):
    NO_VISIT = "no_visit"  # 一次不跑
    ONE_VISIT = "one_visit"  # 只跑一次
    ON_THE_SPOT = "on_the_spot"  # 马上办
    NEARBY = "nearby"  # 就近办
    NO_MEETING = "no_meeting"  # 不见面审批
    FULLY_ONLINE = "fully_online"  # 全程网办
    APPOINTMENT = "appointment"  # 可预约
    POST = "post"  # 可邮寄
    DEFERRED_MATERIALS = "deferred_materials"  # 容缺受理
    COMMITMENT = "commitment"  # 告知承诺


SERVICE_MODE_LABELS = {
    ServiceMode.NO_VISIT: "一次不跑",
    ServiceMode.ONE_VISIT: "只跑一次",
    ServiceMode.ON_THE_SPOT: "马上办",
    ServiceMode.NEARBY: "就近办",
    ServiceMode.NO_MEETING: "不见面审批",
    ServiceMode.FULLY_ONLINE: "全程网办",
    ServiceMode.APPOINTMENT: "可预约",
    ServiceMode.POST: "可邮寄",
    ServiceMode.DEFERRED_MATERIALS: "容缺受理",
    ServiceMode.COMMITMENT: "告知承诺",
}


class LegalBasis(Strict):
    """A law, regulation or normative document, and the article that applies."""

    title: ShortText = Field(min_length=2)  # e.g. 《中华人民共和国行政许可法》
    article: ShortText = ""  # e.g. 第三十条
    excerpt: Text = ""


class Fee(Strict):
    name: ShortText = Field(min_length=1)
    standard: ShortText = Field(min_length=1)  # 收费标准, e.g. 每件 80 元
    basis: ShortText = ""  # 收费依据: the document that sets the fee


class SpecialProcedure(StrEnum):
    """特别程序 that stop the clock (行政许可法 第四十五条)."""

    HEARING = "hearing"  # 听证
    TESTING = "testing"  # 检验、检测
    INSPECTION = "inspection"  # 现场勘验、检疫
    EXPERT_REVIEW = "expert_review"  # 专家评审


class ProcessStep(Strict):
    name: ShortText = Field(min_length=1)  # 受理, 审查, 决定, 送达…
    role: ShortText = ""  # who does it: 窗口人员, 审批人员, 部门负责人…
    department: ShortText = ""  # empty: the item's own department
    share_percent: int = Field(default=0, ge=0, le=100)  # share of the promised limit
    special_procedure: SpecialProcedure | None = None
    description: Text = ""


class Requirement(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    SITUATIONAL = "situational"  # only in the listed situations


class Media(StrEnum):
    PAPER = "paper"
    ELECTRONIC = "electronic"
    EITHER = "either"


class MaterialSource(StrEnum):
    APPLICANT = "applicant"  # 申请人自备
    GOVERNMENT = "government"  # 政府部门核发
    INTERMEDIARY = "intermediary"  # 中介机构出具


class MaterialRequirement(Strict):
    code: Code
    name: ShortText = Field(min_length=1)
    requirement: Requirement = Requirement.REQUIRED
    situations: list[Code] = Field(default_factory=list)
    originals: int = Field(default=1, ge=0, le=20)
    copies: int = Field(default=0, ge=0, le=20)
    media: Media = Media.EITHER
    blank_form: ShortText = ""  # file name or URL of the blank form
    sample: ShortText = ""  # file name or URL of a filled-in sample
    source: MaterialSource = MaterialSource.APPLICANT
    certificate_type: ShortText = ""  # for government-issued materials: which certificate
    exempt: bool = False  # 免于提交: obtained by data sharing (两个免于提交)
    deferrable: bool = False  # may be supplied after acceptance (容缺受理)
    legal_basis: ShortText = ""
    notes: Text = ""


class AnswerOption(Strict):
    code: Code
    label: ShortText = Field(min_length=1)
    next_question: Code | None = None  # the question asked after this answer, if any
    situation: Code | None = None  # the situation this answer leads to, if any


class Question(Strict):
    code: Code
    text: ShortText = Field(min_length=1)
    options: list[AnswerOption] = Field(min_length=2)


class Situation(Strict):
    """An applicant situation (情形) that changes the materials."""

    code: Code
    name: ShortText = Field(min_length=1)
    description: Text = ""


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    DATE = "date"
    SELECT = "select"
    CHECKBOX = "checkbox"
    ID_NUMBER = "id_number"
    CREDIT_CODE = "credit_code"
    PHONE = "phone"
    REGION = "region"
    BANK_ACCOUNT = "bank_account"


# Types whose values are personal data (R-SC-1): encrypted at rest, masked when
# shown. A field of another type is personal when it says ``sensitive`` (a
# person's address, say).
PERSONAL_TYPES = frozenset({FieldType.ID_NUMBER, FieldType.PHONE, FieldType.BANK_ACCOUNT})
# Bounds a number field has when its definition sets none: finite, and within
# what a form could mean (a registered capital of 10^15 万元 is not a number).
NUMBER_LIMIT = 10**15
DEFAULT_DECIMALS = 4
# Dates a form field accepts when its definition sets no range.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


class FormField(Strict):
    """One field of the application form. ``code`` names a reusable field
    definition (``FieldDefinition``) so that bundles can merge forms: two items
    asking for ``applicant_name`` ask for the same thing."""

    code: Code
    label: ShortText = Field(min_length=1)
    type: FieldType = FieldType.TEXT
    required: bool = True
    options: list[ShortText] = Field(default_factory=list)
    max_length: int | None = Field(default=None, ge=1, le=10000)
    pattern: ShortText = ""
    help_text: ShortText = ""
    # Personal data beyond the personal types (住址 of a person, say).
    sensitive: bool = False
    # Bounds of a number field, and the decimals it keeps.
    min_value: float | None = Field(default=None, ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)
    max_value: float | None = Field(default=None, ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)
    decimals: int | None = Field(default=None, ge=0, le=6)
    # The range of a date field.
    min_date: dt.date | None = None
    max_date: dt.date | None = None
    # A situation question whose answer is this field's value (the chosen
    # option's label): the applicant who answered it is not asked again (R-PL-2).
    question: Code | None = None

    @property
    def personal(self) -> bool:
        """Encrypted at rest and masked when shown (R-SC-1)."""
        return self.sensitive or self.type in PERSONAL_TYPES

    @model_validator(mode="after")
    def _select_has_options(self) -> FormField:
        if self.type == FieldType.SELECT and len(self.options) < 2:
            raise ValueError("下拉选择字段至少需要两个选项")
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValueError("最小值不能大于最大值")
        if self.min_date and self.max_date and self.min_date > self.max_date:
            raise ValueError("最早日期不能晚于最晚日期")
        return self


class Contact(Strict):
    kind: ShortText = Field(min_length=1)  # 咨询电话, 监督投诉电话…
    value: ShortText = Field(min_length=1)


class LicenceSeparationMode(StrEnum):
    """证照分离 reform modes for business-licence items."""

    CANCELLED = "cancelled"  # 直接取消审批
    FILING = "filing"  # 审批改为备案
    COMMITMENT = "commitment"  # 实行告知承诺
    OPTIMISED = "optimised"  # 优化审批服务


class GuideContent(Strict):
    name: ShortText = Field(min_length=2)
    aliases: list[ShortText] = Field(default_factory=list)
    keywords: list[ShortText] = Field(default_factory=list)
    audience: list[Audience] = Field(min_length=1)
    themes: list[ShortText] = Field(default_factory=list)
    handling: Handling = Handling.PROMISED
    legal_limit: TimeLimit
    promised_limit: TimeLimit
    online_depth: int = Field(ge=1, le=4)  # 网办深度 I–IV
    visits_required: int = Field(ge=0, le=2)  # 跑动次数
    mobile: bool = False  # 掌上办
    free: bool = True
    fees: list[Fee] = Field(default_factory=list)
    conditions: list[Text] = Field(default_factory=list)  # 受理条件
    legal_bases: list[LegalBasis] = Field(default_factory=list)
    result: ShortText = ""  # 办理结果, e.g. 营业执照
    result_certificate_type: ShortText = ""
    steps: list[ProcessStep] = Field(default_factory=list)
    situations: list[Situation] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    materials: list[MaterialRequirement] = Field(default_factory=list)
    form: list[FormField] = Field(default_factory=list)
    modes: list[ServiceMode] = Field(default_factory=list)
    commitment_text: Text = ""  # 告知承诺书 text, when ``commitment`` is a mode
    halls: list[ShortText] = Field(default_factory=list)  # hall names where it is handled
    address: ShortText = ""
    office_hours: ShortText = ""
    contacts: list[Contact] = Field(default_factory=list)
    licence_separation: LicenceSeparationMode | None = None
    prior_approval: bool = False  # 前置审批事项
    intermediary_service: bool = False  # 需中介服务
    # 申请人最低实名认证等级 (issue 14, item 2): 1–3, none when any account may apply.
    min_real_name_level: int | None = Field(default=None, ge=1, le=3)
    notes: Text = ""


# --- wording of time limits (issue 20, item 4) --------------------------------

IMMEDIATE_TEXT = "即办"


def is_immediate(guide: GuideContent) -> bool:
    """即办件, or a promised limit of 0 days: handled on the spot."""
    return guide.handling == Handling.IMMEDIATE or guide.promised_limit.value == 0


def promised_limit_text(guide: GuideContent) -> str:
    """承诺时限 as people say it: "即办" for a 即办件, else "5 个工作日"."""
    if is_immediate(guide):
        return IMMEDIATE_TEXT
    unit = "个工作日" if guide.promised_limit.unit == LimitUnit.WORKING_DAYS else "个自然日"
    return f"{guide.promised_limit.value} {unit}"


def step_share_text(guide: GuideContent, share_percent: int) -> str:
    """How long one step takes, from its share of the promised limit: "当场办结"
    for a 即办件, else whole days "1 个工作日内" (a part of a day rounds up to
    one day: nobody promises half a working day)."""
    if not share_percent:
        return ""
    if is_immediate(guide):
        return "当场办结"
    limit = guide.promised_limit
    unit = "个工作日" if limit.unit == LimitUnit.WORKING_DAYS else "个自然日"
    hundredths = limit.value * share_percent
    days = max(1, -(-hundredths // 100))  # ceil, at least one day
    return f"{days} {unit}内"
