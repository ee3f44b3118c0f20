"""Demo township and village service points with coordinates and their 就近办 items.

For the four demo counties (南京市玄武区、江宁区, 赣州市章贡区、瑞金市) this creates a
乡镇(街道)便民服务中心 in a share of the townships and a 村(社区)便民服务站 in a
share of the villages, chosen so that the R-HA-2 figures show both a county
meeting the targets and counties missing them (瑞金: townships below 80 %;
章贡: villages below 50 %), and two bank/post outlets acting as front ends.

**The coordinates are demo values**, not surveyed: the city and county halls
sit at the approximate GCJ-02 position of their district's centre; each
township point is placed deterministically (a hash of its code) within the
county's radius and each village station within 2.5 km of its township point.
A township point receives and handles the county's 就近办 items; a village
station collects them (帮办代办) except the police's, which need the township's
photo and fingerprint capture.

Idempotent: points are found again by (region, name).
"""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal

from django.db import transaction

from tongban.appointments.models import PointHandling, ServicePointItem
from tongban.catalog.models import ServiceItem, ServiceItemStatus
from tongban.org.models import Hall, HallLevel, Region, RegionLevel
from tongban.org.services import hall_create

# Region code -> (approximate GCJ-02 centre, radius for townships in km,
#                 share of townships with a point, share of villages with a station)
COUNTIES: dict[str, tuple[tuple[float, float], float, float, float]] = {
    "320102": ((32.0487, 118.7977), 4.0, 1.0, 0.70),  # 玄武区
    "320115": ((31.9527, 118.8399), 22.0, 1.0, 0.62),  # 江宁区
    "360702": ((25.8178, 114.9213), 9.0, 0.83, 0.45),  # 章贡区
    "360781": ((25.8858, 116.0270), 22.0, 0.72, 0.53),  # 瑞金市
}
CITIES: dict[str, tuple[float, float]] = {
    "320100": (32.0042, 118.7318),  # 南京市 (建邺, 江东中路)
    "360700": (25.8306, 114.9336),  # 赣州市 (章江新区)
}
TOWNSHIP_HOURS = "周一至周五 上午 8:30–12:00，下午 14:00–17:30（法定节假日除外）"
VILLAGE_HOURS = "周一至周五 上午 8:30–11:30，下午 14:30–17:00；其他时间可电话预约上门"
OUTLETS = (
    # (township region, name, handled item name fragments)
    (
        "320115001000",
        "中国邮政储蓄银行南京市江宁区东山支行（政务服务代办点）",
        ("残疾人证", "最低生活保障"),
    ),
    ("360702001000", "赣州银行章贡支行（政务服务代办点）", ("残疾人证", "预防接种证")),
)


def _unit(code: str, salt: str) -> float:
    digest = hashlib.sha256(f"{salt}:{code}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _offset(centre: tuple[float, float], code: str, radius_km: float) -> tuple[Decimal, Decimal]:
    """A stable point within ``radius_km`` of ``centre`` (uniform over the disc)."""
    distance = radius_km * math.sqrt(_unit(code, "r"))
    bearing = 2 * math.pi * _unit(code, "b")
    dlat = distance * math.cos(bearing) / 111.2
    dlng = distance * math.sin(bearing) / (111.2 * math.cos(math.radians(centre[0])))
    q = Decimal("0.000001")
    return (Decimal(centre[0] + dlat).quantize(q), Decimal(centre[1] + dlng).quantize(q))


def _chosen(regions: list[Region], share: float) -> list[Region]:
    """The first ``share`` of the regions by a stable hash order (not just the first codes)."""
    ordered = sorted(regions, key=lambda r: _unit(r.code, "pick"))
    return ordered[: math.ceil(len(ordered) * share - 1e-9)]


def _proper(region: Region) -> bool:
    digit = region.code[6] if region.level == RegionLevel.TOWNSHIP else region.code[9]
    return digit not in "45"  # 类似乡级/村级单位 are statistical units


def _community(name: str) -> str:
    """ "周里村委会" → "周里村", "徐庄社区居民委员会" → "徐庄社区"."""
    for suffix, keep in (
        ("村民委员会", ""),
        ("居民委员会", ""),
        ("村委会", "村"),
        ("居委会", ""),
        ("居委", ""),
    ):
        if name.endswith(suffix):
            return name.removesuffix(suffix) + keep
    return name


def _nearby_items(county: str) -> list[ServiceItem]:
    return list(
        ServiceItem.objects.filter(
            region_id=county, status=ServiceItemStatus.ACTIVE, modes__icontains='"nearby"'
        ).select_related("department")
    )


def _point(
    region: Region, name: str, level: str, place: tuple[Decimal, Decimal], **kw: str
) -> tuple[Hall, bool]:
    found = Hall.objects.filter(region=region, name=name).first()
    if found is not None:
        return found, False
    hall = hall_create(
        name=name,
        region=region,
        level=level,
        latitude=place[0],
        longitude=place[1],
        phone=kw.get("phone", ""),
        address=kw.get("address", f"{region.full_name or region.name}（演示地址）"),
        opening_hours=kw.get("hours", ""),
        transport=kw.get("transport", ""),
    )
    return hall, True


def _link(hall: Hall, items: list[ServiceItem], handling: str) -> int:
    rows = [ServicePointItem(hall=hall, service_item=i, handling=handling) for i in items]
    before = ServicePointItem.objects.filter(hall=hall).count()
    ServicePointItem.objects.bulk_create(rows, ignore_conflicts=True)
    return ServicePointItem.objects.filter(hall=hall).count() - before


def demo_service_points_load() -> dict[str, int]:
    """Create the demo service points; returns the counts."""
    counts = {"townships": 0, "villages": 0, "outlets": 0, "items": 0, "located": 0}
    with transaction.atomic():
        for code, centre in CITIES.items():
            counts["located"] += Hall.objects.filter(
                region_id=code, level=HallLevel.CITY, latitude__isnull=True
            ).update(latitude=Decimal(str(centre[0])), longitude=Decimal(str(centre[1])))
        for county_code, (centre, radius, township_share, village_share) in COUNTIES.items():
            counts["located"] += Hall.objects.filter(
                region_id=county_code, level=HallLevel.COUNTY, latitude__isnull=True
            ).update(latitude=Decimal(str(centre[0])), longitude=Decimal(str(centre[1])))
            items = _nearby_items(county_code)
            village_items = [i for i in items if "公安" not in i.department.name]
            county = Region.objects.get(code=county_code)
            subdivisions = list(
                Region.objects.filter(path__startswith=county.path).exclude(code=county_code)
            )
            townships = [r for r in subdivisions if r.level == RegionLevel.TOWNSHIP and _proper(r)]
            villages = [r for r in subdivisions if r.level == RegionLevel.VILLAGE and _proper(r)]
            places: dict[str, tuple[Decimal, Decimal]] = {}
            for township in townships:
                places[township.code] = _offset(centre, township.code, radius)
            for township in _chosen(townships, township_share):
                hall, created = _point(
                    township,
                    f"{township.name}便民服务中心",
                    HallLevel.TOWNSHIP,
                    places[township.code],
                    hours=TOWNSHIP_HOURS,
                    phone="12345",
                )
                counts["townships"] += created
                counts["items"] += _link(hall, items, PointHandling.HANDLE)
            for village in _chosen(villages, village_share):
                parent = places.get(
                    village.parent_id or "", (Decimal(centre[0]), Decimal(centre[1]))
                )
                place = _offset((float(parent[0]), float(parent[1])), village.code, 2.5)
                hall, created = _point(
                    village,
                    f"{_community(village.name)}便民服务站",
                    HallLevel.VILLAGE,
                    place,
                    hours=VILLAGE_HOURS,
                )
                counts["villages"] += created
                counts["items"] += _link(hall, village_items, PointHandling.COLLECT)
        for township_code, name, fragments in OUTLETS:
            region = Region.objects.filter(code=township_code).first()
            if region is None:
                continue
            county_code = township_code[:6]
            centre = COUNTIES[county_code][0]
            hall, created = _point(
                region,
                name,
                HallLevel.OUTLET,
                _offset(centre, name, 3.0),
                hours="周一至周日 9:00–17:00（银行营业时间）",
                transport="银行营业厅内政务服务自助区",
            )
            counts["outlets"] += created
            wanted = [i for i in _nearby_items(county_code) if any(f in i.name for f in fragments)]
            counts["items"] += _link(hall, wanted, PointHandling.COLLECT)
    return counts
