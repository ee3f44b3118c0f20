"""The indicators board: each formula on the hand-computed month of conftest,
the rebuild and the refresh agreeing, the scope, the pages and the CSV."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tongban.analytics import indicators as ind
from tongban.analytics import selectors, services
from tongban.analytics.models import Rollup
from tongban.analytics.tests.conftest import NOV, NOW, OCT, local
from tongban.catalog.stats import catalog_stats
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.identity.services import staff_account_create
from tongban.org.models import Department, Region, Role
from tongban.org.services import staff_assign

TODAY = NOW.date()


def _figures(board: selectors.Board) -> dict[str, ind.Figure]:
    return {f.indicator.code: f for f in board.figures}


def _board(bw: Any, user: Any = None, region: str = "320100", period: str = "2026-11") -> Any:
    return selectors.board_for_staff(
        user=user or bw.accounts.supervisor, region_code=region, period=period, today=TODAY
    )


def _rows() -> list[tuple[Any, ...]]:
    return sorted(
        Rollup.objects.values_list(
            "period", "region_path", "department_id", "metric", "dim", "num", "den", "hist", "limit"
        ),
        key=repr,
    )


# --- pure formulas -------------------------------------------------------------


@pytest.mark.parametrize(
    ("hist", "p", "expected"),
    [
        ({0: 1, 1: 1, 3: 1, 8: 1}, 0.5, 1),  # ⌈0.5·4⌉ = 2nd value of 0,1,3,8
        ({0: 1, 1: 1, 3: 1, 8: 1}, 0.9, 8),  # ⌈3.6⌉ = 4th
        ({2: 9, 40: 1}, 0.9, 2),  # 9 of 10 within 2 days
        ({2: 8, 40: 2}, 0.9, 40),
        ({}, 0.5, None),
    ],
)
def test_percentiles_are_nearest_rank_on_the_histogram(hist, p, expected):
    assert ind.percentile(hist, p) == expected


def test_shares_and_per_case_figures_round_to_one_and_two_decimals():
    assert ind.share(ind.Sums(2, 3)) == 66.7
    assert ind.share(ind.Sums(0, 0)) is None
    assert ind.per_case(ind.Sums(3, 4)) == 0.75
    assert ind.within({1: 3, 4: 1}, 3) == 75.0


def test_working_days_from_the_table_agree_with_the_calendar():
    cal = get_calendar()
    wd = services.WorkingDays(cal)
    start = dt.date(2026, 9, 25)
    for offset in range(0, 120, 7):
        end = start + dt.timedelta(days=offset)
        assert wd.between(start, end) == cal.working_days_between(start, end)
    # Across the new year and backwards.
    assert wd.between(dt.date(2026, 12, 28), dt.date(2027, 1, 8)) == cal.working_days_between(
        dt.date(2026, 12, 28), dt.date(2027, 1, 8)
    )
    assert wd.between(dt.date(2026, 11, 9), dt.date(2026, 11, 2)) == -5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026", (dt.date(2026, 1, 1), dt.date(2026, 11, 1), "2026年")),  # cut at this month
        ("2026-10", (OCT, OCT, "2026年10月")),
        ("2025", (dt.date(2025, 1, 1), dt.date(2025, 12, 1), "2025年")),
    ],
)
def test_a_period_is_a_year_or_a_month_never_after_this_month(text, expected):
    assert ind.parse_period(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["2026-12", "2027", "1999", "2026-13", "26-1", "abc"])
def test_a_malformed_or_future_period_is_refused(text):
    with pytest.raises(ValueError):
        ind.parse_period(text, today=TODAY)


# --- the month of conftest, by hand ----------------------------------------------


def test_each_figure_of_the_month_is_the_hand_computed_one(bw):
    services.board_rollups_rebuild(periods=[NOV], now=NOW)
    f = _figures(_board(bw))
    # Received in November: base (online), c1 (综合受理窗口), c2 (online), c3 (全科窗口).
    assert (f["one_window"].num, f["one_window"].den, f["one_window"].value) == (2, 4, 50.0)
    # Government-data materials: c1 two, c2 one; 3 ÷ 4 received.
    assert f["exempted_per_case"].value == 0.75
    # Concluded in November: c1, c2, c3, c5 (received in October). Visits: c1 1
    # (window intake), c2 1 (window pick-up), c3 2, c5 0 → 3 of 4 at most one.
    assert (f["at_most_one_visit"].num, f["at_most_one_visit"].den) == (3, 4)
    # On time: c1 (5 ≤ 6 Nov), c3, c5 (2 ≤ 2 Nov); c2 decided 13 Nov > 10 Nov.
    assert (f["on_time"].num, f["on_time"].den, f["on_time"].value) == (3, 4, 75.0)
    assert f["on_time"].target is not None and f["on_time"].met is False
    # Working days from acceptance to decision: c1 3, c2 8, c3 0, c5 1 (Fri → Mon).
    assert (f["case_days"].value, f["case_days"].p90, f["case_days"].den) == (1, 8, 4)
    # Ratings in November: 非常满意, 满意, 不满意; the upheld appeal's not counted.
    assert (f["good_rate"].num, f["good_rate"].den, f["good_rate"].value) == (2, 3, 66.7)
    # Rectifications due in November: on time; open past 10 Nov; answered late.
    # The one due in December is not counted.
    assert (f["rect_on_time"].num, f["rect_on_time"].den) == (1, 3)
    # 12345: O1 dispatched within 1 working day, O2 after 2 (Fri → Tue), O4 still
    # waiting at the end of the month; O3 answered directly needs no dispatch.
    assert (f["hotline_dispatch"].num, f["hotline_dispatch"].den) == (1, 3)
    # Answered within 5 working days of dispatch: O1 (4), not O2 (8).
    assert (f["hotline_answer"].num, f["hotline_answer"].den) == (1, 2)
    assert (f["hotline_satisfied"].num, f["hotline_satisfied"].den) == (1, 2)


def test_the_catalogue_snapshot_counts_what_the_catalogue_page_counts(bw):
    services.board_rollups_rebuild(periods=[NOV], now=NOW)
    f = _figures(_board(bw, period="2026"))
    stats = catalog_stats("320100")
    for level in stats.levels:
        online = f[f"online_{level.level}"]
        assert (online.num, online.den) == (level.counts.online, level.counts.total)
    # 江苏 002 二(一)3: 80 % at every level.
    target = f[f"online_{stats.levels[0].level}"].target
    assert target is not None and target.value == 80


def test_a_month_rebuilt_alone_equals_the_full_rebuild(bw):
    services.board_rollups_rebuild(periods=None, now=NOW)
    full = _rows()
    assert {r[0] for r in full} >= {OCT, NOV}
    services.board_rollups_refresh(now=NOW)
    assert _rows() == full
    Rollup.objects.all().delete()
    services.board_rollups_rebuild(periods=[OCT], now=NOW)
    services.board_rollups_rebuild(periods=[NOV], now=NOW)
    assert _rows() == [r for r in full if r[0] in (OCT, NOV)]


def test_a_later_fact_reaches_the_board_on_the_next_refresh(bw):
    services.board_rollups_refresh(now=NOW)
    assert _figures(_board(bw))["good_rate"].den == 3
    bw.copies["c1"].ratings.update(excluded=True)  # an appeal upheld later
    services.board_rollups_refresh(now=NOW + dt.timedelta(minutes=15))
    assert _figures(_board(bw))["good_rate"].den == 2


def test_a_past_month_keeps_its_catalogue_snapshot_when_rebuilt(bw):
    services.board_rollups_rebuild(periods=[OCT], now=local("2026-10-31"))
    snapshot = Rollup.objects.filter(period=OCT, metric=ind.ITEMS_ONLINE).count()
    assert snapshot > 0
    services.board_rollups_rebuild(periods=[OCT], now=NOW)
    assert Rollup.objects.filter(period=OCT, metric=ind.ITEMS_ONLINE).count() == snapshot
    assert not Rollup.objects.filter(period=NOV).exists()


def test_a_future_month_is_not_rebuilt(bw):
    with pytest.raises(DomainError) as exc:
        services.board_rollups_rebuild(periods=[dt.date(2026, 12, 1)], now=NOW)
    assert exc.value.code == "board_period_invalid"


# --- scope (CONVENTIONS 5) -------------------------------------------------------


def test_a_region_outside_the_scope_is_refused_with_its_code(bw):
    with pytest.raises(DomainError) as exc:
        _board(bw, region="360700")
    assert exc.value.code == "board_region_out_of_scope"


def test_a_citizen_or_a_window_clerk_may_not_read_the_board(bw):
    for user in (bw.accounts.citizen, bw.cases.clerk):
        with pytest.raises(DomainError) as exc:
            _board(bw, user=user)
        assert exc.value.code == "board_not_allowed"


def test_a_department_restricted_head_counts_only_the_departments_rows(bw):
    services.board_rollups_rebuild(periods=[NOV], now=NOW)
    other = Department.objects.get(name="南京市人力资源和社会保障局")
    head = staff_account_create(username="rs_head", display_name="人社局长", password="Pw-12345678")
    staff_assign(
        user_id=head.pk,
        role=Role.DEPARTMENT_HEAD,
        department=other,
        region_scope=Region.objects.get(code="320100"),
        scope_departments=[other],
    )
    f = _figures(_board(bw, user=head))
    assert f["one_window"].den == 0 and f["good_rate"].den == 0
    assert (
        selectors.board_for_staff(
            user=bw.accounts.supervisor, region_code="", period="2026-11", today=TODAY
        ).region.code
        == "320100"
    )


def test_the_public_board_has_no_departments_or_items(bw):
    services.board_rollups_rebuild(periods=[NOV], now=NOW)
    board = selectors.board_public(region_code="320100", period="2026-11", today=TODAY)
    assert _figures(board)["one_window"].value == 50.0
    assert board.departments == [] and board.items == []
    assert [r.name for r in board.regions] == ["玄武区"]  # the 12345 orders' county


def test_the_staff_board_ranks_departments(bw):
    services.board_rollups_rebuild(periods=[NOV], now=NOW)
    board = _board(bw)
    assert [(r.name, r.cases, r.values["on_time"]) for r in board.departments] == [
        ("南京市市场监督管理局", 4, 75.0)
    ]
    assert [(i.count, i.median, i.p90) for i in board.items] == [(4, 1, 8)]


# --- pages -------------------------------------------------------------------------


@pytest.fixture
def as_supervisor(client, bw):
    client.force_login(bw.accounts.supervisor)
    return client


def test_the_workbench_board_shows_figures_targets_and_a_chart(
    as_supervisor, bw, django_assert_max_num_queries, monkeypatch
):
    from tongban.core import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    services.board_rollups_rebuild(periods=[NOV], now=NOW)
    with django_assert_max_num_queries(30):
        response = as_supervisor.get("/workbench/board/?region=320100&period=2026-11")
    body = response.content.decode()
    assert response.status_code == 200
    assert "一窗受理率" in body and "50.0 %" in body
    assert "<svg" in body and "部门排名" in body
    assert "行政许可法" in body  # the target's source beside the figure


def test_the_csv_download_has_every_figure(as_supervisor, bw, monkeypatch):
    from tongban.core import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    services.board_rollups_rebuild(periods=[NOV], now=NOW)
    response = as_supervisor.get("/workbench/board/?region=320100&period=2026-11&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "一窗受理率,50.0,%,,2,4" in text
    assert "按期办结率,75.0,%,,3,4,≥ 100%,未达标" in text
    assert "南京市市场监督管理局,4,75.0" in text


def test_a_board_outside_the_scope_is_not_found_and_a_bad_period_explained(as_supervisor):
    assert as_supervisor.get("/workbench/board/?region=360700").status_code == 404
    response = as_supervisor.get("/workbench/board/?period=2099")
    assert response.status_code == 422
    assert "统计期间" in response.content.decode()


def test_a_clerk_is_refused_the_board_page(client, bw):
    client.force_login(bw.cases.clerk)
    assert client.get("/workbench/board/").status_code == 403


def test_the_public_figures_page_needs_no_login(client, bw, monkeypatch):
    from tongban.core import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    services.board_rollups_rebuild(periods=[NOV], now=NOW)
    response = client.get("/figures/?region=320100&period=2026")
    body = response.content.decode()
    assert response.status_code == 200
    assert "一窗受理率" in body and "部门排名" not in body
    assert "南京市市场监督管理局" not in body


def test_the_command_rebuilds_a_month_and_refuses_a_malformed_one(bw):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("board", "rebuild", "--month", "2026-10", stdout=out)
    assert "重建 1 个月" in out.getvalue()
    assert Rollup.objects.filter(period=OCT, metric=ind.CASES_ONE_WINDOW).exists()
    with pytest.raises(CommandError):
        call_command("board", "rebuild", "--month", "2026/10")


def test_the_admin_lists_rollups_read_only(client, bw):
    from tongban.identity.models import User

    services.board_rollups_rebuild(periods=[NOV], now=NOW)
    client.force_login(User.objects.create_superuser("root", "root-password-1"))
    assert ind.CASES_ONE_WINDOW in client.get("/admin/analytics/rollup/").content.decode()
    assert client.get("/admin/analytics/rollup/add/").status_code == 403
