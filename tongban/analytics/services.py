"""The only writer of the board's rollups (``models.Rollup``).

``board_rollups_rebuild(periods=…)`` recomputes the given months from the
source rows and replaces their rollups in one transaction; with no periods it
rebuilds every month that has activity (``tongban board rebuild``). The
scheduler's job ``board_rollups`` refreshes, every 15 minutes, the months that
the histories appended since the last refresh are counted in
(``analytics.incremental``), so late facts (a rating changed, an appeal upheld,
an old 12345 order revisited) reach the board within that time. A page never
scans the sources.

What each metric counts, and in which month (Asia/Shanghai):

* received cases (``received_on``): one window, materials exempted;
* concluded cases (``concluded_at``): on time, visits, working days per item;
* concluded 一件事 (``concluded_at``): working days per bundle;
* ratings (``rated_at``), appeals upheld left out: 好评;
* rectifications (``due_on``), those answered or already overdue: on time;
* 12345 orders (``registered_at``): dispatch, answer, satisfaction;
* the catalogue and the 证明事项 list: their state when the month was built
  (only the current month is rebuilt; a past month keeps its snapshot).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from tongban.analytics import errors, incremental
from tongban.analytics import indicators as ind
from tongban.analytics.models import Rollup
from tongban.bundles.models import BundleApplication
from tongban.cases.models import Case, CaseMaterial, MaterialKind
from tongban.catalog.models import ServiceItem, ServiceItemStatus
from tongban.catalog.stats import ON_APPLICATION_TYPES
from tongban.certificates.models.proofs import REMOVED_STATUSES, ProofItem
from tongban.core import clock
from tongban.core.calendar import WorkingCalendar, get_calendar
from tongban.core.errors import DomainError
from tongban.evaluation.models import GOOD_LEVELS, Rating, Rectification
from tongban.evaluation.models import RectificationStatus as RS
from tongban.hotline.models import OrderStatus, WorkOrder
from tongban.org.models import WindowKind

logger = logging.getLogger(__name__)

CHUNK = 5000
ONE_WINDOW_KINDS = (WindowKind.COMPREHENSIVE, WindowKind.GENERAL)
# The place of a 12345 order or a proof item that belongs to no region: the
# platform itself ("/" is a prefix of no region path, so only the platform's
# own board shows it).
PLATFORM_PATH = "/"
HOTLINE_DISPATCH_DAYS = 1  # 004 (十五), R-HL-3
HOTLINE_ANSWER_DAYS = 5

Key = tuple[str, int | None, str, str]  # (region_path, department_id, metric, dim)


@dataclass
class _Acc:
    num: int = 0
    den: int = 0
    hist: dict[str, int] = field(default_factory=dict)
    limit: int | None = None


class WorkingDays:
    """Working days between two dates from a per-year cumulative table: one
    pass over each year instead of a walk per case (1,000,000 cases)."""

    def __init__(self, cal: WorkingCalendar) -> None:
        self.cal = cal
        self._tables: dict[int, tuple[dict[dt.date, int], int] | None] = {}

    def _table(self, year: int) -> tuple[dict[dt.date, int], int] | None:
        if year not in self._tables:
            if not self.cal.covers(year):
                self._tables[year] = None
            else:
                table, count, day = {}, 0, dt.date(year, 1, 1)
                while day.year == year:
                    if self.cal.is_working(day):
                        count += 1
                    table[day] = count
                    day += dt.timedelta(days=1)
                self._tables[year] = (table, count)
        return self._tables[year]

    def between(self, start: dt.date, end: dt.date) -> int | None:
        """Working days after ``start`` up to and including ``end`` (as
        ``WorkingCalendar.working_days_between``); None when a year is not covered."""
        if end < start:
            back = self.between(end, start)
            return None if back is None else -back
        first, last = self._table(start.year), self._table(end.year)
        if first is None or last is None:
            return None
        if start.year == end.year:
            return first[0][end] - first[0][start]
        total = first[1] - first[0][start] + last[0][end]
        for year in range(start.year + 1, end.year):
            middle = self._table(year)
            if middle is None:
                return None
            total += middle[1]
        return total


def _bounds(period: dt.date) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    nxt = (period + dt.timedelta(days=32)).replace(day=1)
    start = dt.datetime.combine(period, dt.time(), tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(nxt, dt.time(), tzinfo=clock.SHANGHAI)
    return period, nxt, start, end


class _Builder:
    def __init__(self, period: dt.date, *, today: dt.date, wd: WorkingDays) -> None:
        self.period = period
        self.today = today
        self.wd = wd
        self.rows: dict[Key, _Acc] = {}

    def add(
        self,
        region_path: str,
        department_id: int | None,
        metric: str,
        *,
        num: int = 0,
        den: int = 0,
        dim: str = "",
        days: int | None = None,
        limit: int | None = None,
    ) -> None:
        acc = self.rows.setdefault((region_path, department_id, metric, dim), _Acc())
        acc.num += num
        acc.den += den
        if days is not None:
            acc.hist[str(days)] = acc.hist.get(str(days), 0) + 1
        if limit is not None:
            acc.limit = limit

    # --- cases --------------------------------------------------------------

    def received_cases(self) -> None:
        first, nxt, _, _ = _bounds(self.period)
        exempted = (
            CaseMaterial.objects.filter(case=OuterRef("pk"), kind=MaterialKind.GOVERNMENT_DATA)
            .values("case")
            .annotate(n=Count("pk"))
            .values("n")
        )
        rows = (
            Case.objects.filter(received_on__gte=first, received_on__lt=nxt)
            .annotate(exempted=Coalesce(Subquery(exempted, output_field=IntegerField()), 0))
            .values_list("region_path", "department_id", "window__kind", "exempted")
        )
        for path, dept, window_kind, n_exempted in rows.iterator(chunk_size=CHUNK):
            self.add(
                path, dept, ind.CASES_ONE_WINDOW, num=int(window_kind in ONE_WINDOW_KINDS), den=1
            )
            self.add(path, dept, ind.CASES_EXEMPTED, num=n_exempted, den=1)

    def concluded_cases(self) -> None:
        _, _, start, end = _bounds(self.period)
        rows = Case.objects.filter(concluded_at__gte=start, concluded_at__lt=end).values_list(
            "region_path",
            "department_id",
            "service_item_id",
            "channel",
            "delivery_method",
            "received_on",
            "accepted_on",
            "decided_on",
            "decision_deadline",
            "concluded_at",
            "rules__promised_limit__value",
            "rules__promised_limit__unit",
        )
        for (
            path,
            dept,
            item_id,
            channel,
            delivery,
            received_on,
            accepted_on,
            decided_on,
            deadline,
            concluded_at,
            limit_value,
            limit_unit,
        ) in rows.iterator(chunk_size=CHUNK):
            # A visit to receive the application and one to collect the result.
            visits = int(channel in ("window", "terminal")) + int(delivery == "window")
            self.add(path, dept, ind.CASES_AT_MOST_ONE_VISIT, num=int(visits <= 1), den=1)
            if deadline is not None and decided_on is not None:
                self.add(path, dept, ind.CASES_ON_TIME, num=int(decided_on <= deadline), den=1)
            end_day = decided_on or clock.local_date(concluded_at)
            days = self.wd.between(accepted_on or received_on, end_day)
            if days is not None:
                limit = int(limit_value) if limit_unit == "working_days" and limit_value else None
                self.add(
                    path, dept, ind.CASE_DAYS, dim=str(item_id), days=max(days, 0), limit=limit
                )

    def bundles(self) -> None:
        _, _, start, end = _bounds(self.period)
        rows = BundleApplication.objects.filter(
            concluded_at__gte=start, concluded_at__lt=end
        ).values_list(
            "region_path",
            "bundle__code",
            "bundle__promised_days",
            "bundle__promised_unit",
            "received_on",
            "concluded_at",
        )
        for path, code, promised, unit, received_on, concluded_at in rows.iterator(
            chunk_size=CHUNK
        ):
            days = self.wd.between(received_on, clock.local_date(concluded_at))
            if days is None:
                continue
            target = ind.BUNDLE_TARGETS.get(path.strip("/")[:2], {}).get(code)
            limit = (
                int(target.value)
                if target
                else (promised if unit == "working_days" and promised else None)
            )
            self.add(path, None, ind.BUNDLE_DAYS, dim=code, days=max(days, 0), limit=limit)

    # --- 好差评 -----------------------------------------------------------------

    def ratings(self) -> None:
        _, _, start, end = _bounds(self.period)
        rows = (
            Rating.objects.filter(rated_at__gte=start, rated_at__lt=end, excluded=False)
            .values("region_path", "department_id")
            .annotate(n=Count("pk"), good=Count("pk", filter=Q(level__in=GOOD_LEVELS)))
            .order_by()
        )
        for r in rows:
            self.add(
                r["region_path"], r["department_id"], ind.RATINGS_GOOD, num=r["good"], den=r["n"]
            )

    def rectifications(self) -> None:
        first, nxt, _, _ = _bounds(self.period)
        overdue = Q(
            answered_at__isnull=True, due_on__lt=self.today, status__in=(RS.OPEN, RS.ESCALATED)
        )
        rows = (
            Rectification.objects.filter(due_on__gte=first, due_on__lt=nxt)
            .filter(Q(on_time__isnull=False) | overdue)
            .values("region_path", "department_id")
            .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
            .order_by()
        )
        for r in rows:
            self.add(
                r["region_path"], r["department_id"], ind.RECT_ON_TIME, num=r["on_time"], den=r["n"]
            )

    # --- 12345 -------------------------------------------------------------------

    def hotline(self) -> None:
        _, _, start, end = _bounds(self.period)
        rows = WorkOrder.objects.filter(
            registered_at__gte=start, registered_at__lt=end
        ).values_list(
            "region_path",
            "department_id",
            "status",
            "registered_at",
            "first_dispatched_at",
            "replied_at",
            "satisfaction",
        )
        for path, dept, status, registered, dispatched, replied, satisfaction in rows.iterator(
            chunk_size=CHUNK
        ):
            if dispatched is not None or status == OrderStatus.REGISTERED:
                # Orders answered directly, handed over or merged need no dispatch.
                days = (
                    self.wd.between(clock.local_date(registered), clock.local_date(dispatched))
                    if dispatched is not None
                    else self.wd.between(clock.local_date(registered), self.today)
                )
                if days is not None and (dispatched is not None or days > HOTLINE_DISPATCH_DAYS):
                    ok = dispatched is not None and days <= HOTLINE_DISPATCH_DAYS
                    self.add(path, dept, ind.HOTLINE_DISPATCH, num=int(ok), den=1)
            if replied is not None and dispatched is not None:
                days = self.wd.between(clock.local_date(dispatched), clock.local_date(replied))
                if days is not None:
                    self.add(
                        path, dept, ind.HOTLINE_ANSWER, num=int(days <= HOTLINE_ANSWER_DAYS), den=1
                    )
            if satisfaction is not None:
                self.add(path, dept, ind.HOTLINE_SATISFIED, num=int(satisfaction >= 4), den=1)

    # --- snapshots -------------------------------------------------------------

    def catalogue(self) -> None:
        rows = (
            ServiceItem.objects.filter(
                status=ServiceItemStatus.ACTIVE,
                current_version__isnull=False,
                item_type__in=ON_APPLICATION_TYPES,
            )
            .values("region_path", "department_id", "level")
            .annotate(
                total=Count("pk"),
                online=Count("pk", filter=Q(online_depth__gte=3)),
                full=Count("pk", filter=Q(online_depth=4)),
                mobile=Count("pk", filter=Q(mobile=True)),
                zero=Count("pk", filter=Q(visits_required=0)),
            )
            .order_by()
        )
        for r in rows:
            path, dept, level, total = r["region_path"], r["department_id"], r["level"], r["total"]
            self.add(path, dept, ind.ITEMS_ONLINE, dim=level, num=r["online"], den=total)
            self.add(path, dept, ind.ITEMS_FULL_ONLINE, dim=level, num=r["full"], den=total)
            self.add(path, dept, ind.ITEMS_MOBILE, dim=level, num=r["mobile"], den=total)
            self.add(path, dept, ind.ITEMS_ZERO_VISIT, dim=level, num=r["zero"], den=total)
        proofs = ProofItem.objects.aggregate(
            n=Count("pk"), removed=Count("pk", filter=Q(status__in=REMOVED_STATUSES))
        )
        if proofs["n"]:
            self.add(
                PLATFORM_PATH, None, ind.PROOFS_REMOVED, num=proofs["removed"], den=proofs["n"]
            )


def activity_months(*, until: dt.date) -> list[dt.date]:
    """Every month with a received case, a rating or a 12345 order, oldest first."""
    firsts: list[dt.date] = []
    for day in (
        Case.objects.order_by("received_on").values_list("received_on", flat=True).first(),
        _local(Rating.objects.order_by("rated_at").values_list("rated_at", flat=True).first()),
        _local(
            WorkOrder.objects.order_by("registered_at")
            .values_list("registered_at", flat=True)
            .first()
        ),
        _local(
            BundleApplication.objects.order_by("received_at")
            .values_list("received_at", flat=True)
            .first()
        ),
    ):
        if day is not None:
            firsts.append(day)
    if not firsts:
        return [until.replace(day=1)]
    return ind.month_range(min(min(firsts), until), until)


def _local(moment: dt.datetime | None) -> dt.date | None:
    return clock.local_date(moment) if moment else None


@dataclass
class RebuildResult:
    months: int = 0
    rows: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"months": self.months, "rows": self.rows}


def board_rollups_rebuild(
    *, periods: Iterable[dt.date] | None = None, now: dt.datetime | None = None
) -> RebuildResult:
    """Recompute the rollups of ``periods`` (first days of months; every month
    with activity when None) and replace their rows; idempotent."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    current = today.replace(day=1)
    months = (
        sorted({p.replace(day=1) for p in periods})
        if periods is not None
        else activity_months(until=today)
    )
    if any(m > current for m in months):
        raise DomainError(errors.BOARD_PERIOD_INVALID, "不能统计尚未开始的月份。")
    wd = WorkingDays(get_calendar())
    result = RebuildResult()
    for period in months:
        builder = _Builder(period, today=today, wd=wd)
        builder.received_cases()
        builder.concluded_cases()
        builder.bundles()
        builder.ratings()
        builder.rectifications()
        builder.hotline()
        if period == current:
            builder.catalogue()
        with transaction.atomic():
            stale = Rollup.objects.filter(period=period)
            if period != current:
                stale = stale.exclude(metric__in=ind.SNAPSHOT_METRICS)
            stale.delete()
            Rollup.objects.bulk_create(
                [
                    Rollup(
                        period=period,
                        region_path=path,
                        department_id=dept,
                        metric=metric,
                        dim=dim,
                        num=acc.num,
                        den=acc.den,
                        hist=acc.hist,
                        limit=acc.limit,
                        built_at=moment,
                    )
                    for (path, dept, metric, dim), acc in builder.rows.items()
                ],
                batch_size=2000,
            )
        result.months += 1
        result.rows += len(builder.rows)
    logger.info("board rollups rebuilt: %s", result.as_dict())
    return result


def board_rollups_refresh(*, now: dt.datetime | None = None) -> RebuildResult:
    """The scheduler's refresh (every 15 minutes): the months that the histories
    appended since the last refresh are counted in, and the months near today
    (``analytics.incremental``); every month on the first run."""
    moment = now or clock.now()
    result = board_rollups_rebuild(periods=incremental.refresh_plan(now=moment), now=moment)
    incremental.watermark_advance(started=moment, months=result.months)
    return result
