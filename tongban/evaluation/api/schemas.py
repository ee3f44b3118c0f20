"""Request and answer schemas of the 好差评 API (``evaluation.api``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from tongban.evaluation.models import RatingReason, RectificationStatus


class RatingIn(Schema):
    level: str = Field(
        max_length=24,
        description="very_satisfied（非常满意）、satisfied（满意）、basically_satisfied（基本满意）、"
        "dissatisfied（不满意）或 very_dissatisfied（非常不满意）",
    )
    reasons: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="评价原因代码："
        + "、".join(f"{c}（{lbl}）" for c, lbl in RatingReason.choices),
    )
    text: str = Field(default="", max_length=2000, description="评价内容（不超过 500 字）")


class RectificationBrief(Schema):
    id: int
    status: str
    status_label: str
    due_on: dt.date = Field(description="整改期限（该日为最后一日）")
    measures: str
    outcome: str


class RatingOut(Schema):
    subject_kind: str
    subject_no: str = Field(description="办件编号或工单编号")
    channel: str
    level: str
    level_label: str
    is_bad: bool = Field(description="差评（不满意、非常不满意）")
    reasons: list[str]
    text: str
    rated_at: dt.datetime
    changed_at: dt.datetime | None = Field(description="修改时间；未修改为 null")
    previous_level: str = Field(description="修改前的等级；未修改为空")
    rectification: RectificationBrief | None


class RectificationEventOut(Schema):
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    reason: str


class RectificationOut(Schema):
    id: int
    version: int
    status: str
    status_label: str
    subject_no: str
    item_name: str
    department: str
    level: str
    level_label: str
    reasons: list[str]
    text: str
    rated_at: dt.datetime
    due_on: dt.date
    cause: str
    measures: str
    revisit_satisfied: bool | None
    revisit_note: str
    outcome: str
    on_time: bool | None
    escalations: int
    appeal_reason: str
    appeal_upheld: bool | None
    appeal_decision: str
    events: list[RectificationEventOut] = Field(default_factory=list)


class RectificationPage(Schema):
    items: list[RectificationOut]
    next_cursor: str | None


class RatingListQuery(Schema):
    status: RectificationStatus | None = None
    include_closed: bool = False
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=20, ge=1, le=100)


class AnswerIn(Schema):
    cause: str = Field(max_length=2000, description="原因分析")
    measures: str = Field(max_length=4000, description="整改措施或情况说明")


class RevisitIn(Schema):
    satisfied: bool = Field(description="评价人对整改是否满意")
    note: str = Field(default="", max_length=2000, description="回访记录")


class CloseIn(Schema):
    outcome: str = Field(default="", max_length=2000, description="整改结果")


class EscalateIn(Schema):
    reason: str = Field(max_length=2000, description="督办意见")


class FiguresQuery(Schema):
    group: Literal["department", "item"] = "department"
    since: dt.date | None = Field(default=None, description="起始日期（含）")
    until: dt.date | None = Field(default=None, description="截止日期（含）")


class FigureOut(Schema):
    key: int
    name: str
    ratings: int
    good: int
    bad: int
    rectified: int
    on_time: int
    due: int
    good_rate: float | None = Field(description="好评率：非常满意和满意 ÷ 评价数")
    on_time_rate: float | None = Field(description="整改按时率：按期答复 ÷ 已答复或已到期的整改")
    average_score: float | None = Field(description="平均分（5 分制）")


class AppealIn(Schema):
    reason: str = Field(max_length=2000, description="申诉理由（恶意评价或错误评价的事实）")


class AppealDecisionIn(Schema):
    upheld: bool = Field(description="申诉是否成立")
    reason: str = Field(max_length=2000, description="处理意见")
