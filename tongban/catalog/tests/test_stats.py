"""Online-availability figures against the R-PL-5 targets, on a hand-computed catalogue."""

from __future__ import annotations

import pytest

from tongban.catalog import stats
from tongban.catalog.tests.lists_seed import seed_catalogue
from tongban.org.demo import demo_org_load
from tongban.org.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    demo_org_load()
    return seed_catalogue()


def figures(level: stats.LevelStats) -> dict[str, tuple[int, int, float, bool | None]]:
    return {f.label: (f.count, f.total, f.percent, f.met) for f in level.figures}


def test_the_on_application_types_are_the_six_powers_and_public_service():
    assert set(stats.ON_APPLICATION_TYPES) == {"01", "05", "07", "08", "09", "10", "20"}
    assert set(stats.EX_OFFICIO_TYPES) == {"02", "03", "04", "06"}


def test_the_figures_of_a_province_by_level(catalogue, django_assert_num_queries):
    region = Region.objects.get(code="320000")
    with django_assert_num_queries(2):  # the aggregate, and the child regions' names
        result = stats.catalog_stats(region)
    by_level = {level.level: level for level in result.levels}
    assert sorted(by_level) == ["2", "3", "4"]
    # 省级: P1 only (P2 is a penalty, 依职权). Depth Ⅲ, mobile, one visit.
    assert figures(by_level["2"]) == {
        "网上可办": (1, 1, 100.0, True),  # target 95 %
        "全程网办": (0, 1, 0.0, None),
        "掌上可办": (1, 1, 100.0, True),  # target 80 %
        "零跑动": (0, 1, 0.0, None),
    }
    # 市级: C1 (Ⅳ, mobile, 0 visits), C2 (Ⅱ, 1 visit), S1 (Ⅳ, mobile, 0 visits).
    assert figures(by_level["3"]) == {
        "网上可办": (2, 3, 66.7, False),  # target 75 %
        "全程网办": (2, 3, 66.7, None),
        "掌上可办": (2, 3, 66.7, False),  # target 70 %
        "零跑动": (2, 3, 66.7, None),
    }
    assert by_level["3"].targets.mobile_items == 50
    assert by_level["3"].mobile_items_met is False
    # 县级: X1 (Ⅲ, mobile), J1 (Ⅰ, two visits).
    assert figures(by_level["4"]) == {
        "网上可办": (1, 2, 50.0, False),
        "全程网办": (0, 2, 0.0, None),
        "掌上可办": (1, 2, 50.0, False),
        "零跑动": (0, 2, 0.0, None),
    }
    assert figures(result.total)["网上可办"] == (4, 6, 66.7, None)  # targets are per level


def test_the_figures_of_a_city_by_area(catalogue):
    result = stats.catalog_stats("320100")
    areas = {a.name: a for a in result.areas}
    assert list(areas) == ["南京市本级", "玄武区", "江宁区"]
    assert areas["南京市本级"].total.counts.total == 3
    assert areas["玄武区"].code == "320102"
    assert figures(areas["玄武区"].levels[0])["网上可办"] == (1, 1, 100.0, True)
    assert figures(areas["江宁区"].levels[0])["网上可办"] == (0, 1, 0.0, False)
    # The province's items are not the city's work.
    assert [level.level for level in result.levels] == ["3", "4"]


def test_a_region_without_items_has_no_figures():
    demo_org_load()
    result = stats.catalog_stats("360000")
    assert result.levels == [] and result.total.counts.total == 0
    assert result.total.online.met is None and result.total.online.percent == 0.0


def test_the_api_returns_the_figures_with_their_targets(client, catalogue):
    response = client.get("/api/v1/catalog/stats", {"region": "320000"})
    assert response.status_code == 200
    body = response.json()
    assert body["region"]["code"] == "320000"
    assert body["counted_item_types"] == list(stats.ON_APPLICATION_TYPES)
    city = next(level for level in body["levels"] if level["level"] == "3")
    online = next(f for f in city["figures"] if f["label"] == "网上可办")
    assert online == {
        "label": "网上可办",
        "count": 2,
        "total": 3,
        "percent": 66.7,
        "target_percent": 75,
        "met": False,
    }
    assert [a["name"] for a in body["areas"]] == ["江苏省本级", "南京市"]

    missing = client.get("/api/v1/catalog/stats", {"region": "999999"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "region_not_found"
