"""Public working-day calendar API (no login): /api/v1/calendar/…"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.calendar import MAX_DAYS, DayKind, get_calendar

router = Router(tags=["工作日历"])


_PROVISIONAL_FIELD = Field(
    description="依据《全国年节及纪念日放假办法》推算、尚无国务院放假通知的年度（ADR-0006）"
)


class DayOut(Schema):
    date: dt.date
    working: bool
    kind: DayKind
    name: str
    provisional: bool = _PROVISIONAL_FIELD


class AddWorkingDaysIn(Schema):
    start: dt.date
    days: int = Field(ge=0, le=MAX_DAYS)


class AddWorkingDaysOut(Schema):
    start: dt.date
    days: int
    date: dt.date
    provisional: bool = _PROVISIONAL_FIELD


class BetweenIn(Schema):
    start: dt.date
    end: dt.date


class BetweenOut(Schema):
    start: dt.date
    end: dt.date
    count: int
    provisional: bool = _PROVISIONAL_FIELD


@router.get(
    "/days/{date}", response={200: DayOut, **PROBLEM_RESPONSES}, auth=None, summary="某日是否工作日"
)
def calendar_day(request: HttpRequest, date: dt.date) -> DayOut:
    day = get_calendar().day(date)
    return DayOut(
        date=day.date,
        working=day.working,
        kind=day.kind,
        name=day.name,
        provisional=day.provisional,
    )


@router.get(
    "/add-working-days",
    response={200: AddWorkingDaysOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="起始日后第 N 个工作日",
)
def calendar_add_working_days(
    request: HttpRequest, params: Query[AddWorkingDaysIn]
) -> AddWorkingDaysOut:
    cal = get_calendar()
    result = cal.add_working_days(params.start, params.days)
    return AddWorkingDaysOut(
        start=params.start, days=params.days, date=result, provisional=cal.is_provisional(result)
    )


@router.get(
    "/working-days-between",
    response={200: BetweenOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="两日之间的工作日数",
)
def calendar_working_days_between(request: HttpRequest, params: Query[BetweenIn]) -> BetweenOut:
    cal = get_calendar()
    count = cal.working_days_between(params.start, params.end)
    provisional = cal.is_provisional(max(params.start, params.end))
    return BetweenOut(start=params.start, end=params.end, count=count, provisional=provisional)
