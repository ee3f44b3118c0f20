"""Request and response schemas of the hotline API (names prefixed ``Hotline``:
one OpenAPI document holds every app's schemas)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from tongban.core.api.pagination import MAX_LIMIT
from tongban.core.api.schemas import InputSchema

ChannelIn = Literal["phone", "web", "mobile", "wechat", "email", "app"]
KindIn = Literal["consultation", "request", "complaint", "report", "suggestion", "praise"]


class HotlineCallerIn(InputSchema):
    name: str = Field(default="", max_length=60, description="来电人姓名（匿名时不填）")
    phone: str = Field(default="", max_length=20, description="联系电话：手机或带区号的固定电话")
    anonymous: bool = Field(default=False, description="来电人要求匿名")
    company: str = Field(default="", max_length=200, description="企业名称（企业诉求）")


class HotlineLocationIn(InputSchema):
    region_code: str = Field(min_length=6, max_length=12, description="区划代码（6 或 12 位）")
    address: str = Field(default="", max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class HotlineAttachmentIn(InputSchema):
    file_name: str = Field(default="", max_length=200)
    content_type: str = Field(default="", max_length=100, description="声明的类型，须与内容一致")
    content_base64: str = Field(min_length=1, max_length=14_000_000)


class HotlineOrderIn(InputSchema):
    channel: ChannelIn
    kind: KindIn
    urgency: Literal["normal", "urgent"] = "normal"
    title: str = Field(default="", max_length=100)
    content: str = Field(max_length=5000, description="诉求内容（不能为空）")
    subject_name: str = Field(default="", max_length=200, description="被反映对象（单位或场所）")
    caller: HotlineCallerIn
    location: HotlineLocationIn
    category_code: str = Field(default="", max_length=20, description="诉求分类（末级）")
    emergency: Literal["", "110", "119", "120", "122"] = Field(
        default="", description="紧急警情：移交 110/119/120/122，不作为工单办理"
    )
    attachments: list[HotlineAttachmentIn] = Field(default_factory=list, max_length=5)


class HotlineCategoryRef(Schema):
    code: str
    name: str


class HotlineDepartmentRef(Schema):
    id: int
    name: str


class HotlineEventOut(Schema):
    at: dt.datetime
    action: str
    action_label: str
    from_status: str
    to_status: str
    reason: str
    actor: str | None = None
    details: dict[str, Any]


class HotlineClockOut(Schema):
    dispatch_due_at: dt.datetime | None
    handle_due_at: dt.datetime | None
    working_days_left: int | None
    overdue: bool
    provisional: bool


class HotlineOrderOut(Schema):
    order_no: str
    version: int
    status: str
    status_label: str
    channel: str
    kind: str
    urgency: str
    emergency: str
    title: str
    content: str
    subject_name: str
    caller_name: str
    caller_phone: str = Field(description="脱敏显示")
    anonymous: bool
    region_code: str
    address: str
    latitude: float | None
    longitude: float | None
    category: HotlineCategoryRef | None
    suggested_category: HotlineCategoryRef | None
    suggested_department: HotlineDepartmentRef | None
    department: HotlineDepartmentRef | None
    registered_at: dt.datetime
    clock: HotlineClockOut
    extension_status: str
    extension_requested_days: int
    extended_working_days: int
    escalation_level: int
    reply_text: str
    reply_action: str
    cited_articles: list[str]
    solved: bool | None
    satisfaction: int | None
    merged_into: str | None
    attachments: list[dict[str, Any]]
    timeline: list[HotlineEventOut]


class HotlineOrderSummary(Schema):
    order_no: str
    version: int
    status: str
    status_label: str
    kind: str
    urgency: str
    title: str
    category: HotlineCategoryRef | None
    department: HotlineDepartmentRef | None
    registered_at: dt.datetime
    clock: HotlineClockOut
    escalation_level: int


class HotlineOrderPage(Schema):
    items: list[HotlineOrderSummary]
    next_cursor: str | None


class HotlineQueueQuery(Schema):
    queue: Literal["all", "dispatch", "department", "revisit"] = "all"
    status: str | None = Field(default=None, max_length=16)
    q: str | None = Field(default=None, max_length=60)
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)


class HotlineAnswerDirectlyIn(InputSchema):
    answer: str = Field(max_length=5000)
    category_code: str = Field(max_length=20)
    cited_articles: list[str] = Field(default_factory=list, max_length=10)


class HotlineHandOverIn(InputSchema):
    service: Literal["110", "119", "120", "122"]
    note: str = Field(default="", max_length=500)


class HotlineDispatchIn(InputSchema):
    department_id: int = Field(ge=1, le=2**62)
    category_code: str = Field(max_length=20)
    note: str = Field(default="", max_length=500)


class HotlineReasonIn(InputSchema):
    reason: str = Field(max_length=2000)


class HotlineExtensionIn(InputSchema):
    working_days: int = Field(ge=1, le=30)
    reason: str = Field(max_length=2000)


class HotlineNoteIn(InputSchema):
    note: str = Field(default="", max_length=500)


class HotlineReplyIn(InputSchema):
    answer: str = Field(max_length=5000)
    action_taken: str = Field(max_length=5000)
    cited_articles: list[str] = Field(default_factory=list, max_length=10)


class HotlineRevisitIn(InputSchema):
    solved: bool
    satisfaction: int = Field(ge=1, le=5, description="1 非常不满意 … 5 非常满意")
    note: str = Field(default="", max_length=500)


class HotlineMergeIn(InputSchema):
    into_order_no: str = Field(min_length=1, max_length=24)


class HotlineTrackIn(InputSchema):
    order_no: str = Field(min_length=1, max_length=24)
    phone: str = Field(min_length=1, max_length=20)


class HotlineTrackOut(Schema):
    order_no: str
    status: str
    status_label: str
    title: str
    registered_at: dt.datetime
    department: str | None
    reply_text: str
    reply_action: str
    merged_into: str | None


class HotlineSuggestIn(InputSchema):
    content: str = Field(min_length=1, max_length=5000)
    region_code: str = Field(min_length=6, max_length=12)


class HotlineCandidateOut(Schema):
    category: HotlineCategoryRef
    probability: float


class HotlineSuggestionOut(Schema):
    category: HotlineCategoryRef | None
    department: HotlineDepartmentRef | None
    candidates: list[HotlineCandidateOut]


class HotlineCategoryOut(Schema):
    code: str
    name: str
    parent: str | None
    leaf: bool
    handle_working_days: int | None
    business_environment: bool


class HotlineArticleOut(Schema):
    code: str
    title: str
    question: str
    answer: str
    category: str | None
    source: str
    valid_from: dt.date
    valid_until: dt.date | None


class HotlineKnowledgeQuery(Schema):
    q: str = Field(default="", max_length=100)
    category: str = Field(default="", max_length=20)


class HotlineStatsQuery(Schema):
    date_from: dt.date
    date_to: dt.date
    region: str = Field(default="", max_length=12)


class HotlineStatsOut(Schema):
    date_from: dt.date
    date_to: dt.date
    region: str
    total: int
    by_status: dict[str, int]
    by_kind: list[dict[str, Any]]
    by_category: list[dict[str, Any]]
    by_region: list[dict[str, Any]]
    hot_words: list[dict[str, Any]]
    rising_words: list[dict[str, Any]]
    repeated_places: list[dict[str, Any]]
    repeated_subjects: list[dict[str, Any]]
    departments: list[dict[str, Any]]
    routing: dict[str, Any]
