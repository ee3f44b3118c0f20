"""Online-availability figures of the catalogue against the targets (R-PL-5).

**Which items count.** The targets are set for 依申请政务服务事项: the six
on-application kinds of administrative power — 行政许可 (01), 行政给付 (05),
行政确认 (07), 行政奖励 (08), 行政裁决 (09), 其他行政权力 (10) — and 公共服务
(20). Powers the government exercises on its own initiative (依职权: 行政处罚
02, 行政强制 03, 行政征收 04, 行政检查 06) have no applicant and are left out.
Only published, active items count.

**Figures**, per level of the items implemented in the region and below:

* 网上可办: 网办深度 Ⅲ级 or Ⅳ级 (accepted online; at most one visit);
* 全程网办: 网办深度 Ⅳ级;
* 掌上可办: the guide marks the item as available on the mobile app;
* 零跑动: no visit needed (跑动次数 0).

**Targets** (R-PL-5, from 江西省人民政府《深入推进“放管服”改革全面优化政务
服务若干措施》2019-03-27, 一(一)(三), the figures for the end of 2020):
网上可办率 of 省本级 items ≥95 %, of city and county items ≥75 %; 掌上可办
province 80 %, city and county 70 %
(set for high-frequency items; we have no frequency mark yet, so the share
is taken over all on-application items and the comparison says so); a city
offers ≥50 and a county ≥20 mobile items of its own. Townships and villages
have no target.

Cost: one aggregate query grouped by (child region, level), plus the region
and its children's names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Substr

from tongban.catalog.models import ItemType, Level, ServiceItem, ServiceItemStatus
from tongban.org.models import Region, RegionLevel
from tongban.org.selectors import region_get

ON_APPLICATION_TYPES: tuple[str, ...] = (
    ItemType.LICENSING.value,
    ItemType.PAYMENT.value,
    ItemType.CONFIRMATION.value,
    ItemType.AWARD.value,
    ItemType.ADJUDICATION.value,
    ItemType.OTHER_POWER.value,
    ItemType.PUBLIC_SERVICE.value,
)
EX_OFFICIO_TYPES: tuple[str, ...] = (
    ItemType.PENALTY.value,
    ItemType.COERCION.value,
    ItemType.LEVY.value,
    ItemType.INSPECTION.value,
)


@dataclass(frozen=True)
class Targets:
    online_percent: int | None  # 网上可办率
    mobile_percent: int | None  # 掌上可办 (high-frequency items)
    mobile_items: int | None  # local mobile items a branch offers


TARGETS: dict[str, Targets] = {
    Level.PROVINCE.value: Targets(95, 80, None),
    Level.CITY.value: Targets(75, 70, 50),
    Level.COUNTY.value: Targets(75, 70, 20),
}
TARGET_SOURCE = (
    "国务院关于加快推进全国一体化在线政务服务平台建设的指导意见（国发〔2018〕27号），2020 年目标"
)
NO_TARGETS = Targets(None, None, None)


@dataclass(frozen=True)
class Figure:
    """One share with its target, if the document sets one."""

    label: str
    count: int
    total: int
    target_percent: int | None = None

    @property
    def percent(self) -> float:
        return round(100 * self.count / self.total, 1) if self.total else 0.0

    @property
    def met(self) -> bool | None:
        """None when there is no target (or nothing to measure)."""
        if self.target_percent is None or not self.total:
            return None
        return 100 * self.count >= self.target_percent * self.total


@dataclass
class Counts:
    total: int = 0
    online: int = 0
    fully_online: int = 0
    mobile: int = 0
    zero_visits: int = 0

    def add(self, other: Counts) -> None:
        self.total += other.total
        self.online += other.online
        self.fully_online += other.fully_online
        self.mobile += other.mobile
        self.zero_visits += other.zero_visits


@dataclass
class LevelStats:
    level: str  # Level value, "" for the sum over levels
    label: str
    counts: Counts
    targets: Targets

    @property
    def online(self) -> Figure:
        return Figure(
            "网上可办", self.counts.online, self.counts.total, self.targets.online_percent
        )

    @property
    def fully_online(self) -> Figure:
        return Figure("全程网办", self.counts.fully_online, self.counts.total)

    @property
    def mobile(self) -> Figure:
        return Figure(
            "掌上可办", self.counts.mobile, self.counts.total, self.targets.mobile_percent
        )

    @property
    def zero_visits(self) -> Figure:
        return Figure("零跑动", self.counts.zero_visits, self.counts.total)

    @property
    def mobile_items_met(self) -> bool | None:
        if self.targets.mobile_items is None:
            return None
        return self.counts.mobile >= self.targets.mobile_items

    @property
    def figures(self) -> list[Figure]:
        return [self.online, self.fully_online, self.mobile, self.zero_visits]


@dataclass
class AreaStats:
    """Figures of one area: the region itself (its own level) or a child region's subtree."""

    code: str
    name: str
    levels: list[LevelStats]
    total: LevelStats


@dataclass
class RegionStats:
    region_code: str
    region_name: str
    levels: list[LevelStats]  # the region and everything below it, by level
    total: LevelStats  # all levels together (no target: targets are per level)
    areas: list[AreaStats] = field(default_factory=list)  # the region itself, then each child
    target_source: str = TARGET_SOURCE
    counted_types: tuple[str, ...] = ON_APPLICATION_TYPES


def _level_stats(level: str, counts: Counts) -> LevelStats:
    return LevelStats(level, Level(level).label, counts, TARGETS.get(level, NO_TARGETS))


def _sum(levels: list[LevelStats]) -> LevelStats:
    total = Counts()
    for stats in levels:
        total.add(stats.counts)
    return LevelStats("", "合计", total, NO_TARGETS)


def _child_code_length(region: Region) -> int:
    # GB/T 2260 codes are 6 digits down to the county; 乡镇 and 村 codes 12.
    return 6 if region.level in (RegionLevel.PROVINCE, RegionLevel.CITY) else 12


def catalog_stats(region: Region | str) -> RegionStats:
    """Online-availability figures of ``region`` (a Region or its code) and below."""
    the_region = region if isinstance(region, Region) else region_get(region)
    path = the_region.path
    # "/320000/320100/…" → "/320000/320100/" is the child's own path prefix.
    child_prefix = Substr("region_path", 1, len(path) + _child_code_length(the_region) + 1)
    rows = (
        ServiceItem.objects.filter(
            region_path__startswith=path,
            status=ServiceItemStatus.ACTIVE,
            current_version__isnull=False,
            item_type__in=ON_APPLICATION_TYPES,
        )
        .annotate(area=child_prefix)
        .values("area", "level")
        .annotate(
            total=Count("pk"),
            online=Count("pk", filter=Q(online_depth__gte=3)),
            fully_online=Count("pk", filter=Q(online_depth=4)),
            mobile=Count("pk", filter=Q(mobile=True)),
            zero_visits=Count("pk", filter=Q(visits_required=0)),
        )
        .order_by("area", "level")
    )
    by_level: dict[str, Counts] = {}
    by_area: dict[str, dict[str, Counts]] = {}
    for row in rows:
        counts = Counts(
            row["total"], row["online"], row["fully_online"], row["mobile"], row["zero_visits"]
        )
        by_level.setdefault(row["level"], Counts()).add(counts)
        # Items of the region itself have a path no longer than its own.
        area = row["area"] if len(row["area"]) > len(path) else path
        by_area.setdefault(area, {}).setdefault(row["level"], Counts()).add(counts)
    levels = [_level_stats(level, by_level[level]) for level in sorted(by_level)]
    children = {
        c.path: c for c in Region.objects.filter(parent=the_region).only("code", "name", "path")
    }
    areas = []
    for area_path in sorted(by_area):
        area_levels = [_level_stats(lv, c) for lv, c in sorted(by_area[area_path].items())]
        if area_path == path:
            code, name = the_region.code, f"{the_region.name}本级"
        else:
            child = children.get(area_path)
            code = child.code if child else area_path.strip("/").split("/")[-1]
            name = child.name if child else code
        areas.append(AreaStats(code, name, area_levels, _sum(area_levels)))
    return RegionStats(
        region_code=the_region.code,
        region_name=the_region.full_name or the_region.name,
        levels=levels,
        total=_sum(levels),
        areas=areas,
    )
