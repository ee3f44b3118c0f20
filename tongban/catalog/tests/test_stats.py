"""Online-availability figures against the R-PL-5 targets, on a hand-computed catalogue."""

from __future__ import annotations

import pytest

from tongban.catalog import stats
from tongban.catalog.services import guide_load_published
from tongban.catalog.tests.lists_seed import guides, seed_basic_items, seed_catalogue
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Region
from tongban.org.services import regions_load_from_file

pytestmark = pytest.mark.django_db

JIANGSU_SOURCE = "中共江苏省委办公厅《关于深入推进审批服务便民化的实施方案》，2018-09-04，二(一)3"
JIANGXI_SOURCE = (
    "江西省人民政府《深入推进“放管服”改革全面优化政务服务若干措施》，2019-03-27，一(一)、一(三)"
)


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
    # 江苏's only target (002 二(一)3): 80 % online at 省市县 by the end of 2018; no
    # mobile target. 省级: P1 only (P2 is a penalty, 依职权). Depth Ⅲ, mobile, one visit.
    assert figures(by_level["2"]) == {
        "网上可办": (1, 1, 100.0, True),  # target 80 %
        "全程网办": (0, 1, 0.0, None),
        "掌上可办": (1, 1, 100.0, None),
        "零跑动": (0, 1, 0.0, None),
    }
    # 市级: C1 (Ⅳ, mobile, 0 visits), C2 (Ⅱ, 1 visit), S1 (Ⅳ, mobile, 0 visits).
    assert figures(by_level["3"]) == {
        "网上可办": (2, 3, 66.7, False),  # target 80 %
        "全程网办": (2, 3, 66.7, None),
        "掌上可办": (2, 3, 66.7, None),
        "零跑动": (2, 3, 66.7, None),
    }
    assert by_level["3"].targets.mobile_items is None
    assert by_level["3"].mobile_items_met is None
    # 县级: X1 (Ⅲ, mobile), J1 (Ⅰ, two visits).
    assert figures(by_level["4"]) == {
        "网上可办": (1, 2, 50.0, False),
        "全程网办": (0, 2, 0.0, None),
        "掌上可办": (1, 2, 50.0, None),
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
        "target_percent": 80,
        "met": False,
        "targets": [
            {
                "measure": "online",
                "value": 80,
                "due": "2018-12-31",
                "met": False,
                "source": JIANGSU_SOURCE,
                "wording": "除法律法规有特别规定外，2018年年底前省市县三级80%以上审批服务事项"
                "实现网上能办。",
            }
        ],
    }
    assert city["mobile_items_target"] is None and city["mobile_items_targets"] == []
    assert body["target_source"] == JIANGSU_SOURCE
    assert body["target_documents"] == [
        {
            "issuer": "中共江苏省委办公厅",
            "title": "关于深入推进审批服务便民化的实施方案",
            "date": "2018-09-04",
            "number": "",
        }
    ]
    assert [a["name"] for a in body["areas"]] == ["江苏省本级", "南京市"]

    missing = client.get("/api/v1/catalog/stats", {"region": "999999"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "region_not_found"


# --- the targets of each province ---------------------------------------------------------


def _checks(figure: stats.Figure) -> list[tuple[str, int, bool | None]]:
    return [(c.target.due.isoformat(), c.target.value, c.met) for c in figure.checks]


@pytest.fixture
def ganzhou():
    """赣州市: two city items (one Ⅳ and mobile, one Ⅱ), and one 瑞金市 item (Ⅲ, mobile)."""
    demo_org_load()
    basics = seed_basic_items()
    contents = guides()
    for department, basic, key in (
        ("赣州市市场监督管理局", "licence", "C1"),
        ("赣州市民政局", "payment", "C2"),
        ("瑞金市民政局", "payment", "X1"),
    ):
        guide_load_published(
            basic_item=basics[basic],
            department=Department.objects.get(name=department),
            content=contents[key],
        )


def test_a_jiangxi_city_is_measured_against_the_2019_and_2020_targets_of_000(ganzhou):
    result = stats.catalog_stats("360700")
    city, county = result.levels

    assert result.target_source == JIANGXI_SOURCE
    assert [d.issuer for d in result.target_documents] == ["江西省人民政府"]
    # 一(一): 市县两级 ≥70 % by the end of 2019, ≥75 % by the end of 2020. 1 of 2 online.
    assert _checks(city.online) == [("2019-12-31", 70, False), ("2020-12-31", 75, False)]
    assert (city.online.target_percent, city.online.met) == (75, False)
    # 一(三): 高频事项掌上可办率 50 % and 70 %. 1 of 2 mobile.
    assert _checks(city.mobile) == [("2019-12-31", 50, True), ("2020-12-31", 70, False)]
    # 瑞金市: 1 of 1 online and mobile.
    assert _checks(county.online) == [("2019-12-31", 70, True), ("2020-12-31", 75, True)]
    assert [c.target.value for c in county.mobile.checks] == [50, 70]


def test_mobile_item_counts_are_compared_for_one_branch_only(ganzhou):
    city_view = stats.catalog_stats("360700")
    province_view = stats.catalog_stats("360000")

    # 一(三): each 设区市 ≥50 local items by June 2019, each 县（区、市） ≥20 by December.
    city = city_view.levels[0]
    assert [(c.target.due_label, c.target.value, c.met) for c in city.mobile_items_checks] == [
        ("2019年6月底前", 50, False)
    ]
    assert city_view.levels[1].mobile_items_checks == []  # the sum of 18 counties: no target
    ruijin = next(a for a in city_view.areas if a.code == "360781")
    assert [c.target.value for c in ruijin.levels[0].mobile_items_checks] == [20]
    # The province's level 3 is every city together: only each city's area is compared.
    assert all(level.mobile_items_checks == [] for level in province_view.levels)
    ganzhou_area = next(a for a in province_view.areas if a.code == "360700")
    assert ganzhou_area.levels[0].targets.mobile_items == 50


def test_a_jiangsu_region_gets_only_jiangsus_target(catalogue):
    result = stats.catalog_stats("320100")

    for level in result.levels:
        assert [(t.measure, t.value, t.document) for t in level.targets.all] == [
            ("online", 80, stats.JIANGSU_2018)
        ]
    assert result.target_source == JIANGSU_SOURCE
    assert not result.has_mobile_target


def test_a_region_of_another_province_shows_no_target(tmp_path):
    path = tmp_path / "beijing.csv"
    path.write_text(
        "code,name,level,parent_code\n110000,北京市,province,\n110100,北京市,city,110000\n",
        "utf-8",
    )
    regions_load_from_file(path=path)

    result = stats.catalog_stats("110000")

    assert (result.target_source, result.target_documents, result.targets) == ("", (), ())
    assert stats.level_targets(stats.targets_for("110100"), "3") == stats.Targets(None, None, None)


def test_the_documents_are_cited_as_published_without_an_invented_number():
    for province, document, issuer in (
        ("36", stats.JIANGXI_2019, "江西省人民政府"),
        ("32", stats.JIANGSU_2018, "中共江苏省委办公厅"),
    ):
        assert {t.document for t in stats.TARGETS_BY_PROVINCE[province]} == {document}
        assert document.issuer == issuer and document.number == ""
        assert "〔" not in document.citation
