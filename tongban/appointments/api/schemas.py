"""Request and answer schemas of the appointments API (``appointments.api``)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class ThemeOut(Schema):
    id: int
    prefix: str
    name: str
    windows: list[str] = Field(description="服务窗口编号")
    minutes_per_ticket: int


class HoursOut(Schema):
    day_kind: str = Field(description="working（工作日）或 rest（周末延时错时服务）")
    opens: dt.time
    closes: dt.time


class HallOut(Schema):
    id: int
    name: str
    region: str = Field(description="所属区划代码")
    region_name: str
    address: str
    phone: str
    opening_hours: str = Field(description="办公时间（文字说明）")
    hours: list[HoursOut]
    themes: list[ThemeOut]
    level: str = Field(description="层级：province/city/county/township/village/outlet")
    level_label: str
    latitude: float | None = Field(description="纬度（度），按 coordinate_system")
    longitude: float | None = Field(description="经度（度）")
    coordinate_system: str = Field(description="gcj02 或 wgs84")
    transport: str = Field(description="交通指引")


class SlotOut(Schema):
    date: dt.date
    start: dt.time
    end: dt.time
    capacity: int
    remaining: int
    open: bool = Field(description="可预约：尚未开始且有余号")


class SlotsQuery(Schema):
    start_date: dt.date | None = Field(None, alias="from", description="起始日期，默认今天")
    days: int = Field(14, ge=1, le=31)


class HallsQuery(Schema):
    region: str = Field("", max_length=12, pattern=r"^[0-9]*$", description="行政区划代码")
    item: str = Field("", max_length=40, description="事项实施编码：只列出可办理该事项的大厅")


class BookIn(Schema):
    theme_id: int = Field(ge=1, le=2_000_000_000)
    date: dt.date
    start: dt.time
    service_item_id: int | None = Field(None, ge=1, le=2_000_000_000)


class RescheduleIn(Schema):
    date: dt.date
    start: dt.time


class AppointmentOut(Schema):
    code: str = Field(description="预约号")
    status: str
    status_label: str
    hall: str
    address: str
    theme: str
    date: dt.date
    start: dt.time
    end: dt.time
    service_item: str
    channel: str
    version: int


class BlockOut(Schema):
    blocked_until: dt.date | None = Field(description="因爽约暂停网上预约的最后一日；未暂停为空")


class TakeIn(Schema):
    green_channel: bool = Field(False, description="绿色通道（老年人、残疾人等）")


class CheckInIn(Schema):
    code: str = Field(min_length=4, max_length=20, description="预约号")


class FinishIn(Schema):
    case_no: str = Field("", max_length=40, description="在窗口受理的办件编号（可选）")


class TransferIn(Schema):
    theme_id: int = Field(ge=1, le=2_000_000_000)


class TicketOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    hall: str
    theme: str
    priority: int
    window: str
    taken_at: dt.datetime
    called_at: dt.datetime | None
    calls: int
    ahead: int = Field(description="前面等候的人数")
    wait_minutes: int = Field(description="预计等候分钟数")
    version: int
    handed_over: bool = Field(
        False,
        description="叫号时接手的号：他人在本窗口叫号而未办结（已交接给您，未重新呼叫），"
        "请先为窗口前的办事人办理",
    )


class BoardCallOut(Schema):
    number: str
    window: str
    theme: str
    called_at: dt.datetime
    calls: int


class BoardThemeOut(Schema):
    id: int
    prefix: str
    name: str
    waiting: int


class BoardWindowOut(Schema):
    number: str
    name: str
    clerk: str = Field(description="在岗工作人员姓名（亮牌）")


class BoardOut(Schema):
    hall: str
    calls: list[BoardCallOut]
    themes: list[BoardThemeOut]
    windows: list[BoardWindowOut] = Field(description="有人在岗的窗口及其工作人员（亮牌）")


class BookingOut(Schema):
    code: str
    status: str
    status_label: str
    theme: str
    start: dt.time
    end: dt.time
    person: str = Field(description="预约人（姓名脱敏）")
    service_item: str


class FigureGroupOut(Schema):
    name: str
    tickets: int
    served: int
    skipped: int
    wait_p50: float | None = Field(description="取号到叫号的分钟数，中位数")
    wait_p90: float | None
    service_p50: float | None = Field(description="叫号到办结的分钟数，中位数")
    service_p90: float | None


class HourOut(Schema):
    hour: int
    tickets: int


class HallFiguresOut(Schema):
    first: dt.date
    last: dt.date
    tickets: int
    served: int
    wait_p50: float | None
    wait_p90: float | None
    themes: list[FigureGroupOut]
    windows: list[FigureGroupOut]
    per_hour: list[HourOut]


class HallFiguresQuery(Schema):
    first: dt.date | None = Field(None, alias="from", description="起始日期，默认今天")
    last: dt.date | None = Field(
        None, alias="to", description="截止日期，默认同起始日期；至多 31 天"
    )
