"""Reads of appointments and the queue (CONVENTIONS 5: staff reads are scoped in SQL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from tongban.appointments import errors, rules
from tongban.appointments.models import (
    Appointment,
    AppointmentStatus,
    OpeningHours,
    QueueTicket,
    Slot,
    SlotRule,
    Theme,
    TicketStatus,
    WindowDuty,
)
from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.org.models import Hall, Role, Window
from tongban.org.selectors import StaffScope, scope_q

STAFF_ROLES = (Role.WINDOW_CLERK, Role.DEPARTMENT_HEAD, Role.SUPERVISOR, Role.PLATFORM_ADMIN)


def theme_get(theme_id: int) -> Theme:
    theme = Theme.objects.select_related("hall__region").filter(pk=theme_id, active=True).first()
    if theme is None:
        raise DomainError(errors.THEME_NOT_FOUND, "该大厅没有这个叫号主题，或主题已停用。")
    return theme


def hall_themes(hall_id: int) -> list[Theme]:
    return list(Theme.objects.filter(hall_id=hall_id, active=True).order_by("prefix"))


def _hours_at(moment: dt.datetime) -> Q:
    """Opening hours covering ``moment``, for the kind of day it is."""
    local = moment.astimezone(clock.SHANGHAI)
    kind = rules.day_kind(get_calendar(), local.date())
    return Q(day_kind=kind, opens__lte=local.time(), closes__gt=local.time())


def theme_get_open_at(theme_id: int, moment: dt.datetime) -> tuple[Theme, bool]:
    """An active theme with its hall, and whether the hall is open at ``moment``
    (one query: the kiosk's take)."""
    theme = (
        Theme.objects.select_related("hall")
        .annotate(
            hall_open=Exists(
                OpeningHours.objects.filter(_hours_at(moment), hall_id=OuterRef("hall_id"))
            )
        )
        .filter(pk=theme_id, active=True)
        .first()
    )
    if theme is None:
        raise DomainError(errors.THEME_NOT_FOUND, "该大厅没有这个叫号主题，或主题已停用。")
    return theme, bool(theme.hall_open)


def hall_open_at(hall_id: int, moment: dt.datetime) -> bool:
    """Is the hall open at ``moment`` (its hours for the kind of day it is)?"""
    return OpeningHours.objects.filter(_hours_at(moment), hall_id=hall_id).exists()


@dataclass(frozen=True)
class SlotView:
    date: dt.date
    start: dt.time
    end: dt.time
    capacity: int
    remaining: int
    open: bool  # still bookable: in the future and not full


def offered_slots(theme: Theme, day: dt.date) -> list[rules.SlotSpec]:
    """What the theme's rules offer on ``day`` (nothing on a holiday unless a rest-day rule)."""
    kind = rules.day_kind(get_calendar(), day)
    specs: list[rules.SlotSpec] = []
    for rule in SlotRule.objects.filter(theme=theme, day_kind=kind, valid_from__lte=day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    ):
        specs.extend(
            rules.slots_of_rule(
                start=rule.start, end=rule.end, minutes=rule.minutes, capacity=rule.capacity
            )
        )
    return sorted(specs, key=lambda s: s.start)


def slots_for(
    theme: Theme, *, first: dt.date, days: int, now: dt.datetime | None = None
) -> list[SlotView]:
    """Bookable periods of a theme over ``days`` days from ``first``, with places left."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    last = today + dt.timedelta(days=rules.booking_days())
    days = max(1, min(days, 31))
    if first > last or first + dt.timedelta(days=days) <= today:
        return []  # wholly outside the bookable days (and never past date.max)
    stored = {
        (s.date, s.start): s
        for s in Slot.objects.filter(
            theme=theme, date__gte=first, date__lt=first + dt.timedelta(days=days)
        )
    }
    out = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        if day < today or day > last:
            continue
        for spec in offered_slots(theme, day):
            row = stored.get((day, spec.start))
            capacity = row.capacity if row else spec.capacity
            remaining = capacity - (row.booked if row else 0)
            future = rules.local_moment(day, spec.start) > moment
            out.append(
                SlotView(day, spec.start, spec.end, capacity, remaining, future and remaining > 0)
            )
    return out


def appointments_of_person(person: Any) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(person=person)
        .select_related("slot", "theme__hall", "service_item")
        .order_by("-date", "-slot__start")
    )


def appointment_get_for_person(person: Any, code: str) -> Appointment:
    found = appointments_of_person(person).filter(code=code).first()
    if found is None:
        raise DomainError(errors.APPOINTMENT_NOT_FOUND, "没有找到您的这条预约。")
    return found


def no_show_block(person: Any, *, today: dt.date | None = None) -> dt.date | None:
    """The last day ``person`` may not book online because of no-shows, or None."""
    day = today or clock.today()
    _count, within, block = rules.no_show_rule()
    since = day - dt.timedelta(days=within + block)
    dates = Appointment.objects.filter(
        person=person, status=AppointmentStatus.NO_SHOW, date__gte=since
    ).values_list("date", flat=True)
    return rules.no_show_block_until(dates, today=day)


# --- staff ---------------------------------------------------------------------------------


def halls_in_scope(scope: StaffScope) -> QuerySet[Hall]:
    """Halls in the staff member's regions; a department-restricted grant reaches the
    halls where its departments have a window."""
    scope = scope.for_roles(*STAFF_ROLES)
    return (
        Hall.objects.filter(
            scope_q(scope=scope, region_path_field="region__path", department_field=None)
            | scope_q(
                scope=scope,
                region_path_field="region__path",
                department_field="windows__departments",
            )
        )
        .distinct()
        .order_by("region_id", "name")
    )


def windows_in_scope(scope: StaffScope) -> QuerySet[Window]:
    """Windows a window clerk may call at: her region, and her departments where restricted."""
    scope = scope.for_roles(Role.WINDOW_CLERK, Role.PLATFORM_ADMIN)
    return (
        Window.objects.filter(
            scope_q(scope=scope, region_path_field="hall__region__path", department_field=None)
            | scope_q(
                scope=scope, region_path_field="hall__region__path", department_field="departments"
            )
        )
        .select_related("hall")
        .distinct()
        .order_by("hall_id", "number")
    )


def window_get_in_scope(scope: StaffScope, window_id: int) -> Window:
    window = windows_in_scope(scope).filter(pk=window_id).first()
    if window is None:
        raise DomainError(errors.WINDOW_NOT_SERVING, "您不能在这个窗口叫号。")
    return window


def tickets_in_scope(scope: StaffScope) -> QuerySet[QueueTicket]:
    return QueueTicket.objects.filter(hall__in=halls_in_scope(scope).values("pk"))


def ticket_get_in_scope(scope: StaffScope, ticket_id: int) -> QueueTicket:
    ticket = tickets_in_scope(scope).select_related("theme", "hall").filter(pk=ticket_id).first()
    if ticket is None:
        raise DomainError(errors.TICKET_NOT_FOUND, "排队号不存在，或不在您的大厅。")
    return ticket


def hall_day_bookings(scope: StaffScope, *, hall_id: int, day: dt.date) -> QuerySet[Appointment]:
    """The day's appointments of a hall in scope, in slot order."""
    return (
        Appointment.objects.filter(
            theme__hall__in=halls_in_scope(scope).filter(pk=hall_id).values("pk"), date=day
        )
        .select_related("slot", "theme", "person", "service_item")
        .order_by("slot__start", "pk")
    )


# --- the hall display and the phone ---------------------------------------------------------


@dataclass(frozen=True)
class Position:
    ahead: int
    minutes: int  # estimated wait


def ticket_position(ticket: QueueTicket) -> Position:
    """How many waiting tickets of the theme are called before this one, and the wait."""
    if ticket.status != TicketStatus.WAITING:
        return Position(0, 0)
    # One statement: the windows serving the theme, and the waiting tickets ahead.
    ahead_of = (
        QueueTicket.objects.filter(
            theme_id=ticket.theme_id, date=ticket.date, status=TicketStatus.WAITING
        )
        .filter(
            Q(priority__gt=ticket.priority)
            | Q(priority=ticket.priority, taken_at__lt=ticket.taken_at)
            | Q(priority=ticket.priority, taken_at=ticket.taken_at, pk__lt=ticket.pk)
        )
        .order_by()
        .values("theme_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    found = (
        Theme.objects.filter(pk=ticket.theme_id)
        .annotate(serving=Count("windows"), ahead=Subquery(ahead_of))
        .values_list("serving", "ahead")
        .first()
    )
    ahead = int((found[1] if found else 0) or 0)
    windows = max(1, int((found[0] if found else 0) or 0))
    return Position(ahead, -(-ahead * ticket.theme.minutes_per_ticket // windows))


def hall_board(hall_id: int, *, day: dt.date | None = None, calls: int = 8) -> dict[str, Any]:
    """What the hall's big screen shows: the latest calls and the waiting count per theme."""
    today = day or clock.today()
    latest = list(
        QueueTicket.objects.filter(
            hall_id=hall_id, date=today, status=TicketStatus.CALLED, called_at__isnull=False
        )
        .select_related("window", "theme")
        .order_by("-called_at")[:calls]
    )
    # The hall's themes with their waiting count (one query).
    waiting_of_theme = (
        QueueTicket.objects.filter(theme_id=OuterRef("pk"), date=today, status=TicketStatus.WAITING)
        .order_by()
        .values("theme_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    themes = (
        Theme.objects.filter(hall_id=hall_id, active=True)
        .annotate(waiting=Subquery(waiting_of_theme))
        .order_by("prefix")
        .values_list("pk", "prefix", "name", "waiting")
    )
    return {
        "calls": [
            {
                "number": t.number,
                "window": t.window.number if t.window else "",
                "theme": t.theme.name,
                "called_at": t.called_at,
                "calls": t.calls,
            }
            for t in latest
        ],
        "themes": [
            {"id": pk, "prefix": prefix, "name": name, "waiting": waiting or 0}
            for pk, prefix, name, waiting in themes
        ],
        # 亮牌: each window's clerk on duty (one query).
        "windows": [
            {"number": d.window.number, "name": d.window.name, "clerk": d.clerk.display_name}
            for d in WindowDuty.objects.filter(window__hall_id=hall_id, ended_at__isnull=True)
            .select_related("window", "clerk")
            .order_by("window__number")
        ],
    }


# --- the public directory (政务服务百事通) -------------------------------------------------


def halls_directory(*, region_code: str = "", item_code: str = "") -> QuerySet[Hall]:
    """Halls under a region, optionally only those where an item can be done: a theme
    of the hall covers it, or a window there receives its department."""
    from tongban.catalog.models import ServiceItem
    from tongban.org.models import Region

    halls = Hall.objects.select_related("region")
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            return halls.none()
        halls = halls.filter(region__path__startswith=region.path)
    if item_code:
        item = ServiceItem.objects.filter(implementation_code=item_code).first()
        if item is None:
            return halls.none()
        halls = halls.filter(
            Q(themes__service_items=item) | Q(windows__departments=item.department_id)
        )
    return (
        halls.distinct()
        .prefetch_related("hours", "themes__windows")
        .order_by("region__path", "name")[:200]
    )


# --- figures of a hall (R-HA-3): waiting, service time, tickets per hour -------------------


def _minutes(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


def _quantile(values: list[float], q: float) -> float | None:
    """The nearest-rank quantile, rounded to a tenth of a minute."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))  # ceil(n·q), at least 1
    return round(ordered[int(rank) - 1], 1)


def hall_figures(
    scope: StaffScope, *, hall_id: int, first: dt.date, last: dt.date
) -> dict[str, Any] | None:
    """Queue figures of a hall in scope over ``first``..``last`` (at most 31 days):
    waiting from taking to the first call (p50/p90), service from the call to
    the finish, by theme and by window, and tickets taken per hour of the day.
    None when the hall is not in the caller's scope."""
    if not halls_in_scope(scope).filter(pk=hall_id).exists():
        return None
    if first > dt.date.max - dt.timedelta(days=31):
        return {
            "first": first,
            "last": last,
            "tickets": 0,
            "served": 0,
            "wait_p50": None,
            "wait_p90": None,
            "themes": [],
            "windows": [],
            "per_hour": [],
        }
    last = min(last, first + dt.timedelta(days=30))
    rows = list(
        QueueTicket.objects.filter(hall_id=hall_id, date__gte=first, date__lte=last)
        .select_related("theme", "window")
        .only(
            "status",
            "taken_at",
            "called_at",
            "finished_at",
            "theme__name",
            "theme__prefix",
            "window__number",
        )
    )
    waits = [w for t in rows if (w := _minutes(t.taken_at, t.called_at)) is not None]
    done = [t for t in rows if t.status == TicketStatus.DONE]
    by_theme: dict[str, list[QueueTicket]] = {}
    by_window: dict[str, list[QueueTicket]] = {}
    hours: dict[int, int] = {}
    for t in rows:
        by_theme.setdefault(f"{t.theme.prefix} {t.theme.name}", []).append(t)
        if t.window is not None:
            by_window.setdefault(t.window.number, []).append(t)
        hour = t.taken_at.astimezone(clock.SHANGHAI).hour
        hours[hour] = hours.get(hour, 0) + 1

    def group(tickets: list[QueueTicket]) -> dict[str, Any]:
        wait = [w for t in tickets if (w := _minutes(t.taken_at, t.called_at)) is not None]
        service = [
            s
            for t in tickets
            if t.status == TicketStatus.DONE
            and (s := _minutes(t.called_at, t.finished_at)) is not None
        ]
        return {
            "tickets": len(tickets),
            "served": sum(1 for t in tickets if t.status == TicketStatus.DONE),
            "skipped": sum(1 for t in tickets if t.status == TicketStatus.SKIPPED),
            "wait_p50": _quantile(wait, 0.5),
            "wait_p90": _quantile(wait, 0.9),
            "service_p50": _quantile(service, 0.5),
            "service_p90": _quantile(service, 0.9),
        }

    return {
        "first": first,
        "last": last,
        "tickets": len(rows),
        "served": len(done),
        "wait_p50": _quantile(waits, 0.5),
        "wait_p90": _quantile(waits, 0.9),
        "themes": [{"name": k, **group(v)} for k, v in sorted(by_theme.items())],
        "windows": [{"name": k, **group(v)} for k, v in sorted(by_window.items())],
        "per_hour": [{"hour": h, "tickets": hours[h]} for h in sorted(hours)],
    }


# --- 亮牌: who is on duty at each window --------------------------------------------------


def windows_on_duty(hall_id: int) -> list[dict[str, Any]]:
    """The hall's windows with their clerk on duty (or none) and their themes (2 queries)."""
    duties = {
        d.window_id: d
        for d in WindowDuty.objects.filter(window__hall_id=hall_id, ended_at__isnull=True)
        .select_related("clerk")
        .only("window_id", "clerk__display_name", "started_at")
    }
    windows = Window.objects.filter(hall_id=hall_id).prefetch_related(
        Prefetch("themes", queryset=Theme.objects.filter(active=True).only("name", "prefix"))
    )
    return [
        {
            "id": w.pk,
            "number": w.number,
            "name": w.name,
            "clerk": duties[w.pk].clerk.display_name if w.pk in duties else "",
            "since": duties[w.pk].started_at if w.pk in duties else None,
            "themes": [t.name for t in w.themes.all()],
        }
        for w in windows.order_by("number")
    ]


def window_display(hall_id: int, number: str) -> dict[str, Any] | None:
    """What the display above a window shows: the window, its clerk, its themes and
    items, and the ticket being served."""
    window = Window.objects.filter(hall_id=hall_id, number=number).select_related("hall").first()
    if window is None:
        return None
    duty = (
        WindowDuty.objects.filter(window=window, ended_at__isnull=True)
        .select_related("clerk")
        .first()
    )
    themes = list(
        Theme.objects.filter(windows=window, active=True).prefetch_related("service_items")
    )
    called = (
        QueueTicket.objects.filter(window=window, status=TicketStatus.CALLED).only("number").first()
    )
    return {
        "window": window,
        "clerk": duty.clerk.display_name if duty else "",
        "since": duty.started_at if duty else None,
        "themes": themes,
        "items": sorted({i.name for t in themes for i in t.service_items.all()})[:60],
        "called": called.number if called else "",
    }


def duty_of_clerk(clerk: Any) -> WindowDuty | None:
    """The clerk's open duty, if any."""
    return (
        WindowDuty.objects.filter(clerk=clerk, ended_at__isnull=True)
        .select_related("window")
        .first()
    )
