"""乡镇 and 村 (12-digit 统计用区划代码) below the demo counties: loading, tree, scopes, counts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongban.core.errors import DomainError
from tongban.org.demo import demo_org_load
from tongban.org.models import Region, RegionLevel, Role
from tongban.org.selectors import (
    department_list_for_staff,
    region_get,
    region_subdivision_counts,
    region_subtree,
    regions_children,
    scope_q,
    staff_scope_for,
)
from tongban.org.services import SUBCOUNTY_REGIONS_FILE, regions_load_from_file, staff_assign
from tongban.org.tests.conftest import make_department, make_user

pytestmark = pytest.mark.django_db

DEMO_COUNTIES = {"320102": (8, 61), "320115": (15, 212), "360702": (17, 229), "360781": (18, 247)}
HEADER = "code,name,level,parent_code\n"


@pytest.fixture
def subcounty(regions) -> None:
    regions_load_from_file(path=SUBCOUNTY_REGIONS_FILE)


def test_the_subcounty_file_loads_every_township_and_village_of_the_demo_counties(regions):
    result = regions_load_from_file(path=SUBCOUNTY_REGIONS_FILE)

    assert (result.created, result.updated, result.unchanged) == (807, 0, 0)
    for county, (townships, villages) in DEMO_COUNTIES.items():
        below = Region.objects.filter(path__startswith=region_get(county).path)
        assert below.filter(level=RegionLevel.TOWNSHIP).count() == townships, county
        assert below.filter(level=RegionLevel.VILLAGE).count() == villages, county


def test_every_row_has_its_parent_one_level_up_and_a_code_under_the_parents(subcounty):
    rows = list(
        Region.objects.filter(level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]).values_list(
            "code", "level", "parent__code", "parent__level", "path"
        )
    )

    assert len(rows) == 807
    for code, level, parent, parent_level, path in rows:
        assert len(code) == 12 and code.isdigit()
        assert code[:6] in DEMO_COUNTIES  # prefixed by its county
        if level == RegionLevel.TOWNSHIP:
            assert (parent_level, parent) == (RegionLevel.COUNTY, code[:6])
            assert code.endswith("000")
        else:
            assert (parent_level, parent) == (RegionLevel.TOWNSHIP, code[:9] + "000")
            assert not code.endswith("000")
        assert path.endswith(f"/{parent}/{code}/")


def test_the_committed_file_names_only_parents_in_the_committed_files():
    with SUBCOUNTY_REGIONS_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    county_file = SUBCOUNTY_REGIONS_FILE.with_name("regions.csv").read_text(encoding="utf-8")
    counties = {r["code"] for r in csv.DictReader(io.StringIO(county_file))}
    codes = {r["code"] for r in rows}

    assert len(rows) == len(codes) == 807
    assert all(r["parent_code"] in codes | counties for r in rows)


@pytest.mark.parametrize(
    ("code", "full_name"),
    [
        ("320102005000", "江苏省南京市玄武区玄武门街道"),
        ("320115001000", "江苏省南京市江宁区东山街道"),
        ("320115002000", "江苏省南京市江宁区秣陵街道"),
        ("320115003000", "江苏省南京市江宁区汤山街道"),
        ("360702001000", "江西省赣州市章贡区解放街道"),
        ("360702101000", "江西省赣州市章贡区水东镇"),
        ("360781100000", "江西省赣州市瑞金市象湖镇"),
        ("360781104000", "江西省赣州市瑞金市沙洲坝镇"),
        # 叶坪 is a 镇 in the 2023 list (code 107, in the 镇 range 100–199), no longer a 乡.
        ("360781107000", "江西省赣州市瑞金市叶坪镇"),
        ("320102005001", "江苏省南京市玄武区玄武门街道百子亭社区"),
    ],
)
def test_townships_and_villages_carry_full_name_and_path(subcounty, code, full_name):
    region = region_get(code)

    assert region.full_name == full_name
    assert region.path.startswith(region_get(code[:6]).path)
    assert region.path.endswith(f"/{code}/")


def test_the_tree_reaches_down_to_the_villages(subcounty):
    townships = [r.name for r in regions_children("320102")]
    villages = list(region_subtree("320102005000"))

    assert townships[:3] == ["梅园新村街道", "新街口街道", "玄武门街道"]
    assert villages[0].code == "320102005000"
    assert {r.level for r in villages[1:]} == {RegionLevel.VILLAGE}
    assert len(villages) == 1 + Region.objects.filter(parent_id="320102005000").count()


def test_loading_the_demo_twice_changes_no_region():
    first = demo_org_load()
    before = list(Region.objects.values_list("code", "name", "full_name", "path", "parent_id"))

    second = demo_org_load()

    assert first["regions"] == first["regions_created"] == 221 + 807
    assert (second["regions"], second["regions_created"]) == (221 + 807, 0)
    assert (
        list(Region.objects.values_list("code", "name", "full_name", "path", "parent_id")) == before
    )


def test_a_renamed_county_renames_the_full_names_of_its_townships_and_villages(
    subcounty, tmp_path: Path
):
    path = tmp_path / "renamed.csv"
    path.write_text(
        HEADER + "320000,江苏省,province,\n320100,南京市,city,320000\n"
        "320102,玄武新区,county,320100\n",
        encoding="utf-8",
    )

    result = regions_load_from_file(path=path)

    below = Region.objects.filter(path__startswith="/320000/320100/320102/").count() - 1
    assert (result.created, result.updated, result.unchanged) == (0, 1 + below, 2)
    assert region_get("320102005001").full_name == "江苏省南京市玄武新区玄武门街道百子亭社区"


@pytest.mark.parametrize(
    ("rows", "why"),
    [
        # A 乡级 code is written with "000" at the end.
        ("320102005001,玄武门街道,township,320102\n", "末三位应为 000"),
        ("320102005000,百子亭社区,village,320102005000\n", "末三位不应为 000"),
        ("320102005,玄武门街道,township,320102\n", "6 位（县级及以上）或 12 位"),
        ("320102,玄武区,township,320100\n", "应为 12 位"),
        # The code must lie under the parent's: a 江宁 township under 玄武区.
        ("320115001000,东山街道,township,320102\n", "不在上级 320102 的代码范围内"),
        # The parent must be loaded already or be in the same file.
        ("320102005000,玄武门街道,township,320102005001\n", "上级 320102005001 不存在"),
        ("320102005000,玄武门街道,township,\n", "须填写上级代码"),
        ("320102005000,,township,320102\n", "名称为空"),
        ("320102005000,玄武门街道,hamlet,320102\n", "层级 hamlet 无效"),
    ],
)
def test_a_bad_subcounty_row_is_refused_with_its_line_and_nothing_is_written(
    regions, tmp_path: Path, rows: str, why: str
):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "320102002000,梅园新村街道,township,320102\n" + rows, "utf-8")

    with pytest.raises(DomainError) as caught:
        regions_load_from_file(path=path)

    assert caught.value.code == "region_file_invalid"
    assert why in caught.value.detail
    assert "第 3 行" in caught.value.detail  # the header is line 1
    assert not Region.objects.filter(level=RegionLevel.TOWNSHIP).exists()


def test_a_parent_of_the_same_level_is_refused(regions, tmp_path: Path):
    path = tmp_path / "sideways.csv"
    path.write_text(
        HEADER + "320102005000,玄武门街道,township,320102\n"
        "320102005001,百子亭社区,village,320102005000\n"
        "320102005002,某社区,village,320102005001\n",
        "utf-8",
    )

    with pytest.raises(DomainError) as caught:
        regions_load_from_file(path=path)

    assert "层级不高于本级" in caught.value.detail
    assert not Region.objects.filter(code="320102005000").exists()


def test_a_file_that_is_not_utf8_csv_is_refused(tmp_path: Path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(HEADER.encode() + "320000,江苏省,province,\n".encode("gbk"))

    with pytest.raises(DomainError) as caught:
        regions_load_from_file(path=path)

    assert caught.value.code == "region_file_invalid"


# --- staff scopes over 乡镇 and 村 ----------------------------------------------------------


def _assign(user, department, scope_code: str) -> None:
    staff_assign(
        user_id=user.pk,
        role=Role.WINDOW_CLERK,
        department=department,
        region_scope=region_get(scope_code),
    )


def _regions_in_scope(user) -> set[str]:
    scope = staff_scope_for(user=user)
    rows = Region.objects.filter(
        scope_q(scope=scope, region_path_field="path", department_field=None),
        level=RegionLevel.VILLAGE,
    )
    return set(rows.values_list("code", flat=True))


def test_a_county_scope_covers_the_villages_below_it_and_not_another_countys(
    subcounty, django_assert_num_queries
):
    clerk = make_user()
    _assign(clerk, make_department("320102", "南京市玄武区民政局"), "320102")

    with django_assert_num_queries(2):  # assignments with their restrictions, the villages
        villages = _regions_in_scope(clerk)

    assert "320102005001" in villages  # 玄武门街道百子亭社区
    assert "320115001020" not in villages  # 江宁区东山街道远泰路社区
    assert len(villages) == 61


def test_a_township_scope_covers_its_villages_only(subcounty):
    clerk = make_user()
    office = make_department("320102005000", "南京市玄武区人民政府玄武门街道办事处")
    _assign(clerk, office, "320102005000")

    villages = _regions_in_scope(clerk)

    assert villages == set(
        Region.objects.filter(parent_id="320102005000").values_list("code", flat=True)
    )
    assert "320102003001" not in villages  # 新街口街道's 香铺营社区


def test_a_county_clerk_sees_the_township_offices_below_and_not_the_neighbours(subcounty):
    clerk = make_user()
    _assign(clerk, make_department("320102", "南京市玄武区民政局"), "320102")
    make_department("320102005000", "南京市玄武区人民政府玄武门街道办事处")
    make_department("320115001000", "南京市江宁区人民政府东山街道办事处")

    names = {d.name for d in department_list_for_staff(clerk)}

    assert names == {"南京市玄武区民政局", "南京市玄武区人民政府玄武门街道办事处"}


def test_a_township_scope_may_not_reach_beyond_its_department(subcounty):
    office = make_department("320102005000", "南京市玄武区人民政府玄武门街道办事处")

    with pytest.raises(DomainError) as caught:
        _assign(make_user(), office, "320102")

    assert caught.value.code == "staff_scope_invalid"


# --- R-HA-2 denominators -----------------------------------------------------------------


def test_subdivision_counts_of_a_county_a_city_and_a_township(subcounty, django_assert_num_queries):
    with django_assert_num_queries(2):  # the region, then one aggregate
        xuanwu = region_subdivision_counts("320102")
    nanjing = region_subdivision_counts("320100")
    ruijin = region_subdivision_counts("360781")
    township = region_subdivision_counts("320102005000")

    # 玄武区: 7 街道 + 徐庄高新区 (类似乡级单位); 60 社区 + its 虚拟社区.
    assert (xuanwu.townships, xuanwu.villages) == (8, 61)
    assert (xuanwu.proper_townships, xuanwu.proper_villages) == (7, 60)
    assert (nanjing.townships, nanjing.villages) == (8 + 15, 61 + 212)
    assert (ruijin.proper_townships, ruijin.similar_townships) == (17, 1)  # 8 镇, 9 乡
    assert (township.townships, township.villages) == (0, 6)


def test_subdivision_counts_of_an_unknown_region_is_not_found(regions):
    with pytest.raises(DomainError) as caught:
        region_subdivision_counts("320102999000")

    assert caught.value.code == "region_not_found"


# --- the command ---------------------------------------------------------------------------


def test_the_regions_command_loads_the_committed_files_and_counts(capsys):
    call_command("regions", "load")
    call_command("regions", "counts", "320115")

    out = capsys.readouterr().out
    assert "regions.csv：新增 221" in out and "subcounty_regions.csv：新增 807" in out
    assert "乡镇级 15 个（其中类似乡级单位 5 个），村级 212 个" in out


def test_the_regions_command_reports_a_bad_file_in_chinese(tmp_path: Path):
    path = tmp_path / "orphan.csv"
    path.write_text(HEADER + "320102005000,玄武门街道,township,320102\n", "utf-8")

    with pytest.raises(CommandError, match="上级 320102 不存在"):
        call_command("regions", "load", str(path))
