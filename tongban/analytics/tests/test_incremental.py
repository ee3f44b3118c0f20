"""The incremental refresh (analytics.incremental) writes what a full rebuild
writes, after changes counted in old months and in the current one; it reads
only the months the histories touched."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tongban.analytics import incremental, services
from tongban.analytics import indicators as ind
from tongban.analytics.models import Rollup, RollupWatermark
from tongban.analytics.tests.conftest import NOV, NOW, _order, local
from tongban.analytics.tests.test_board import _rows
from tongban.hotline.models import OrderStatus
from tongban.hotline.services.closing import work_order_revisit
from tongban.org.models import Region

JUNE = dt.date(2026, 6, 1)


def _june_order(bw: Any) -> Any:
    """An order registered, dispatched and answered in June, not yet revisited."""
    return _order(
        "O-JUNE",
        local("2026-06-03"),
        Region.objects.get(code="320102"),
        department=bw.base.department,
        status=OrderStatus.REPLIED,
        first_dispatched_at=local("2026-06-04"),
        replied_at=local("2026-06-08"),
    )


def _full_rebuild_rows(now: dt.datetime) -> list[tuple[Any, ...]]:
    services.board_rollups_rebuild(periods=None, now=now)
    return _rows()


def test_the_first_refresh_rebuilds_every_month_and_sets_the_watermark(bw):
    _june_order(bw)
    result = services.board_rollups_refresh(now=NOW)
    assert result.months >= 6  # June to November
    assert RollupWatermark.objects.get().refreshed_from == NOW
    assert Rollup.objects.filter(period=JUNE, metric=ind.HOTLINE_ANSWER).exists()


def test_an_old_order_revisited_now_reaches_its_month_and_agrees_with_a_rebuild(bw):
    order = _june_order(bw)
    services.board_rollups_refresh(now=NOW)
    june_before = Rollup.objects.filter(period=JUNE, metric=ind.HOTLINE_SATISFIED).count()
    later = NOW + dt.timedelta(minutes=15)
    work_order_revisit(
        order_id=order.pk, actor=None, solved=True, satisfaction=5, now=later, by_caller=True
    )

    # Only the touched month and the months near today are read again.
    plan = incremental.refresh_plan(now=later)
    assert plan == [JUNE, dt.date(2026, 10, 1), NOV]
    services.board_rollups_refresh(now=later)
    june = Rollup.objects.filter(period=JUNE, metric=ind.HOTLINE_SATISFIED)
    assert june.count() > june_before and sum(r.num for r in june) == 1

    incremental_rows = _rows()
    Rollup.objects.all().delete()
    assert _full_rebuild_rows(later) == incremental_rows


def test_a_refresh_without_new_history_reads_only_the_months_near_today(bw):
    services.board_rollups_refresh(now=NOW)
    before = _rows()
    later = NOW + dt.timedelta(minutes=15)
    assert incremental.refresh_plan(now=later) == [dt.date(2026, 10, 1), NOV]
    assert services.board_rollups_refresh(now=later).months == 2
    assert _rows() == before
    assert RollupWatermark.objects.get().refreshed_from == later


def test_a_late_running_refresh_never_moves_the_watermark_back(bw):
    services.board_rollups_refresh(now=NOW)
    incremental.watermark_advance(started=NOW - dt.timedelta(hours=1), months=1)
    assert RollupWatermark.objects.get().refreshed_from == NOW
