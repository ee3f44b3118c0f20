"""Items implemented at township (5) and village (6) level, on the 12-digit regions."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.catalog import lists, search, stats
from tongban.catalog.models import BasicItem, Level, ServiceItem
from tongban.catalog.services import basic_item_create, guide_load_published, service_item_create
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core.errors import DomainError
from tongban.org.demo import credit_code_for, demo_org_load
from tongban.org.models import Department
from tongban.org.selectors import region_get
from tongban.org.services import department_create

pytestmark = pytest.mark.django_db

XUANWUMEN = "320102005000"  # 玄武区玄武门街道
BAIZITING = "320102005001"  # 玄武门街道百子亭社区
XINJIEKOU = "320102003000"  # 玄武区新街口街道
XIANGPUYING = "320102003001"  # 新街口街道香铺营社区


def _department(region_code: str, name: str) -> Department:
    return department_create(
        name=name,
        credit_code=credit_code_for(name=name, region_code=region_code),
        region=region_get(region_code),
    )


def _basic(code: str, name: str, levels: str, item_type: str = "20") -> BasicItem:
    return basic_item_create(
        code=code,
        name=name,
        item_type=item_type,
        legal_basis="《中华人民共和国社会保险法》第二十五条",
        levels=levels,
    )


def _guide(name: str, **changes: Any) -> dict[str, Any]:
    return valid_guide(
        name=name, aliases=[], keywords=[], themes=[], result=f"{name}结果", **changes
    )


@pytest.fixture
def grassroots() -> dict[str, ServiceItem]:
    """One item per level on the line 江苏省 → 玄武区 → 玄武门街道 → 百子亭社区, and one
    in the neighbouring 新街口街道."""
    demo_org_load()
    insurance = _basic("LEVELS000001", "城乡居民基本医疗保险参保登记", "23456")
    xuanwumen = _department(XUANWUMEN, "南京市玄武区人民政府玄武门街道办事处")
    xinjiekou = _department(XINJIEKOU, "南京市玄武区人民政府新街口街道办事处")
    baiziting = _department(BAIZITING, "南京市玄武区玄武门街道百子亭社区居民委员会")

    def publish(department: Department) -> ServiceItem:
        return guide_load_published(
            basic_item=insurance, department=department, content=_guide(insurance.name)
        )

    return {
        "province": publish(Department.objects.get(name="江苏省医疗保障局")),
        "county": publish(Department.objects.get(name="南京市玄武区医疗保障局")),
        "township": publish(xuanwumen),
        "neighbour": publish(xinjiekou),
        "village": publish(baiziting),
    }


def test_township_and_village_items_take_their_level_and_12_digit_region(grassroots):
    township, village = grassroots["township"], grassroots["village"]

    assert (township.level, township.region_id) == (Level.TOWNSHIP, XUANWUMEN)
    assert (village.level, village.region_id) == (Level.VILLAGE, BAIZITING)
    assert township.region_path == "/320000/320100/320102/320102005000/"
    assert village.region_path.endswith("/320102005000/320102005001/")
    # 实施编码: credit code (18) + level digit + 基本编码 (12).
    assert township.implementation_code[18] == "5"
    assert village.implementation_code[18] == "6"


def test_a_basic_item_not_exercised_at_township_level_is_refused_there(grassroots):
    county_only = _basic("LEVELS000002", "再生育审批", "34", item_type="01")
    office = Department.objects.get(name="南京市玄武区人民政府玄武门街道办事处")

    with pytest.raises(DomainError) as caught:
        service_item_create(basic_item=county_only, department=office, content=_guide("再生育审批"))

    assert caught.value.code == "level_not_allowed"
    assert "乡镇（街道）级" in caught.value.detail


def _found(region: str) -> set[str]:
    page = search.search_items(region=region, limit=100)
    return {item.implementation_code for item in page.items}


def test_a_village_search_shows_its_own_and_every_higher_item_but_not_the_neighbours(
    grassroots,
):
    codes = {key: item.implementation_code for key, item in grassroots.items()}

    found = _found(BAIZITING)

    assert found == {codes[k] for k in ("province", "county", "township", "village")}
    assert codes["neighbour"] not in found


def test_a_village_of_the_neighbouring_township_gets_that_townships_item(grassroots):
    codes = {key: item.implementation_code for key, item in grassroots.items()}

    found = _found(XIANGPUYING)

    assert found == {codes[k] for k in ("province", "county", "neighbour")}


def test_a_county_search_shows_the_items_of_its_townships_and_villages_after_its_own(grassroots):
    page = search.search_items(region="320102", q="医疗保险", limit=100)
    order = [item.region_id for item in page.items]

    assert order[:2] == ["320102", "320000"]  # own level, then above, then below
    assert set(order[2:]) == {XUANWUMEN, XINJIEKOU, BAIZITING}


def test_the_search_api_takes_a_12_digit_region(client, grassroots):
    response = client.get("/api/v1/catalog/items", {"region": BAIZITING, "limit": 100})

    assert response.status_code == 200
    by_level = {item["level"]: item for item in response.json()["items"]}
    assert sorted(by_level) == ["2", "4", "5", "6"]
    assert by_level["5"]["region"] == {
        "code": XUANWUMEN,
        "name": "江苏省南京市玄武区玄武门街道",
    }


def test_the_nearby_list_of_a_village_holds_the_county_township_and_village_items(grassroots):
    # 就近办: items with the nearby mode, and every item of county level and below.
    rows = lists.list_items("nearby", BAIZITING).values_list("implementation_code", flat=True)

    assert set(rows) == {
        grassroots[k].implementation_code for k in ("county", "township", "village")
    }


def test_the_figures_of_a_county_go_down_to_its_townships(grassroots, django_assert_num_queries):
    with django_assert_num_queries(3):  # the region, the aggregate, the child regions' names
        result = stats.catalog_stats("320102")

    assert [level.level for level in result.levels] == ["4", "5", "6"]
    areas = {a.code: a for a in result.areas}
    assert list(areas) == ["320102", XINJIEKOU, XUANWUMEN]
    assert areas[XUANWUMEN].name == "玄武门街道"
    assert areas[XUANWUMEN].total.counts.total == 2  # the office's item and the 社区's
    township = next(level for level in result.levels if level.level == "5")
    assert township.online.target_percent is None  # the documents set no township target


def test_the_figures_of_a_township_and_a_village(grassroots):
    township = stats.catalog_stats(XUANWUMEN)
    village = stats.catalog_stats(BAIZITING)

    assert [a.code for a in township.areas] == [XUANWUMEN, BAIZITING]
    assert township.total.counts.total == 2
    assert [a.code for a in village.areas] == [BAIZITING]
    assert village.total.counts.total == 1
