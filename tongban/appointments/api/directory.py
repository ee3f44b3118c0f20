"""The directory of service points (政务服务百事通, R-HA-1/2), public.

GET /points?region=&item=&lat=&lng=&crs=&radius_km=&level=   nearest first with a position
GET /coverage?region=                                      R-HA-2: townships ≥ 80 %, villages ≥ 50 %
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tongban.appointments import directory, geo
from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.org.models import CoordinateSystem, HallLevel, Region

router = Router(tags=["预约与叫号"])


class PointsQuery(Schema):
    region: str = Field("", max_length=12, pattern=r"^[0-9]*$", description="行政区划代码")
    item: str = Field("", max_length=40, description="事项实施编码或名称中的字词")
    lat: float | None = Field(None, ge=-90, le=90, description="所在位置纬度")
    lng: float | None = Field(None, ge=-180, le=180, description="所在位置经度")
    crs: str = Field(
        CoordinateSystem.WGS84,
        pattern=r"^(wgs84|gcj02)$",
        description="位置的坐标系：wgs84（手机定位，默认）或 gcj02",
    )
    radius_km: float = Field(30.0, ge=0.5, le=200, description="只给位置时的搜索半径（公里）")
    level: list[str] = Field(default_factory=list, description="只列出这些层级（可多次给出）")


class PointItemOut(Schema):
    implementation_code: str
    name: str
    handling: str = Field(description="受理办理 或 帮办代办（收件转交）")


class ServicePointOut(Schema):
    id: int
    name: str
    level: str
    level_label: str
    region: str
    region_name: str
    address: str
    phone: str
    opening_hours: str
    transport: str
    latitude: float | None
    longitude: float | None
    coordinate_system: str
    distance_km: float | None = Field(description="与所给位置的直线距离（公里），未给位置为空")
    items: list[PointItemOut] = Field(description="所查事项中在此服务点可办的")


class CoverageRowOut(Schema):
    code: str
    name: str
    townships: int = Field(description="乡镇（街道）数，不含类似乡级单位")
    townships_covered: int = Field(description="设有便民服务中心并在平台上的乡镇（街道）数")
    township_share: float | None = Field(description="百分比；无乡镇区划数据为空")
    township_met: bool | None
    villages: int
    villages_covered: int
    village_share: float | None
    village_met: bool | None


class CoverageOut(Schema):
    region: str
    region_name: str
    township_target: float
    village_target: float
    total: CoverageRowOut
    rows: list[CoverageRowOut]


class CoverageQuery(Schema):
    region: str = Field(pattern=r"^[0-9]{6}([0-9]{6})?$", description="行政区划代码")


def _region(code: str) -> Region | None:
    if not code:
        return None
    found = Region.objects.filter(code=code).first()
    if found is None:
        raise DomainError(core_errors.NOT_FOUND, f"行政区划 {code} 不存在。")
    return found


def _row(row: directory.CoverageRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "townships": row.townships,
        "townships_covered": row.townships_covered,
        "township_share": row.township_share,
        "township_met": row.township_met,
        "villages": row.villages,
        "villages_covered": row.villages_covered,
        "village_share": row.village_share,
        "village_met": row.village_met,
    }


@router.get(
    "/points",
    response={200: list[ServicePointOut], **PROBLEM_RESPONSES},
    summary="就近可办：服务点查询",
    description="按区划、事项和位置查找政务服务中心、便民服务中心（站）和代办网点；"
    "给出位置时按距离由近及远。距离由平台计算，不调用地图服务。",
)
def points(request: HttpRequest, query: Query[PointsQuery]) -> list[dict[str, Any]]:
    region = _region(query.region)
    if region is None and query.lat is None and not query.item.strip():
        raise DomainError(
            core_errors.VALIDATION_FAILED,
            "请给出行政区划、事项或所在位置中的至少一项。",
            fields=[{"field": "region"}],
        )
    if (query.lat is None) != (query.lng is None):
        raise DomainError(
            core_errors.VALIDATION_FAILED,
            "纬度和经度须同时给出。",
            fields=[{"field": "lat" if query.lat is None else "lng"}],
        )
    bad = [lv for lv in query.level if lv not in HallLevel.values]
    if bad:
        raise DomainError(
            core_errors.VALIDATION_FAILED,
            f"层级 {'、'.join(bad)} 无效。",
            fields=[{"field": "level"}],
        )
    position = (
        geo.Point(query.lat, query.lng) if query.lat is not None and query.lng is not None else None
    )
    hits, _items = directory.service_points_search(
        region=region,
        item_query=query.item,
        position=position,
        position_system=query.crs,
        radius_km=query.radius_km,
        levels=query.level,
    )
    return [
        {
            "id": h.hall.pk,
            "name": h.hall.name,
            "region": h.hall.region_id,
            "region_name": h.hall.region.name,
            "address": h.hall.address,
            "phone": h.hall.phone,
            "opening_hours": h.hall.opening_hours,
            **directory.hall_summary(h.hall),
            "distance_km": round(h.distance_km, 2) if h.distance_km is not None else None,
            "items": [
                {"implementation_code": i.implementation_code, "name": i.name, "handling": label}
                for i, label in h.items
            ],
        }
        for h in hits
    ]


@router.get(
    "/coverage",
    response={200: CoverageOut, **PROBLEM_RESPONSES},
    summary="乡镇、村服务点覆盖率",
    description="R-HA-2：设有便民服务中心的乡镇（街道）占比（目标不低于 80%）、"
    "设有便民服务站的村（社区）占比（目标不低于 50%），合计及按下一级区划。",
)
def coverage(request: HttpRequest, query: Query[CoverageQuery]) -> dict[str, Any]:
    region = _region(query.region)
    assert region is not None
    figures = directory.service_point_coverage(region)
    return {
        "region": region.code,
        "region_name": region.name,
        "township_target": figures.township_target,
        "village_target": figures.village_target,
        "total": _row(figures.total),
        "rows": [_row(r) for r in figures.rows],
    }
