"""Supervision API at /api/v1/supervision/: the alerts in the caller's scope.

GET /api/v1/supervision/alerts   open yellow and red alerts (cursor pages)
GET /api/v1/supervision/hotline  open 12345 alerts per handling department
GET /api/v1/supervision/rectifications  open 差评整改 per department (overdue first)
GET /api/v1/supervision/bundles  open 一件事 alerts of the lead departments' desks
GET /api/v1/supervision/error-reports  纠错 reports unanswered past their deadline
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tongban.core import clock
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.identity.auth import api_auth
from tongban.supervision import selectors
from tongban.supervision.appointments import error_report_alerts_for_staff
from tongban.supervision.bundles import bundle_alert_list_for_staff
from tongban.supervision.evaluation import rectification_alert_summary_for_staff
from tongban.supervision.hotline import hotline_alert_summary_for_staff
from tongban.supervision.models import Alert, AlertKind, AlertLevel

router = Router(tags=["电子监察"])


class AlertOut(Schema):
    case_no: str = Field(description="办件编号")
    item_name: str = Field(description="事项名称")
    department: str = Field(description="办理部门")
    kind: AlertKind = Field(
        description="acceptance（受理期限）、decision（办结期限）、delivery（送达期限）、"
        "deferred_materials（容缺材料补交期限）或 post_check（告知承诺核查期限）"
    )
    kind_label: str
    level: AlertLevel = Field(description="yellow（黄色预警）或 red（红色预警，已逾期）")
    level_label: str
    deadline: dt.date = Field(description="期限（该日为最后一日）")
    working_days_left: int = Field(description="最近一次扫描时的剩余工作日；逾期为负数")
    raised_at: dt.datetime = Field(description="预警发出时间")
    level_changed_at: dt.datetime = Field(description="当前等级的起始时间")
    message: str


class AlertPage(Schema):
    items: list[AlertOut]
    next_cursor: str | None = Field(description="下一页的游标；没有更多时为 null")


class AlertsQuery(Schema):
    level: AlertLevel | None = None
    kind: AlertKind | None = None
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


def _alert_out(alert: Alert) -> dict[str, object]:
    return {
        "case_no": alert.case.case_no,
        "item_name": alert.case.service_item.name,
        "department": alert.department.name,
        "kind": alert.kind,
        "kind_label": AlertKind(alert.kind).label,
        "level": alert.level,
        "level_label": AlertLevel(alert.level).label,
        "deadline": alert.deadline,
        "working_days_left": alert.working_days_left,
        "raised_at": alert.raised_at,
        "level_changed_at": alert.level_changed_at,
        "message": alert.message,
    }


@router.get(
    "/alerts",
    response={200: AlertPage, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="预警列表",
    description="本人数据范围内（区划、部门）未解除的黄色、红色预警，期限最早的在前。"
    "监察人员、部门负责人、窗口人员和审批人员可见；无相应角色时为空列表。",
)
def alerts_list(request: HttpRequest, params: Query[AlertsQuery]) -> dict[str, object]:
    page = selectors.alert_list_for_staff(
        user=request.user,
        level=params.level.value if params.level else None,
        kind=params.kind.value if params.kind else None,
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": [_alert_out(a) for a in page.items], "next_cursor": page.next_cursor}


class HotlineAlertRow(Schema):
    department_id: int | None = Field(description="承办单位；待派单的工单为 null")
    department: str
    yellow: int = Field(description="黄色预警数")
    red: int = Field(description="红色预警（已逾期）数")
    escalation_level: int = Field(description="最高督办等级")


@router.get(
    "/hotline",
    response={200: list[HotlineAlertRow], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="12345 工单预警（按承办单位）",
    description="本人数据范围内未解除的 12345 派单、办理时限预警，按承办单位汇总，逾期多的在前。",
)
def hotline_alerts(request: HttpRequest) -> list[dict[str, object]]:
    return hotline_alert_summary_for_staff(user=request.user)


class RectificationAlertRow(Schema):
    department_id: int
    department: str
    open: int = Field(description="未办结的差评整改数")
    overdue: int = Field(description="逾期未答复数（红色）")
    escalated: int = Field(description="督办中")
    appealed: int = Field(description="申诉中")


@router.get(
    "/rectifications",
    response={200: list[RectificationAlertRow], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="差评整改预警（按部门）",
    description="本人数据范围内未办结的差评整改，按部门汇总，逾期未答复多的在前。",
)
def rectification_alerts(request: HttpRequest) -> list[dict[str, object]]:
    return rectification_alert_summary_for_staff(user=request.user, today=clock.today())


class BundleAlertOut(Schema):
    application_no: str = Field(description="一件事申请编号")
    bundle: str = Field(description="一件事名称")
    member: str = Field(description="成员事项名称；一件事本身的期限为空")
    case_no: str = Field(description="成员事项的办件编号；一件事本身为空")
    department: str = Field(description="牵头部门")
    phase: str = Field(
        description="bundle（一件事承诺办结期限）、acceptance、decision 或 delivery（统一出件期限）"
    )
    level: AlertLevel = Field(description="yellow（黄色预警）或 red（红色预警，已逾期）")
    deadline: dt.date
    working_days_left: int = Field(description="最近一次扫描时的剩余工作日；逾期为负数")
    raised_at: dt.datetime
    message: str


class BundleAlertsQuery(Schema):
    level: AlertLevel | None = None
    limit: int = Field(default=100, ge=1, le=200)


@router.get(
    "/bundles",
    response={200: list[BundleAlertOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="一件事预警（牵头部门）",
    description="本人数据范围内牵头办理的一件事未解除的预警：一件事的承诺办结期限，以及各成员事项"
    "的受理、办结、统一出件期限；期限最早的在前。",
)
def bundle_alerts(
    request: HttpRequest, params: Query[BundleAlertsQuery]
) -> list[dict[str, object]]:
    return [
        {
            "application_no": a.application.application_no,
            "bundle": a.application.bundle.name,
            "member": a.member_name,
            "case_no": a.case_no,
            "department": a.department.name,
            "phase": a.phase,
            "level": a.level,
            "deadline": a.deadline,
            "working_days_left": a.working_days_left,
            "raised_at": a.raised_at,
            "message": a.message,
        }
        for a in bundle_alert_list_for_staff(
            user=request.user,
            level=params.level.value if params.level else None,
            limit=params.limit,
        )
    ]


class ErrorReportAlertOut(Schema):
    code: str = Field(description="纠错编号")
    hall: str
    window: str = Field(description="窗口编号；未指明时为空")
    due_on: dt.date = Field(description="答复期限")
    days_overdue: int = Field(description="已逾期天数")
    alerted_on: dt.date = Field(description="发出预警的日期")


@router.get(
    "/error-reports",
    response={200: list[ErrorReportAlertOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="纠错超期预警",
    description="本人监督的大厅中超过答复期限仍未答复的纠错（每件预警一次），逾期久的在前。",
)
def error_report_alerts(request: HttpRequest) -> list[dict[str, object]]:
    return error_report_alerts_for_staff(user=request.user)
