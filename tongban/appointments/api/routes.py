"""预约与叫号 API at /api/v1/appointments/.

Public (the directory, the kiosk and the hall's screen need no account):
GET  /halls?region=&item=              halls, their hours and themes (政务服务百事通)
GET  /halls/{id}                       one hall
GET  /themes/{id}/slots?from=&days=    bookable periods with places left
GET  /halls/{id}/board                 the big screen: latest calls, waiting per theme
POST /themes/{id}/tickets              取号 (kiosk; with a session, on the phone)
POST /halls/{id}/check-in              预约签到 with the 预约号: a priority ticket
GET  /tickets/{id}?number=A001         a ticket's state, position and estimated wait
Citizen:
GET  /appointments                     my appointments
GET  /appointments/block               whether no-shows block my online booking
POST /appointments                     book (201)
POST /appointments/{code}/cancel       cancel (again: unchanged)
POST /appointments/{code}/reschedule   改约
Staff (scoped to their halls and windows):
GET  /halls/{id}/bookings?date=        the day's appointments
GET  /halls/{id}/figures?from=&to=     waiting and service times p50/p90, tickets per hour
POST /windows/{id}/call-next           叫号
POST /tickets/{id}/recall|skip|transfer|finish   with If-Match: "<version>"
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Status

from tongban.appointments import selectors, services
from tongban.appointments.api.common import expected_version, user_of
from tongban.appointments.api.schemas import (
    AppointmentOut,
    BlockOut,
    BoardOut,
    BookIn,
    BookingOut,
    CheckInIn,
    FinishIn,
    HallFiguresOut,
    HallFiguresQuery,
    HallOut,
    HallsQuery,
    RescheduleIn,
    SlotOut,
    SlotsQuery,
    TakeIn,
    TicketOut,
    TransferIn,
)
from tongban.appointments.directory import hall_summary
from tongban.appointments.models import (
    Appointment,
    AppointmentStatus,
    Channel,
    QueueTicket,
    TicketSource,
    TicketStatus,
)
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.identity.auth import api_auth
from tongban.org.models import Hall
from tongban.org.selectors import staff_scope_for

router = Router(tags=["预约与叫号"])
IF_MATCH_DOC = '排队号版本号，取自 ETag，如 "2"；可省略'


def _hall_out(hall: Hall) -> dict[str, Any]:
    return {
        "id": hall.pk,
        "name": hall.name,
        "region": hall.region_id,
        "region_name": hall.region.name,
        "address": hall.address,
        "phone": hall.phone,
        "opening_hours": hall.opening_hours,
        "hours": [
            {"day_kind": h.day_kind, "opens": h.opens, "closes": h.closes} for h in hall.hours.all()
        ],
        "themes": [
            {
                "id": t.pk,
                "prefix": t.prefix,
                "name": t.name,
                "windows": sorted(w.number for w in t.windows.all()),
                "minutes_per_ticket": t.minutes_per_ticket,
            }
            for t in hall.themes.all()
            if t.active
        ],
        **hall_summary(hall),
    }


def _appointment_out(a: Appointment) -> dict[str, Any]:
    return {
        "code": a.code,
        "status": a.status,
        "status_label": AppointmentStatus(a.status).label,
        "hall": a.theme.hall.name,
        "address": a.theme.hall.address,
        "theme": a.theme.name,
        "date": a.date,
        "start": a.slot.start,
        "end": a.slot.end,
        "service_item": a.service_item.name if a.service_item else "",
        "channel": a.channel,
        "version": a.version,
    }


def _ticket_out(t: QueueTicket) -> dict[str, Any]:
    position = selectors.ticket_position(t)
    return {
        "id": t.pk,
        "number": t.number,
        "status": t.status,
        "status_label": TicketStatus(t.status).label,
        "hall": t.hall.name,
        "theme": t.theme.name,
        "priority": t.priority,
        "window": t.window.number if t.window else "",
        "taken_at": t.taken_at,
        "called_at": t.called_at,
        "calls": t.calls,
        "ahead": position.ahead,
        "wait_minutes": position.minutes,
        "version": t.version,
        "handed_over": getattr(t, "handed_over", False),
    }


def _ticket(
    response: HttpResponse, ticket: QueueTicket, status: int = 200, *, fresh: bool = False
) -> Status[Any]:
    """The ticket's answer; ``fresh`` when the service's object is the row as
    committed with its hall, theme and window (a new ticket, or the row a call or
    change returned), else it is read back with them."""
    if not fresh:
        ticket = QueueTicket.objects.select_related("hall", "theme", "window").get(pk=ticket.pk)
    response["ETag"] = f'"{ticket.version}"'
    return Status(status, _ticket_out(ticket))


# --- public --------------------------------------------------------------------------------


@router.get("/halls", response={200: list[HallOut], **PROBLEM_RESPONSES}, summary="大厅目录")
def halls(request: HttpRequest, query: Query[HallsQuery]) -> list[dict[str, Any]]:
    found = selectors.halls_directory(region_code=query.region, item_code=query.item.strip())
    return [_hall_out(h) for h in found]


@router.get("/halls/{hall_id}", response={200: HallOut, **PROBLEM_RESPONSES}, summary="大厅信息")
def hall(request: HttpRequest, hall_id: int) -> dict[str, Any]:
    found = (
        Hall.objects.select_related("region")
        .prefetch_related("hours", "themes__windows")
        .filter(pk=hall_id)
        .first()
    )
    if found is None:
        raise DomainError(core_errors.NOT_FOUND, "大厅不存在。")
    return _hall_out(found)


@router.get(
    "/themes/{theme_id}/slots",
    response={200: list[SlotOut], **PROBLEM_RESPONSES},
    summary="可预约时段",
    description="按工作日历（节假日不办公，调休上班日照常）列出号源及余号。",
)
def slots(request: HttpRequest, theme_id: int, query: Query[SlotsQuery]) -> list[Any]:
    theme = selectors.theme_get(theme_id)
    first = query.start_date or clock.today()
    return list(selectors.slots_for(theme, first=first, days=query.days))


@router.get(
    "/halls/{hall_id}/board", response={200: BoardOut, **PROBLEM_RESPONSES}, summary="叫号屏"
)
def board(request: HttpRequest, hall_id: int) -> dict[str, Any]:
    found = Hall.objects.filter(pk=hall_id).first()
    if found is None:
        raise DomainError(core_errors.NOT_FOUND, "大厅不存在。")
    return {"hall": found.name, **selectors.hall_board(hall_id)}


@router.post(
    "/themes/{theme_id}/tickets",
    response={201: TicketOut, **PROBLEM_RESPONSES},
    summary="取号",
    description="大厅取号机或手机扫码取号；登录后取的号记在本人名下。"
    "不在办公时间为 409 hall_closed。",
)
def take(request: HttpRequest, response: HttpResponse, theme_id: int, body: TakeIn) -> Status[Any]:
    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    ticket = services.ticket_take(
        theme_id=theme_id,
        person=user if signed_in else None,
        source=TicketSource.PHONE if signed_in else TicketSource.KIOSK,
        green_channel=body.green_channel,
    )
    return _ticket(response, ticket, 201, fresh=True)


@router.post(
    "/halls/{hall_id}/check-in",
    response={200: TicketOut, **PROBLEM_RESPONSES},
    summary="预约签到",
    description="在预约时段开始前 60 分钟至开始后 30 分钟内签到，得到优先的排队号；"
    "再次签到返回同一个号。",
)
def check_in(
    request: HttpRequest, response: HttpResponse, hall_id: int, body: CheckInIn
) -> Status[Any]:
    return _ticket(response, services.appointment_check_in(code=body.code, hall_id=hall_id))


@router.get(
    "/tickets/{ticket_id}", response={200: TicketOut, **PROBLEM_RESPONSES}, summary="排队进度"
)
def ticket(
    request: HttpRequest,
    response: HttpResponse,
    ticket_id: int,
    number: str = Query(..., max_length=10),
) -> Any:
    found = (
        QueueTicket.objects.select_related("hall", "theme", "window")
        .filter(pk=ticket_id, number=number.strip().upper())
        .first()
    )
    if found is None:
        raise DomainError(core_errors.NOT_FOUND, "排队号不存在。")
    return _ticket(response, found)


# --- citizens -----------------------------------------------------------------------------


@router.get(
    "/appointments",
    response={200: list[AppointmentOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="我的预约",
)
def my_appointments(request: HttpRequest) -> list[dict[str, Any]]:
    return [_appointment_out(a) for a in selectors.appointments_of_person(user_of(request))[:100]]


@router.get(
    "/appointments/block",
    response={200: BlockOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="网上预约是否因爽约暂停",
)
def my_block(request: HttpRequest) -> dict[str, Any]:
    return {"blocked_until": selectors.no_show_block(user_of(request))}


@router.post(
    "/appointments",
    response={201: AppointmentOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="预约",
    description="约满为 409 slot_full；同一主题同一天已有预约为 409 appointment_duplicate；"
    "多次爽约暂停网上预约为 403 appointment_blocked。支持 Idempotency-Key。",
)
def book(request: HttpRequest, body: BookIn) -> Status[Any]:
    appointment = services.appointment_book(
        person=user_of(request),
        theme_id=body.theme_id,
        date=body.date,
        start=body.start,
        service_item_id=body.service_item_id,
        channel=Channel.ONLINE,
    )
    return Status(201, _appointment_out(appointment))


@router.post(
    "/appointments/{code}/cancel",
    response={200: AppointmentOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="取消预约",
)
def cancel(request: HttpRequest, code: str) -> dict[str, Any]:
    return _appointment_out(services.appointment_cancel(person=user_of(request), code=code))


@router.post(
    "/appointments/{code}/reschedule",
    response={200: AppointmentOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="改约",
)
def reschedule(request: HttpRequest, code: str, body: RescheduleIn) -> dict[str, Any]:
    moved = services.appointment_reschedule(
        person=user_of(request), code=code, date=body.date, start=body.start
    )
    return _appointment_out(moved)


# --- staff --------------------------------------------------------------------------------


@router.get(
    "/halls/{hall_id}/bookings",
    response={200: list[BookingOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="大厅当日预约",
)
def bookings(
    request: HttpRequest, hall_id: int, date: dt.date | None = None
) -> list[dict[str, Any]]:
    scope = staff_scope_for(user=user_of(request))
    rows = selectors.hall_day_bookings(scope, hall_id=hall_id, day=date or clock.today())
    return [
        {
            "code": a.code,
            "status": a.status,
            "status_label": AppointmentStatus(a.status).label,
            "theme": a.theme.name,
            "start": a.slot.start,
            "end": a.slot.end,
            "person": mask_name(getattr(a.person, "display_name", "") or ""),
            "service_item": a.service_item.name if a.service_item else "",
        }
        for a in rows[:500]
    ]


@router.get(
    "/halls/{hall_id}/figures",
    response={200: HallFiguresOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="大厅排队指标",
    description="等候时间（取号到叫号）与办理时间（叫号到办结）的中位数和 90 分位，按主题、按窗口，"
    "以及每小时取号数；至多 31 天。",
)
def figures(request: HttpRequest, hall_id: int, query: Query[HallFiguresQuery]) -> dict[str, Any]:
    scope = staff_scope_for(user=user_of(request))
    first = query.first or clock.today()
    found = selectors.hall_figures(scope, hall_id=hall_id, first=first, last=query.last or first)
    if found is None:
        raise DomainError(core_errors.NOT_FOUND, "大厅不存在，或不在您的范围内。")
    return found


@router.post(
    "/windows/{window_id}/call-next",
    response={200: TicketOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="叫号",
    description="叫本窗口的下一位；本窗口有他人叫号而未办结的号时（离开未离岗），接手窗口并返回该号"
    "（handed_over 为 true，未重新呼叫）；本人叫号未办结时 window_busy。",
)
def call_next(request: HttpRequest, response: HttpResponse, window_id: int) -> Status[Any]:
    called = services.ticket_call_next(window_id=window_id, clerk=user_of(request))
    return _ticket(response, called, fresh=True)


@router.post(
    "/tickets/{ticket_id}/recall",
    response={200: TicketOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="重呼",
)
def recall(
    request: HttpRequest,
    response: HttpResponse,
    ticket_id: int,
    if_match: str | None = Header(None, description=IF_MATCH_DOC),
) -> Status[Any]:
    return _ticket(
        response,
        services.ticket_recall(
            ticket_id=ticket_id,
            clerk=user_of(request),
            expected_version=expected_version(if_match, "排队号"),
        ),
        fresh=True,
    )


@router.post(
    "/tickets/{ticket_id}/skip",
    response={200: TicketOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="过号",
)
def skip(
    request: HttpRequest,
    response: HttpResponse,
    ticket_id: int,
    if_match: str | None = Header(None, description=IF_MATCH_DOC),
) -> Status[Any]:
    return _ticket(
        response,
        services.ticket_skip(
            ticket_id=ticket_id,
            clerk=user_of(request),
            expected_version=expected_version(if_match, "排队号"),
        ),
        fresh=True,
    )


@router.post(
    "/tickets/{ticket_id}/transfer",
    response={200: TicketOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="转号",
    description="转到本大厅的其他主题，返回新的排队号。",
)
def transfer(
    request: HttpRequest,
    response: HttpResponse,
    ticket_id: int,
    body: TransferIn,
    if_match: str | None = Header(None, description=IF_MATCH_DOC),
) -> Status[Any]:
    return _ticket(
        response,
        services.ticket_transfer(
            ticket_id=ticket_id,
            clerk=user_of(request),
            theme_id=body.theme_id,
            expected_version=expected_version(if_match, "排队号"),
        ),
        fresh=True,
    )


@router.post(
    "/tickets/{ticket_id}/finish",
    response={200: TicketOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="办结",
    description="可同时登记在窗口受理的办件编号。",
)
def finish(
    request: HttpRequest,
    response: HttpResponse,
    ticket_id: int,
    body: FinishIn,
    if_match: str | None = Header(None, description=IF_MATCH_DOC),
) -> Status[Any]:
    return _ticket(
        response,
        services.ticket_finish(
            ticket_id=ticket_id,
            clerk=user_of(request),
            case_no=body.case_no,
            expected_version=expected_version(if_match, "排队号"),
        ),
        fresh=True,
    )
