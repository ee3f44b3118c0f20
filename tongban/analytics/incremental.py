"""The incremental refresh of the board's rollups, driven by the histories.

Every source keeps an append-only history (``CaseEvent``, ``WorkOrderEvent``,
``RectificationEvent``, ``BundleApplicationEvent``; a rating carries its own
``rated_at`` and ``changed_at``). The scheduler's refresh reads what was
appended since the last refresh (less ``LAG`` for transactions that committed
late), finds the months those changes are counted in, and recomputes only
them with ``services.board_rollups_rebuild``. A change to an old month — an
order registered in June and revisited in December, an appeal upheld on a
rating of last spring — reaches the board on the next refresh, not only the
last months; a quiet old month is never read again.

Figures that change with time alone (a rectification or a 12345 dispatch
becoming overdue with no event) belong to months near today: every month that
meets ``[since − TIME_WINDOW, now]`` is recomputed too (the longest such wait,
a 12345 dispatch of one working day or a rectification's due date, falls
inside it). The first refresh, with no watermark, rebuilds every month.

``tests/test_incremental.py`` checks that the incremental refresh and the full
rebuild write the same rows after changes in old and current months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from tongban.analytics import indicators as ind
from tongban.analytics.models import RollupWatermark
from tongban.bundles.models import BundleApplication, BundleApplicationEvent
from tongban.cases.models import Case, CaseEvent
from tongban.core import clock
from tongban.evaluation.models import Rating, Rectification, RectificationEvent
from tongban.hotline.models import WorkOrder, WorkOrderEvent

LAG = dt.timedelta(minutes=10)
TIME_WINDOW = dt.timedelta(days=31)


def _month(value: dt.date | dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    day = clock.local_date(value) if isinstance(value, dt.datetime) else value
    return day.replace(day=1)


def _months(values: Iterable[dt.date | dt.datetime | None]) -> set[dt.date]:
    return {m for m in map(_month, values) if m is not None}


def months_touched(*, since: dt.datetime, now: dt.datetime) -> set[dt.date]:
    """The months whose rollups may differ because of what happened since ``since``."""
    touched: set[dt.date] = set()
    cases = Case.objects.filter(
        pk__in=CaseEvent.objects.filter(at__gte=since).values("case_id")
    ).values_list("received_on", "concluded_at")
    for received_on, concluded_at in cases.iterator(chunk_size=5000):
        touched |= _months((received_on, concluded_at))
    ratings = Rating.objects.filter(Q(rated_at__gte=since) | Q(changed_at__gte=since))
    touched |= _months(ratings.values_list("rated_at", flat=True).iterator(chunk_size=5000))
    rectifications = Rectification.objects.filter(
        pk__in=RectificationEvent.objects.filter(at__gte=since).values("rectification_id")
    ).values_list("due_on", "rating__rated_at")
    for due_on, rated_at in rectifications.iterator(chunk_size=5000):
        touched |= _months((due_on, rated_at))  # an appeal upheld changes the rating's month
    orders = WorkOrder.objects.filter(
        pk__in=WorkOrderEvent.objects.filter(at__gte=since).values("order_id")
    ).values_list("registered_at", flat=True)
    touched |= _months(orders.iterator(chunk_size=5000))
    bundles = BundleApplication.objects.filter(
        pk__in=BundleApplicationEvent.objects.filter(at__gte=since).values("application_id")
    ).values_list("received_at", "concluded_at")
    for received_at, concluded_at in bundles.iterator(chunk_size=5000):
        touched |= _months((received_at, concluded_at))
    first = _month(since - TIME_WINDOW)
    current = _month(now)
    assert first is not None and current is not None
    touched |= set(ind.month_range(first, clock.local_date(now)))
    return {m for m in touched if m <= current}


def refresh_plan(*, now: dt.datetime) -> list[dt.date] | None:
    """The months to recompute now; ``None`` (every month) before the first refresh."""
    mark = RollupWatermark.objects.filter(pk=1).first()
    if mark is None:
        return None
    return sorted(months_touched(since=mark.refreshed_from - LAG, now=now))


def watermark_advance(*, started: dt.datetime, months: int) -> None:
    """Record a finished refresh (never moves the mark backwards)."""
    mark, created = RollupWatermark.objects.get_or_create(
        pk=1, defaults={"refreshed_from": started, "months": months}
    )
    if not created and mark.refreshed_from < started:
        RollupWatermark.objects.filter(pk=1, refreshed_from__lt=started).update(
            refreshed_from=started, months=months
        )
