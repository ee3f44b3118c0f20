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

**Targets** belong to the province whose document sets them, so a region
shows its own province's (``TARGETS_BY_PROVINCE``, by the code's first two
digits) and a region of another province none:

* 江西 (36): 江西省人民政府《深入推进“放管服”改革全面优化政务服务若干措施》,
  2019-03-27. 一(一): 网上可办率 of 省本级 依申请类政务服务事项 ≥90 % and of
  市县两级 ≥70 % by the end of 2019, ≥95 % and ≥75 % by the end of 2020.
  一(三): 掌上可办率 of high-frequency items, 省级 60 % and 80 %, 市县两级 50 %
  and 70 % by the end of 2019 and 2020; each 设区市 offers ≥50 local items on
  赣服通 by June 2019, each 县（区、市） ≥20 by December 2019. (一(三)'s
  "掌上办理事项突破500项" by June 2019 counts the whole 赣服通 of every level,
  not one level's items, and is not compared here.)
* 江苏 (32): 中共江苏省委办公厅《关于深入推进审批服务便民化的实施方案》,
  2018-09-04, 二(一)3: 80 % of 审批服务事项 at 省市县三级 online (网上能办) by
  the end of 2018, "除法律法规有特别规定外"; no mobile target.

Neither seed gives the document's 文号, so none is cited. The mobile shares
are set for high-frequency items; we have no frequency mark yet, so the
share is taken over all on-application items and the page says so. Each
figure carries every target of its level (``Figure.targets``, each with
``met``); ``target_percent`` and ``met`` are the latest one (the end state
the document aims at). Townships and villages have no target.

Cost: one aggregate query grouped by (child region, level), plus the region
and its children's names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final, Literal

from django.db.models import Count, Q
from django.db.models.functions import Substr

from tongban.catalog.models import (
    REGION_LEVEL_TO_LEVEL,
    ItemType,
    Level,
    ServiceItem,
    ServiceItemStatus,
)
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

# What a target measures.
Measure = Literal["online", "mobile", "mobile_items"]
ONLINE: Final = "online"  # 网上可办率, percent
MOBILE: Final = "mobile"  # 掌上可办率 of high-frequency items, percent
MOBILE_ITEMS: Final = "mobile_items"  # local items a branch (分厅) offers on the mobile app


@dataclass(frozen=True)
class TargetDocument:
    """A document that sets targets, cited by its issuer, title and date as published."""

    issuer: str
    title: str
    date: dt.date
    number: str = ""  # 文号, when the document gives one

    @property
    def citation(self) -> str:
        number = f"（{self.number}）" if self.number else ""
        return f"{self.issuer}《{self.title}》{number}，{self.date:%Y-%m-%d}"


JIANGXI_2019 = TargetDocument(
    "江西省人民政府", "深入推进“放管服”改革全面优化政务服务若干措施", dt.date(2019, 3, 27)
)
JIANGSU_2018 = TargetDocument(
    "中共江苏省委办公厅", "关于深入推进审批服务便民化的实施方案", dt.date(2018, 9, 4)
)


@dataclass(frozen=True)
class Target:
    """One figure a document sets for some levels by a date."""

    measure: Measure
    levels: str  # the Level digits it applies to
    value: int  # a percentage, or a number of items for MOBILE_ITEMS
    due: dt.date  # "2019年底前" → 2019-12-31
    document: TargetDocument
    clause: str
    wording: str  # the document's words

    @property
    def source(self) -> str:
        return f"{self.document.citation}，{self.clause}"

    @property
    def due_label(self) -> str:
        """ "2019年底前", "2019年6月底前": the deadline as the documents write it."""
        month = "" if self.due.month == 12 else f"{self.due.month}月"
        return f"{self.due.year}年{month}底前"


def _jiangxi(
    measure: Measure, levels: str, value: int, due: dt.date, clause: str, words: str
) -> Target:
    return Target(measure, levels, value, due, JIANGXI_2019, clause, words)


_JX_ONLINE = (
    "2019年底前，省本级依申请类政务服务事项网上可办率达90%以上，市县两级达70%以上;"
    "2020年底前，分别达到95%和75%。"
)
_JX_MOBILE = (
    "2019年底和2020年底前，省级政务服务高频事项掌上可办率分别达到60%和80%，"
    "市县两级高频事项掌上可办率分别达到50%和70%。"
)
_END_2019, _END_2020 = dt.date(2019, 12, 31), dt.date(2020, 12, 31)
_PROVINCE, _CITY, _COUNTY = Level.PROVINCE.value, Level.CITY.value, Level.COUNTY.value
_CITY_AND_COUNTY = _CITY + _COUNTY

TARGETS_BY_PROVINCE: dict[str, tuple[Target, ...]] = {
    "36": (
        _jiangxi(ONLINE, _PROVINCE, 90, _END_2019, "一(一)", _JX_ONLINE),
        _jiangxi(ONLINE, _PROVINCE, 95, _END_2020, "一(一)", _JX_ONLINE),
        _jiangxi(ONLINE, _CITY_AND_COUNTY, 70, _END_2019, "一(一)", _JX_ONLINE),
        _jiangxi(ONLINE, _CITY_AND_COUNTY, 75, _END_2020, "一(一)", _JX_ONLINE),
        _jiangxi(MOBILE, _PROVINCE, 60, _END_2019, "一(三)", _JX_MOBILE),
        _jiangxi(MOBILE, _PROVINCE, 80, _END_2020, "一(三)", _JX_MOBILE),
        _jiangxi(MOBILE, _CITY_AND_COUNTY, 50, _END_2019, "一(三)", _JX_MOBILE),
        _jiangxi(MOBILE, _CITY_AND_COUNTY, 70, _END_2020, "一(三)", _JX_MOBILE),
        _jiangxi(
            MOBILE_ITEMS,
            _CITY,
            50,
            dt.date(2019, 6, 30),
            "一(三)",
            "2019年6月底前……各设区市要完成“赣服通”分厅建设，实现50个以上本地事项“掌上办理”。",
        ),
        _jiangxi(
            MOBILE_ITEMS,
            _COUNTY,
            20,
            _END_2019,
            "一(三)",
            "2019年12月底前，各县（区、市）完成“赣服通”分厅建设，实现20个以上本地事项“掌上办理”。",
        ),
    ),
    "32": (
        Target(
            ONLINE,
            _PROVINCE + _CITY_AND_COUNTY,
            80,
            dt.date(2018, 12, 31),
            JIANGSU_2018,
            "二(一)3",
            "除法律法规有特别规定外，2018年年底前省市县三级80%以上审批服务事项实现网上能办。",
        ),
    ),
}


def targets_for(region_code: str) -> tuple[Target, ...]:
    """The targets of the province ``region_code`` lies in (none for other provinces)."""
    return TARGETS_BY_PROVINCE.get(region_code[:2], ())


@dataclass(frozen=True)
class Targets:
    """The targets of one level: the latest of each measure, and all of them by date."""

    online_percent: int | None  # 网上可办率
    mobile_percent: int | None  # 掌上可办 (high-frequency items)
    mobile_items: int | None  # local mobile items a branch offers
    all: tuple[Target, ...] = ()

    def of(self, measure: Measure) -> tuple[Target, ...]:
        return tuple(t for t in self.all if t.measure == measure)


NO_TARGETS = Targets(None, None, None)


def level_targets(targets: tuple[Target, ...], level: str) -> Targets:
    """The targets of ``level`` among a province's, oldest first."""
    mine = tuple(sorted((t for t in targets if level and level in t.levels), key=lambda t: t.due))

    def latest(measure: Measure) -> int | None:
        values = [t.value for t in mine if t.measure == measure]
        return values[-1] if values else None

    return Targets(latest(ONLINE), latest(MOBILE), latest(MOBILE_ITEMS), mine)


@dataclass(frozen=True)
class TargetCheck:
    """A target and whether the figure reaches it (None: nothing to measure)."""

    target: Target
    met: bool | None


def _share_met(count: int, total: int, percent: int | None) -> bool | None:
    if percent is None or not total:
        return None
    return 100 * count >= percent * total


@dataclass(frozen=True)
class Figure:
    """One share with its targets, if the document sets any."""

    label: str
    count: int
    total: int
    target_percent: int | None = None  # the latest target
    targets: tuple[Target, ...] = ()  # every target of this figure, oldest first

    @property
    def percent(self) -> float:
        return round(100 * self.count / self.total, 1) if self.total else 0.0

    @property
    def met(self) -> bool | None:
        """Whether the latest target is reached; None when there is none (or nothing to measure)."""
        return _share_met(self.count, self.total, self.target_percent)

    @property
    def checks(self) -> list[TargetCheck]:
        return [TargetCheck(t, _share_met(self.count, self.total, t.value)) for t in self.targets]


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
            "网上可办",
            self.counts.online,
            self.counts.total,
            self.targets.online_percent,
            self.targets.of(ONLINE),
        )

    @property
    def fully_online(self) -> Figure:
        return Figure("全程网办", self.counts.fully_online, self.counts.total)

    @property
    def mobile(self) -> Figure:
        return Figure(
            "掌上可办",
            self.counts.mobile,
            self.counts.total,
            self.targets.mobile_percent,
            self.targets.of(MOBILE),
        )

    @property
    def zero_visits(self) -> Figure:
        return Figure("零跑动", self.counts.zero_visits, self.counts.total)

    @property
    def mobile_items_met(self) -> bool | None:
        """Whether the level offers the latest target's number of mobile items."""
        if self.targets.mobile_items is None:
            return None
        return self.counts.mobile >= self.targets.mobile_items

    @property
    def mobile_items_checks(self) -> list[TargetCheck]:
        return [
            TargetCheck(t, self.counts.mobile >= t.value) for t in self.targets.of(MOBILE_ITEMS)
        ]

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
    target_documents: tuple[TargetDocument, ...] = ()  # of the region's province
    target_source: str = ""  # the documents and clauses, "" when the province sets none
    counted_types: tuple[str, ...] = ON_APPLICATION_TYPES
    targets: tuple[Target, ...] = ()  # every target of the region's province

    @property
    def has_mobile_target(self) -> bool:
        """Whether a 掌上可办率 target applies (set for high-frequency items only)."""
        return any(t.measure == MOBILE for t in self.targets)

    @property
    def mobile_items_rows(self) -> list[tuple[LevelStats, TargetCheck]]:
        """(level, check) for each mobile-item target of the region's own level."""
        return [(level, check) for level in self.levels for check in level.mobile_items_checks]


def source_text(targets: tuple[Target, ...]) -> str:
    """ "江西省人民政府《…》，2019-03-27，一(一)、一(三)": each document once, with its clauses."""
    clauses: dict[TargetDocument, list[str]] = {}
    for target in targets:
        seen = clauses.setdefault(target.document, [])
        if target.clause not in seen:
            seen.append(target.clause)
    return "；".join(f"{d.citation}，{'、'.join(c)}" for d, c in clauses.items())


def _level_stats(
    level: str, counts: Counts, targets: tuple[Target, ...], own_level: str | None
) -> LevelStats:
    """One level's figures. ``own_level`` is the level of the area's own region: a
    number of mobile items is a target for one branch (one city, one county), so
    it is compared only there, not with the sum over a province's cities."""
    if level != own_level:
        targets = tuple(t for t in targets if t.measure != MOBILE_ITEMS)
    return LevelStats(level, Level(level).label, counts, level_targets(targets, level))


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
    targets = targets_for(the_region.code)
    own = REGION_LEVEL_TO_LEVEL.get(the_region.level)
    levels = [_level_stats(lv, by_level[lv], targets, own) for lv in sorted(by_level)]
    children = {
        c.path: c
        for c in Region.objects.filter(parent=the_region).only("code", "name", "path", "level")
    }
    areas = []
    for area_path in sorted(by_area):
        if area_path == path:
            code, name, area_level = the_region.code, f"{the_region.name}本级", own
        else:
            child = children.get(area_path)
            code = child.code if child else area_path.strip("/").split("/")[-1]
            name = child.name if child else code
            area_level = REGION_LEVEL_TO_LEVEL.get(child.level) if child else None
        area_levels = [
            _level_stats(lv, c, targets, area_level) for lv, c in sorted(by_area[area_path].items())
        ]
        areas.append(AreaStats(code, name, area_levels, _sum(area_levels)))
    return RegionStats(
        region_code=the_region.code,
        region_name=the_region.full_name or the_region.name,
        levels=levels,
        total=_sum(levels),
        areas=areas,
        target_documents=tuple(dict.fromkeys(t.document for t in targets)),
        target_source=source_text(targets),
        targets=targets,
    )
