"""The public directory of halls and service points (政务服务百事通, R-HA-1/2).

"Where can I do this near me": the halls and points that handle an item, near
a region (the region's own points, those beneath it, and the halls of the
regions above it, so a village's search lists its 便民服务站, its township's
便民服务中心 and the county centre) or near the phone's position, nearest first.
Distances are computed here (``geo``), with no map service.

The R-HA-2 figures: the share of 乡镇(街道) with a 便民服务中心 on the platform
(target ≥ 80 %) and of 村(社区) with a 便民服务站 (target ≥ 50 %) (002 #4), per
region. The denominators leave out the 统计局's 类似乡级/村级单位 (codes 400–599,
as ``org.selectors.region_subdivision_counts``), which are statistical units.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from tongban.appointments import geo
from tongban.appointments.models import PointHandling, ServicePointItem, Theme
from tongban.catalog.models import ServiceItem, ServiceItemStatus
from tongban.org.models import CoordinateSystem, Hall, HallLevel, Region, RegionLevel

TOWNSHIP_TARGET = 80.0  # 002 #4: 80 % of 乡镇(街道)
VILLAGE_TARGET = 50.0  # 002 #4: 50 % of 村(社区)
MAX_ITEMS = 200
MAX_RESULTS = 100

# Nearest level first when no position is given: the village station, then up.
_LEVEL_ORDER: dict[str, int] = {
    HallLevel.VILLAGE: 0,
    HallLevel.OUTLET: 1,
    HallLevel.TOWNSHIP: 2,
    HallLevel.COUNTY: 3,
    HallLevel.CITY: 4,
    HallLevel.PROVINCE: 5,
}


@dataclass
class PointHit:
    hall: Hall
    distance_km: float | None = None
    items: list[tuple[ServiceItem, str]] = field(default_factory=list)  # (item, handling label)


def items_matching(query: str, *, region: Region | None = None) -> list[ServiceItem]:
    """Active items whose 实施编码 is ``query`` or whose name contains it; with a region,
    only items implemented on its line (its own, beneath it, or above it)."""
    query = query.strip()[:40]
    if not query:
        return []
    items = ServiceItem.objects.filter(status=ServiceItemStatus.ACTIVE).filter(
        Q(implementation_code=query) | Q(name__icontains=query)
    )
    if region is not None:
        above = [c for c in region.path.strip("/").split("/") if c]
        items = items.filter(Q(region_path__startswith=region.path) | Q(region_id__in=above))
    return list(items.select_related("department").order_by("name", "pk")[:MAX_ITEMS])


def _halls_for_items(halls: QuerySet[Hall], items: list[ServiceItem]) -> QuerySet[Hall]:
    """Halls where one of ``items`` is done: a service point handles it, a theme of the
    hall covers it, or a window there receives its department on the item's line."""
    ids = [i.pk for i in items]
    by_window = Q(pk__in=[])
    for department_id, region_path in {(i.department_id, i.region_path) for i in items}:
        by_window |= Q(windows__departments=department_id, region__path__startswith=region_path)
    return halls.filter(
        Q(pk__in=ServicePointItem.objects.filter(service_item_id__in=ids).values("hall_id"))
        | Q(pk__in=Theme.objects.filter(service_items__in=ids, active=True).values("hall_id"))
        | by_window
    )


def _near_region(halls: QuerySet[Hall], region: Region) -> QuerySet[Hall]:
    above = [c for c in region.path.strip("/").split("/") if c]
    return halls.filter(Q(region__path__startswith=region.path) | Q(region_id__in=above))


def service_points_search(
    *,
    region: Region | None = None,
    item_query: str = "",
    position: geo.Point | None = None,
    position_system: str = CoordinateSystem.WGS84,
    radius_km: float = 30.0,
    levels: Iterable[str] = (),
) -> tuple[list[PointHit], list[ServiceItem]]:
    """Points near a region and/or a position that handle an item (by code or name).

    With a position, only points within ``radius_km`` (and with coordinates)
    are listed when no region is given, nearest first; with a region as well,
    every point near the region is listed, nearest first and those without
    coordinates last. Returns the hits and the items the query matched."""
    halls = Hall.objects.select_related("region")
    if region is not None:
        halls = _near_region(halls, region)
    items: list[ServiceItem] = []
    if item_query.strip():
        items = items_matching(item_query, region=region)
        if not items:
            return [], []
        halls = _halls_for_items(halls, items)
    wanted = [lv for lv in levels if lv in HallLevel.values]
    if wanted:
        halls = halls.filter(level__in=wanted)
    radius_km = max(0.5, min(float(radius_km), 200.0))
    if position is not None and region is None:
        # An indexed box first (wide enough for both systems' offset), the exact distance next.
        south, north, west, east = geo.bounding_box(position, radius_km + 1.0)
        halls = halls.filter(
            latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
        )
    rows = list(halls.distinct()[:2000])
    hits = [PointHit(hall=h) for h in rows]
    if position is not None:
        for hit in hits:
            hit.distance_km = _distance(position, position_system, hit.hall)
        if region is None:
            hits = [h for h in hits if h.distance_km is not None and h.distance_km <= radius_km]
        hits.sort(
            key=lambda h: (
                h.distance_km is None,
                h.distance_km or 0.0,
                _LEVEL_ORDER.get(h.hall.level, 9),
                h.hall.name,
            )
        )
    else:
        hits.sort(key=lambda h: (_LEVEL_ORDER.get(h.hall.level, 9), h.hall.region_id, h.hall.name))
    hits = hits[:MAX_RESULTS]
    _attach_items(hits, items)
    return hits, items


def _distance(position: geo.Point, system: str, hall: Hall) -> float | None:
    if hall.latitude is None or hall.longitude is None:
        return None
    here = geo.to_system(position, source=system, target=hall.coordinate_system)
    return geo.distance_km(here, geo.Point(float(hall.latitude), float(hall.longitude)))


def _attach_items(hits: list[PointHit], items: list[ServiceItem]) -> None:
    """Which of the matched items each hit handles at a point (one query)."""
    if not hits or not items:
        return
    by_id = {i.pk: i for i in items}
    found: dict[int, list[tuple[ServiceItem, str]]] = {}
    for hall_id, item_id, handling in ServicePointItem.objects.filter(
        hall_id__in=[h.hall.pk for h in hits], service_item_id__in=list(by_id)
    ).values_list("hall_id", "service_item_id", "handling"):
        found.setdefault(hall_id, []).append((by_id[item_id], PointHandling(handling).label))
    for hit in hits:
        hit.items = found.get(hit.hall.pk, [])


def point_items_of_hall(hall: Hall) -> QuerySet[ServicePointItem]:
    return (
        ServicePointItem.objects.filter(hall=hall)
        .select_related("service_item__department")
        .order_by("service_item__name")
    )


# --- R-HA-2 coverage -------------------------------------------------------------------------


@dataclass
class CoverageRow:
    code: str
    name: str
    townships: int = 0
    townships_covered: int = 0
    villages: int = 0
    villages_covered: int = 0

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    @property
    def township_share(self) -> float | None:
        return self._share(self.townships_covered, self.townships)

    @property
    def village_share(self) -> float | None:
        return self._share(self.villages_covered, self.villages)

    @property
    def township_met(self) -> bool | None:
        share = self.township_share
        return None if share is None else share >= TOWNSHIP_TARGET

    @property
    def village_met(self) -> bool | None:
        share = self.village_share
        return None if share is None else share >= VILLAGE_TARGET

    def add(self, level: str, covered: bool) -> None:
        if level == RegionLevel.TOWNSHIP:
            self.townships += 1
            self.townships_covered += covered
        else:
            self.villages += 1
            self.villages_covered += covered


@dataclass
class Coverage:
    region: Region
    total: CoverageRow
    rows: list[CoverageRow]
    township_target: float = TOWNSHIP_TARGET
    village_target: float = VILLAGE_TARGET


def service_point_coverage(region: Region) -> Coverage:
    """R-HA-2 beneath ``region``, in total and per region one level down (one query
    for the 乡镇 and 村, one for the names of the rows)."""
    depth = len([c for c in region.path.strip("/").split("/") if c])
    subdivisions = (
        Region.objects.filter(
            path__startswith=region.path, level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
        )
        .exclude(code=region.code)
        .annotate(township_kind=Substr("code", 7, 1), village_kind=Substr("code", 10, 1))
        .exclude(level=RegionLevel.TOWNSHIP, township_kind__in=["4", "5"])
        .exclude(level=RegionLevel.VILLAGE, village_kind__in=["4", "5"])
        # A 便民服务中心 in the township, a 便民服务站 in the village (the level names agree).
        .annotate(
            covered=Exists(Hall.objects.filter(region=OuterRef("pk"), level=OuterRef("level")))
        )
        .values_list("path", "level", "covered")
    )
    total = CoverageRow(region.code, region.name)
    rows: dict[str, CoverageRow] = {}
    for path, level, covered in subdivisions:
        total.add(level, bool(covered))
        parts = [c for c in path.strip("/").split("/") if c]
        child = parts[depth] if len(parts) > depth else region.code
        rows.setdefault(child, CoverageRow(child, "")).add(level, bool(covered))
    names = dict(Region.objects.filter(code__in=list(rows)).values_list("code", "name"))
    for code, row in rows.items():
        row.name = names.get(code, code)
    return Coverage(region=region, total=total, rows=sorted(rows.values(), key=lambda r: r.code))


def hall_summary(hall: Hall) -> dict[str, Any]:
    """The directory's facts of a hall, for the API."""
    return {
        "level": hall.level,
        "level_label": HallLevel(hall.level).label,
        "latitude": float(hall.latitude) if hall.latitude is not None else None,
        "longitude": float(hall.longitude) if hall.longitude is not None else None,
        "coordinate_system": hall.coordinate_system,
        "transport": hall.transport,
    }
