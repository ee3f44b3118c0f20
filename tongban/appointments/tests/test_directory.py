"""政务服务百事通: service points of five levels, nearest first, and the R-HA-2 figures."""

from __future__ import annotations

import math

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongban.appointments import directory, geo
from tongban.appointments.demo_points import demo_service_points_load
from tongban.appointments.models import PointHandling, ServicePointItem
from tongban.catalog import services as catalog
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.org.models import Department, Hall, HallLevel, Region
from tongban.org.services import hall_create

# 东山街道 (320115001000) and two of its communities; 秣陵街道 (320115002000).
DONGSHAN, MOLING = "320115001000", "320115002000"


def _nearby_item(name: str = "最低生活保障审核确认", code: str = "070100100000"):
    basic = catalog.basic_item_create(
        code=code, name=name, item_type="07", legal_basis="《社会救助暂行办法》第十一条", levels="4"
    )
    department = Department.objects.get(name="南京市江宁区民政局")
    guide = valid_guide(name=name, audience=["person"], modes=["one_visit", "nearby"])
    return catalog.guide_load_published(basic_item=basic, department=department, content=guide)


def _villages(township: str) -> list[Region]:
    return list(Region.objects.filter(parent_id=township).order_by("code"))


@pytest.fixture
def points(world):
    """The county centre, 东山's centre and two of its village stations, 秣陵's centre
    without coordinates, and a village station in 秣陵 that does not handle the item."""
    item = _nearby_item()
    county = Hall.objects.get(name="南京市江宁区政务服务中心")
    Hall.objects.filter(pk=county.pk).update(latitude=31.9527, longitude=118.8399)
    east = hall_create(
        name="东山街道便民服务中心",
        region=Region.objects.get(code=DONGSHAN),
        latitude="31.9450",
        longitude="118.8600",
    )
    v1, v2 = _villages(DONGSHAN)[:2]
    near = hall_create(
        name=f"{v1.name}便民服务站", region=v1, latitude="31.9300", longitude="118.8700"
    )
    far = hall_create(
        name=f"{v2.name}便民服务站", region=v2, latitude="31.9800", longitude="118.9000"
    )
    moling = hall_create(name="秣陵街道便民服务中心", region=Region.objects.get(code=MOLING))
    other = hall_create(
        name="秣陵村便民服务站",
        region=_villages(MOLING)[0],
        latitude="31.8700",
        longitude="118.8300",
    )
    for hall, handling in (
        (east, "handle"),
        (near, "collect"),
        (far, "collect"),
        (moling, "handle"),
    ):
        ServicePointItem.objects.create(hall=hall, service_item=item, handling=handling)
    return {"item": item, "county": county, "east": east, "near": near, "far": far,
            "moling": moling, "other": other}  # fmt: skip


def test_gcj02_is_offset_by_a_few_hundred_metres_in_china_and_inverts_exactly():
    for lat, lng in ((32.0487, 118.7977), (25.8858, 116.0270), (45.75, 126.63)):
        wgs = geo.Point(lat, lng)
        gcj = geo.wgs84_to_gcj02(wgs)
        offset_m = geo.distance_km(wgs, gcj) * 1000
        assert 100 < offset_m < 700, (lat, lng, offset_m)
        back = geo.gcj02_to_wgs84(gcj)
        assert abs(back.latitude - lat) < 1e-6 and abs(back.longitude - lng) < 1e-6
    paris = geo.Point(48.8566, 2.3522)
    assert geo.wgs84_to_gcj02(paris) == paris  # no offset outside China


def test_the_distance_is_the_great_circle_one():
    # One degree of latitude is 111.2 km on the mean sphere.
    assert geo.distance_km(geo.Point(31, 118), geo.Point(32, 118)) == pytest.approx(
        111.19, abs=0.01
    )
    # Nanjing to Ganzhou, about 760 km as the crow flies.
    assert 700 < geo.distance_km(geo.Point(32.05, 118.80), geo.Point(25.83, 114.93)) < 820
    south, north, west, east = geo.bounding_box(geo.Point(32, 118), 10)
    assert north - south == pytest.approx(2 * 10 / 111.19, rel=1e-3)
    assert east - west > north - south  # longitude degrees are shorter away from the equator


def test_near_a_village_the_search_lists_its_station_its_township_and_the_county(points):
    v1 = points["near"].region
    hits, items = directory.service_points_search(region=v1, item_query="最低生活保障")
    assert items == [points["item"]]
    names = [h.hall.name for h in hits]
    # No position: the nearest level first — the village station, the township, the county.
    assert names == [points["near"].name, points["east"].name, points["county"].name]
    assert hits[0].items == [(points["item"], PointHandling.COLLECT.label)]
    # The other village of 东山 and 秣陵's points are not "near" this village.
    assert points["far"].name not in names and points["moling"].name not in names


def test_with_a_position_the_points_are_nearest_first_and_the_phone_is_moved_to_gcj02(points):
    # The phone stands (in WGS-84) where the GCJ-02 point of the near station is.
    here_gcj = geo.Point(31.9300, 118.8700)
    here_wgs = geo.gcj02_to_wgs84(here_gcj)
    hits, _ = directory.service_points_search(item_query="最低生活保障", position=here_wgs)
    assert [h.hall.name for h in hits][:3] == [
        points["near"].name,
        points["east"].name,
        points["county"].name,
    ]
    assert hits[0].distance_km == pytest.approx(0.0, abs=0.01)  # the offset was applied
    assert points["moling"] not in [h.hall for h in hits]  # no coordinates: not placeable
    # Taken as GCJ-02 without conversion, the same numbers are a few hundred metres off.
    raw, _ = directory.service_points_search(
        item_query="最低生活保障", position=here_wgs, position_system="gcj02"
    )
    assert raw[0].distance_km is not None and 0.1 < raw[0].distance_km < 0.7
    # A small radius keeps only what is within it.
    close, _ = directory.service_points_search(position=here_wgs, radius_km=1.0)
    assert [h.hall for h in close] == [points["near"]]


def test_region_and_position_together_list_unplaced_points_last(points):
    township = Region.objects.get(code=MOLING)
    hits, _ = directory.service_points_search(
        region=township, position=geo.Point(31.87, 118.83), position_system="gcj02"
    )
    halls = [h.hall for h in hits]
    assert halls[0] == points["other"] and hits[0].distance_km == pytest.approx(0.0, abs=0.01)
    # 秣陵's centre has no coordinates: after every point that has them.
    assert halls.index(points["moling"]) > halls.index(points["county"])
    assert hits[halls.index(points["moling"])].distance_km is None


def test_an_item_nobody_handles_nearby_finds_nothing_and_levels_filter(points):
    assert directory.service_points_search(item_query="不存在的事项")[0] == []
    hits, _ = directory.service_points_search(
        region=Region.objects.get(code="320115"), levels=[HallLevel.VILLAGE]
    )
    assert {h.hall.level for h in hits} == {HallLevel.VILLAGE} and len(hits) == 3


def test_coverage_counts_townships_and_villages_with_a_point(points):
    county = Region.objects.get(code="320115")
    figures = directory.service_point_coverage(county)
    proper_townships = Region.objects.filter(parent_id="320115", level="township").exclude(
        code__regex=r"^[0-9]{6}[45]"
    )
    # 15 township rows, of which 5 are 类似乡级单位 (开发区、林场: codes 4xx).
    assert figures.total.townships == proper_townships.count() == 10
    assert figures.total.townships_covered == 2  # 东山, 秣陵
    assert figures.total.township_share == 20.0
    assert figures.total.township_met is False
    assert figures.total.villages_covered == 3
    east = next(r for r in figures.rows if r.code == DONGSHAN)
    assert east.name == "东山街道" and east.townships_covered == 1 and east.villages_covered == 2
    assert east.villages == len(_villages(DONGSHAN))
    # The province's rows are its cities; a city without sub-county data has no share.
    province = directory.service_point_coverage(Region.objects.get(code="320000"))
    nanjing = next(r for r in province.rows if r.code == "320100")
    assert nanjing.townships_covered == 2
    suzhou = next((r for r in province.rows if r.code == "320500"), None)
    assert suzhou is None or suzhou.township_share is None


def test_the_coverage_query_count_does_not_grow_with_the_points(points):
    county = Region.objects.get(code="320115")
    with CaptureQueriesContext(connection) as before:
        directory.service_point_coverage(county)
    for village in _villages(MOLING)[1:6]:
        hall_create(name=f"{village.name}站", region=village)
    with CaptureQueriesContext(connection) as after:
        directory.service_point_coverage(county)
    assert len(after) == len(before) == 2


def test_the_demo_points_meet_the_targets_in_some_counties_and_miss_them_in_others(world):
    _nearby_item()
    loaded = demo_service_points_load()
    assert loaded["townships"] > 40 and loaded["villages"] > 300 and loaded["outlets"] == 2
    share = {
        code: directory.service_point_coverage(Region.objects.get(code=code)).total
        for code in ("320102", "320115", "360702", "360781")
    }
    assert share["320115"].township_share == 100.0 and share["320115"].village_met
    assert share["360781"].township_met is False  # 瑞金: below 80 %
    assert share["360702"].township_met and share["360702"].village_met is False  # 章贡
    village_station = Hall.objects.filter(
        level=HallLevel.VILLAGE, region__code__startswith="320115"
    ).first()
    assert village_station is not None and village_station.latitude is not None
    # 江宁's 就近办 item is handled at its township points and collected at its stations.
    assert ServicePointItem.objects.filter(
        hall__level=HallLevel.TOWNSHIP, handling="handle"
    ).exists()
    assert ServicePointItem.objects.filter(hall=village_station, handling="collect").exists()
    again = demo_service_points_load()
    assert again["townships"] == again["villages"] == again["outlets"] == again["items"] == 0


def test_the_directory_page_and_the_coverage_page(points, client: Client):
    v1 = points["near"].region
    page = client.get("/halls/", {"region": v1.code, "item": "最低生活保障"})
    assert page.status_code == 200
    text = page.text
    assert text.index(points["near"].name) < text.index(points["east"].name)
    assert "帮办代办" in text and "村（社区）便民服务站" in text
    here = geo.gcj02_to_wgs84(geo.Point(31.9300, 118.8700))
    near = client.get(
        "/halls/",
        {"item": "最低生活保障", "lat": f"{here.latitude:.6f}", "lng": f"{here.longitude:.6f}"},
    )
    assert "距您约 <strong>0.0</strong> 公里" in near.text
    assert client.get("/halls/", {"region": "999999999999"}).status_code == 200
    assert "不存在" in client.get("/halls/", {"region": "999999"}).text
    hall = client.get(f"/halls/{points['east'].pk}/")
    assert "最低生活保障审核确认（受理办理" in hall.text and "GCJ-02" in hall.text
    coverage = client.get("/halls/coverage/", {"region": "320115"})
    assert coverage.status_code == 200 and "东山街道" in coverage.text and "未达标" in coverage.text


def test_the_points_and_coverage_api(points, client: Client):
    here = geo.gcj02_to_wgs84(geo.Point(31.9300, 118.8700))
    found = client.get(
        "/api/v1/appointments/points",
        {"item": "最低生活保障", "lat": str(here.latitude), "lng": str(here.longitude)},
    )
    assert found.status_code == 200
    body = found.json()
    assert body[0]["name"] == points["near"].name and body[0]["level"] == "village"
    assert body[0]["distance_km"] == 0.0 and body[0]["coordinate_system"] == "gcj02"
    assert body[0]["items"][0]["handling"] == PointHandling.COLLECT.label
    assert all(math.isfinite(b["distance_km"]) for b in body)
    nothing = client.get("/api/v1/appointments/points")
    assert nothing.status_code == 422 and nothing.json()["code"] == "validation_failed"
    half = client.get("/api/v1/appointments/points", {"lat": "31.9"})
    assert half.status_code == 422 and half.json()["code"] == "validation_failed"
    bad_level = client.get("/api/v1/appointments/points", {"region": "320115", "level": "hamlet"})
    assert bad_level.status_code == 422
    unknown = client.get("/api/v1/appointments/points", {"region": "999999"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    coverage = client.get("/api/v1/appointments/coverage", {"region": "320115"})
    assert coverage.status_code == 200
    figures = coverage.json()
    assert figures["township_target"] == 80.0 and figures["total"]["townships_covered"] == 2
    assert client.get("/api/v1/appointments/coverage", {"region": "12"}).status_code == 422
    hall = client.get(f"/api/v1/appointments/halls/{points['east'].pk}").json()
    assert hall["level"] == "township" and hall["latitude"] == 31.945
