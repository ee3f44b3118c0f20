"""Analysis of the requests (R-HL-5) and the figures of R-HL-3 per department.

Everything is scoped like every staff read (the caller's regions and
departments), for a period of registration dates and, optionally, a region
beneath the scope. Counts are aggregated in SQL; word frequencies read only
the stored token column of the period's orders.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, F, Q

from tongban.core import errors as core_errors
from tongban.core.clock import SHANGHAI
from tongban.core.errors import DomainError
from tongban.hotline import errors, routing, selectors, text
from tongban.hotline.models import Kind, OrderStatus, RoutingModel
from tongban.org.models import Region

MAX_DAYS = 366
TOP = 20
REPEAT_MIN = 2


@dataclass
class Stats:
    date_from: dt.date
    date_to: dt.date
    region: str
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_kind: list[dict[str, Any]] = field(default_factory=list)
    by_category: list[dict[str, Any]] = field(default_factory=list)
    by_region: list[dict[str, Any]] = field(default_factory=list)
    hot_words: list[dict[str, Any]] = field(default_factory=list)
    rising_words: list[dict[str, Any]] = field(default_factory=list)
    repeated_places: list[dict[str, Any]] = field(default_factory=list)
    repeated_subjects: list[dict[str, Any]] = field(default_factory=list)
    departments: list[dict[str, Any]] = field(default_factory=list)
    routing: dict[str, Any] = field(default_factory=dict)


def _bounds(day_from: dt.date, day_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day_from, dt.time(0), tzinfo=SHANGHAI)
    end = dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
    return start, end


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _words(rows: list[str]) -> Counter[str]:
    counter: Counter[str] = Counter()
    for tokens in rows:
        counter.update(set(routing.features(tokens.split())) - text.STOPWORDS)
    return counter


def hotline_stats(
    *,
    user: Any,
    date_from: dt.date,
    date_to: dt.date,
    region_code: str = "",
    words: bool = True,
) -> Stats:
    """Figures for orders registered from ``date_from`` to ``date_to`` (inclusive)."""
    if date_to < date_from or (date_to - date_from).days > MAX_DAYS:
        raise DomainError(
            errors.STATS_INVALID, f"统计区间须为 1 到 {MAX_DAYS} 天，且结束日期不早于开始日期。"
        )
    if not selectors.is_hotline_staff(user):
        raise DomainError(core_errors.PERMISSION_DENIED, "只有热线和承办单位工作人员可查看统计。")
    qs = selectors.staff_orders(user=user)
    if region_code:
        region = Region.objects.filter(code=region_code.strip()[:12]).first()
        if region is None:
            raise DomainError(errors.STATS_INVALID, "统计区划不存在。")
        qs = qs.filter(region_path__startswith=region.path)
    start, end = _bounds(date_from, date_to)
    period = qs.filter(registered_at__gte=start, registered_at__lt=end)
    result = Stats(date_from=date_from, date_to=date_to, region=region_code)
    status_rows = period.values("status").annotate(n=Count("id"))
    result.by_status = {r["status"]: r["n"] for r in status_rows}
    result.total = sum(result.by_status.values())
    kinds = dict(Kind.choices)
    result.by_kind = [
        {"kind": r["kind"], "label": kinds.get(r["kind"], r["kind"]), "count": r["n"]}
        for r in period.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    ]
    result.by_category = [
        {"code": r["category__code"], "name": r["category__name"], "count": r["n"]}
        for r in period.filter(category__isnull=False)
        .values("category__code", "category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__code")[:TOP]
    ]
    result.by_region = [
        {"code": r["region_id"], "name": r["region__name"], "count": r["n"]}
        for r in period.values("region_id", "region__name")
        .annotate(n=Count("id"))
        .order_by("-n", "region_id")[:TOP]
    ]
    result.repeated_places = [
        {
            "region": r["region__name"],
            "address": r["address"],
            "category": r["category__name"],
            "count": r["n"],
        }
        for r in period.exclude(address_key="")
        .filter(category__isnull=False)
        .values("region__name", "address_key", "category__name")
        .annotate(n=Count("id"), address=F("address_key"))
        .filter(n__gte=REPEAT_MIN)
        .order_by("-n")[:TOP]
    ]
    result.repeated_subjects = [
        {"subject": r["subject_name"], "count": r["n"]}
        for r in period.exclude(subject_name="")
        .filter(kind__in=[Kind.COMPLAINT, Kind.REPORT])
        .values("subject_name")
        .annotate(n=Count("id"))
        .filter(n__gte=REPEAT_MIN)
        .order_by("-n", "subject_name")[:TOP]
    ]
    result.departments = _departments(period)
    if words:
        current = _words(list(period.values_list("content_tokens", flat=True)[:200_000]))
        length = (date_to - date_from).days + 1
        before_start, before_end = _bounds(
            date_from - dt.timedelta(days=length), date_from - dt.timedelta(days=1)
        )
        earlier = _words(
            list(
                qs.filter(
                    registered_at__gte=before_start, registered_at__lt=before_end
                ).values_list("content_tokens", flat=True)[:200_000]
            )
        )
        result.hot_words = [{"word": w, "count": n} for w, n in current.most_common(TOP)]
        rising = sorted(
            (
                (n - earlier.get(w, 0), w, n)
                for w, n in current.items()
                if n >= 3 and n >= 2 * (earlier.get(w, 0) + 1)
            ),
            key=lambda r: (-r[0], r[1]),
        )
        result.rising_words = [
            {"word": w, "count": n, "previous": n - gain} for gain, w, n in rising[:TOP]
        ]
    model = RoutingModel.objects.order_by("-trained_at", "-id").first()
    if model is not None:
        result.routing = {
            "trained_at": model.trained_at,
            "samples": model.samples,
            **model.evaluation,
        }
    return result


def _departments(period: Any) -> list[dict[str, Any]]:
    """R-HL-3 per department: dispatched within the dispatch limit, answered within
    the handling limit, returns, satisfaction (回访 1–5) and solved share."""
    answered = Q(replied_at__isnull=False)
    rows = (
        period.filter(department__isnull=False)
        .values("department_id", "department__name")
        .annotate(
            orders=Count("id"),
            dispatched_on_time=Count(
                "id",
                filter=Q(first_dispatched_at__isnull=False)
                & (
                    Q(dispatch_due_at__isnull=True)
                    | Q(first_dispatched_at__lte=F("dispatch_due_at"))
                ),
            ),
            replied=Count("id", filter=answered),
            replied_on_time=Count(
                "id",
                filter=answered
                & (Q(handle_due_at__isnull=True) | Q(replied_at__lte=F("handle_due_at"))),
            ),
            overdue_open=Count(
                "id",
                filter=Q(status__in=[OrderStatus.DISPATCHED, OrderStatus.ACKNOWLEDGED]),
            ),
            returns=Count("id", filter=Q(return_count__gt=0)),
            revisited=Count("id", filter=Q(satisfaction__isnull=False)),
            solved=Count("id", filter=Q(solved=True)),
            satisfaction=Avg("satisfaction"),
        )
        .order_by("-orders", "department_id")[:100]
    )
    return [
        {
            "department_id": r["department_id"],
            "department": r["department__name"],
            "orders": r["orders"],
            "dispatch_on_time_rate": _rate(r["dispatched_on_time"], r["orders"]),
            "replied": r["replied"],
            "reply_on_time_rate": _rate(r["replied_on_time"], r["replied"]),
            "in_hand": r["overdue_open"],
            "returned": r["returns"],
            "solved_rate": _rate(r["solved"], r["revisited"]),
            "satisfaction": round(r["satisfaction"], 2) if r["satisfaction"] else None,
        }
        for r in rows
    ]
