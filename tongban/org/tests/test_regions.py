"""Loading the GB/T 2260 file and querying the region tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.org.models import Region, RegionLevel
from tongban.org.selectors import region_get, region_subtree, regions_children
from tongban.org.services import regions_load_from_file

pytestmark = pytest.mark.django_db


def _count(province: str, level: str) -> int:
    return Region.objects.filter(path__startswith=f"/{province}0000/", level=level).count()


def test_loading_the_file_gives_the_current_cities_and_counties_of_jiangsu_and_jiangxi():
    result = regions_load_from_file()

    assert result.created == 221
    assert _count("32", RegionLevel.CITY) == 13
    assert _count("32", RegionLevel.COUNTY) == 95
    assert _count("36", RegionLevel.CITY) == 11
    assert _count("36", RegionLevel.COUNTY) == 100


@pytest.mark.parametrize(
    ("code", "full_name", "path"),
    [
        ("320102", "江苏省南京市玄武区", "/320000/320100/320102/"),
        ("320685", "江苏省南通市海安市", "/320000/320600/320685/"),  # 2018: 县 → 县级市
        ("360702", "江西省赣州市章贡区", "/360000/360700/360702/"),
        ("360703", "江西省赣州市南康区", "/360000/360700/360703/"),  # 2013: 南康市 → 区
        ("360781", "江西省赣州市瑞金市", "/360000/360700/360781/"),
    ],
)
def test_loaded_regions_carry_full_name_and_path(regions, code, full_name, path):
    region = region_get(code)

    assert (region.full_name, region.path) == (full_name, path)


def test_abolished_codes_and_city_district_groupings_are_not_loaded(regions):
    # 320103 白下区 merged into 秦淮区 in 2013; 320101 is the 市辖区 grouping.
    assert not Region.objects.filter(code__in=["320103", "320101", "360782"]).exists()


def test_loading_twice_changes_nothing_and_is_audited_each_time():
    regions_load_from_file()
    before = list(Region.objects.values_list("code", "name", "path", "parent_id"))

    again = regions_load_from_file()

    assert (again.created, again.updated, again.unchanged) == (0, 0, 221)
    assert list(Region.objects.values_list("code", "name", "path", "parent_id")) == before
    assert AuditEvent.objects.filter(action="org.regions_load").count() == 2


def test_a_renamed_region_is_updated_in_place(regions, tmp_path: Path):
    path = tmp_path / "renamed.csv"
    path.write_text(
        "code,name,level,parent_code\n"
        "320000,江苏省,province,\n320100,南京市,city,320000\n320102,玄武新区,county,320100\n",
        encoding="utf-8",
    )

    result = regions_load_from_file(path=path)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert region_get("320102").full_name == "江苏省南京市玄武新区"


def test_a_file_whose_parent_is_missing_is_refused_without_writing(tmp_path: Path):
    path = tmp_path / "orphan.csv"
    path.write_text("code,name,level,parent_code\n320102,玄武区,county,320100\n", encoding="utf-8")

    with pytest.raises(DomainError) as caught:
        regions_load_from_file(path=path)

    assert caught.value.code == "region_file_invalid"
    assert not Region.objects.exists()


def test_subtree_of_a_city_is_the_city_and_its_counties(regions, django_assert_num_queries):
    with django_assert_num_queries(2):  # the root's path, then the subtree
        codes = [r.code for r in region_subtree("360700")]

    assert codes[0] == "360700"
    assert len(codes) == 1 + 18  # 赣州: 3 districts, 2 county-level cities, 13 counties
    assert all(code.startswith("3607") for code in codes)


def test_children_of_a_province_are_its_cities(regions):
    assert [r.name for r in regions_children("360000")][:2] == ["南昌市", "景德镇市"]
    assert [r.code for r in regions_children("")] == ["320000", "360000"]


def test_an_unknown_region_is_not_found(regions):
    with pytest.raises(DomainError) as caught:
        region_get("329999")

    assert caught.value.code == "region_not_found"
