"""Reads of the indicators board: rollups only, scoped in SQL (CONVENTIONS 5).

``board_for_staff`` is the supervisor's and department head's board of a
region in their scope (a department-restricted grant sees its departments'
rows only); ``board_public`` the public subset (no department or item rows)
of the portal's figures page. A few grouped queries over ``Rollup``, never
over cases or orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum
from django.db.models.functions import Substr

from tongban.analytics import errors
from tongban.analytics import indicators as ind
from tongban.analytics.models import Rollup
from tongban.bundles.models import Bundle
from tongban.catalog.models import ServiceItem
from tongban.core.errors import DomainError
from tongban.org.models import Department, Region, RegionLevel, Role
from tongban.org.selectors import scope_q, staff_scope_for

BOARD_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_HEAD, Role.PLATFORM_ADMIN)
# The figures compared in the rankings of regions and departments (R-EV-4).
RANKED = ("on_time", "good_rate", "rect_on_time", "one_window", "hotline_answer")
TOP_ITEMS = 20


@dataclass(frozen=True)
class RankRow:
    key: str
    name: str
    values: dict[str, float | None]
    cases: int  # concluded cases with a deadline: the weight of 按期办结率

    @property
    def cells(self) -> list[float | None]:
        return [self.values[c] for c in RANKED]


@dataclass(frozen=True)
class DistRow:
    key: str
    name: str
    count: int
    median: int | None
    p90: int | None
    limit: int | None
    within: float | None  # share within the limit, percent
    target: ind.Target | None = None


@dataclass
class Board:
    region: Region
    first: dt.date
    last: dt.date
    label: str
    figures: list[ind.Figure]
    regions: list[RankRow] = field(default_factory=list)
    departments: list[RankRow] = field(default_factory=list)
    bundles: list[DistRow] = field(default_factory=list)
    items: list[DistRow] = field(default_factory=list)
    built_at: dt.datetime | None = None
    ranked: tuple[ind.Indicator, ...] = ()


def may_read_board(user: Any) -> bool:
    return not staff_scope_for(user=user).for_roles(*BOARD_ROLES).is_empty


def board_regions_for_staff(*, user: Any) -> list[Region]:
    """The regions whose board the user may open: each grant's region and its children."""
    scope = staff_scope_for(user=user).for_roles(*BOARD_ROLES)
    paths = sorted(scope.region_paths, key=len)
    if not paths:
        return []
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path=path) | Q(parent__path=path)
    return list(Region.objects.filter(q).order_by("path").only("code", "name", "path", "level"))


def _child_length(region: Region) -> int:
    # GB/T 2260: 6 digits down to the county; 乡镇 and 村 codes 12.
    return 6 if region.level in (RegionLevel.PROVINCE, RegionLevel.CITY) else 12


def _region(code: str) -> Region:
    region = Region.objects.filter(code=(code or "").strip()[:12]).first()
    if region is None:
        raise DomainError(errors.BOARD_REGION_OUT_OF_SCOPE, "区划不存在或不在本人数据范围内。")
    return region


def _period(period: str, today: dt.date) -> tuple[dt.date, dt.date, str]:
    try:
        return ind.parse_period(period, today=today)
    except ValueError:
        raise DomainError(
            errors.BOARD_PERIOD_INVALID,
            "统计期间应为年份（如 2026）或月份（如 2026-11），且不晚于本月。",
        ) from None


def _sums(rows: QuerySet[Rollup], *keys: str) -> dict[tuple[Any, ...], ind.Sums]:
    out: dict[tuple[Any, ...], ind.Sums] = {}
    for r in rows.values(*keys).annotate(n=Sum("num"), d=Sum("den")).order_by():
        out.setdefault(tuple(r[k] for k in keys), ind.Sums()).add(r["n"] or 0, r["d"] or 0)
    return out


def _build(
    *,
    region: Region,
    rows: QuerySet[Rollup],
    first: dt.date,
    last: dt.date,
    label: str,
    detail: bool,
) -> Board:
    rows = rows.filter(period__gte=first, period__lte=last)
    # Snapshots: the latest month in the period only, never a sum of months.
    snap = rows.filter(metric__in=ind.SNAPSHOT_METRICS).aggregate(p=Max("period"))["p"]
    flows = rows.exclude(metric__in=ind.SNAPSHOT_METRICS | ind.DISTRIBUTION_METRICS)
    counted = flows | rows.filter(metric__in=ind.SNAPSHOT_METRICS, period=snap) if snap else flows
    by_dim = _sums(counted, "metric", "dim")
    by_metric: dict[str, ind.Sums] = {}
    for (metric, _dim), s in by_dim.items():
        by_metric.setdefault(metric, ind.Sums()).add(s.num, s.den)
    dist = list(
        rows.filter(metric__in=ind.DISTRIBUTION_METRICS).values_list(
            "metric", "dim", "hist", "limit"
        )
    )
    merged: dict[tuple[str, str], ind.Sums] = {}
    for metric, dim, hist, limit in dist:
        s = merged.setdefault((metric, dim), ind.Sums())
        s.add(0, 0, hist)
        s.limit = limit if limit is not None else s.limit
    all_cases = ind.Sums()
    for (metric, _dim), s in merged.items():
        if metric == ind.CASE_DAYS:
            all_cases.add(0, 0, {str(k): v for k, v in s.hist.items()})
    figures = []
    for indicator in ind.indicators():
        if indicator.kind == "distribution":
            sums: ind.Sums | None = all_cases
        elif indicator.dim:
            sums = by_dim.get((indicator.metric, indicator.dim))
        else:
            sums = by_metric.get(indicator.metric)
        if indicator.dim and sums is None:
            continue  # no item of this level in the region
        figures.append(
            ind.figure(indicator, sums, region_code=region.code, region_level=region.level)
        )
    board = Board(region=region, first=first, last=last, label=label, figures=figures)
    board.built_at = rows.aggregate(b=Max("built_at"))["b"]
    by_code = {i.code: i for i in ind.indicators()}
    board.ranked = tuple(by_code[c] for c in RANKED)
    ranked_metrics = [by_code[c].metric for c in RANKED]
    # Regions ranked: the children of the region (R-EV-4).
    child = Substr("region_path", 1, len(region.path) + _child_length(region) + 1)
    areas = _sums(
        flows.filter(metric__in=ranked_metrics, region_path__startswith=region.path)
        .annotate(area=child)
        .filter(area__endswith="/"),
        "area",
        "metric",
    )
    names = {
        r.path: r
        for r in Region.objects.filter(path__in={a for a, _ in areas}).only("code", "name", "path")
    }
    board.regions = _ranking(
        {a for a, _ in areas if a != region.path and a in names},
        areas,
        key=lambda a: names[a].code,
        name=lambda a: names[a].name,
        by_code=by_code,
    )
    for bundle_code in sorted({d for m, d in merged if m == ind.BUNDLE_DAYS}):
        s = merged[(ind.BUNDLE_DAYS, bundle_code)]
        target = ind.BUNDLE_TARGETS.get(region.code[:2], {}).get(bundle_code)
        board.bundles.append(_dist(bundle_code, bundle_code, s, target))
    bundle_names = dict(
        Bundle.objects.filter(code__in=[b.key for b in board.bundles]).values_list("code", "name")
    )
    board.bundles = [
        DistRow(**{**b.__dict__, "name": bundle_names.get(b.key, b.key)}) for b in board.bundles
    ]
    if not detail:
        return board
    depts = _sums(
        flows.filter(metric__in=ranked_metrics, department__isnull=False), "department", "metric"
    )
    dept_names = dict(
        Department.objects.filter(pk__in={d for d, _ in depts}).values_list("pk", "name")
    )
    board.departments = _ranking(
        {d for d, _ in depts},
        depts,
        key=str,
        name=lambda d: dept_names.get(d, str(d)),
        by_code=by_code,
    )
    items = sorted(
        ((d, s) for (m, d), s in merged.items() if m == ind.CASE_DAYS),
        key=lambda pair: -sum(pair[1].hist.values()),
    )[:TOP_ITEMS]
    item_names = dict(
        ServiceItem.objects.filter(pk__in=[int(d) for d, _ in items if d.isdigit()]).values_list(
            "pk", "name"
        )
    )
    board.items = [
        _dist(d, item_names.get(int(d), d) if d.isdigit() else d, s, None) for d, s in items
    ]
    return board


def _dist(key: str, name: str, s: ind.Sums, target: ind.Target | None) -> DistRow:
    limit = int(target.value) if target else s.limit
    return DistRow(
        key=key,
        name=name,
        count=sum(s.hist.values()),
        median=ind.percentile(s.hist, 0.5),
        p90=ind.percentile(s.hist, 0.9),
        limit=limit,
        within=ind.within(s.hist, limit),
        target=target,
    )


def _ranking(
    keys: set[Any],
    sums: dict[tuple[Any, ...], ind.Sums],
    *,
    key: Any,
    name: Any,
    by_code: dict[str, ind.Indicator],
) -> list[RankRow]:
    rows = []
    for k in keys:
        values = {c: ind.share(sums.get((k, by_code[c].metric))) for c in RANKED}
        weight = sums.get((k, ind.CASES_ON_TIME))
        rows.append(RankRow(key(k), name(k), values, weight.den if weight else 0))
    # Ranked by 按期办结率, then 好评率; regions without figures last.
    rows.sort(
        key=lambda r: (
            r.values["on_time"] is None,
            -(r.values["on_time"] or 0),
            -(r.values["good_rate"] or 0),
            r.name,
        )
    )
    return rows


def board_for_staff(*, user: Any, region_code: str, period: str, today: dt.date) -> Board:
    """The board of ``region_code`` for ``period`` ("2026" or "2026-11"), scoped.

    ``board_not_allowed`` without a supervisor, department-head or platform
    role; ``board_region_out_of_scope`` for a region outside every grant.
    """
    scope = staff_scope_for(user=user).for_roles(*BOARD_ROLES)
    if scope.is_empty:
        raise DomainError(
            errors.BOARD_NOT_ALLOWED, "指标看板仅对监察人员、部门负责人和平台管理员开放。"
        )
    first, last, label = _period(period, today)
    if not region_code:
        widest = min(scope.region_paths, key=len)
        region_code = widest.strip("/").split("/")[-1]
    region = _region(region_code)
    if not any(region.path.startswith(g.region_path) for g in scope.grants):
        raise DomainError(errors.BOARD_REGION_OUT_OF_SCOPE, "区划不存在或不在本人数据范围内。")
    rows = Rollup.objects.filter(
        Q(region_path__startswith=region.path)
        & scope_q(scope=scope, region_path_field="region_path", department_field="department")
        | Q(region_path=_platform_path(region), metric=ind.PROOFS_REMOVED)
    )
    return _build(region=region, rows=rows, first=first, last=last, label=label, detail=True)


def board_public(*, region_code: str, period: str, today: dt.date) -> Board:
    """The public figures (政务服务数据公开): region totals and regions ranked,
    without departments or items."""
    first, last, label = _period(period, today)
    region = _region(region_code)
    rows = Rollup.objects.filter(
        Q(region_path__startswith=region.path)
        | Q(region_path=_platform_path(region), metric=ind.PROOFS_REMOVED)
    )
    board = _build(region=region, rows=rows, first=first, last=last, label=label, detail=False)
    board.figures = [f for f in board.figures if f.indicator.public]
    return board


def _platform_path(region: Region) -> str:
    # The 证明事项 list is the province's; a city or county board does not show it.
    return "/" if region.level == RegionLevel.PROVINCE else "-"
