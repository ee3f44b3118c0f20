"""The demo catalogue loads, passes the lint, covers the bundles and reloads as a no-op."""

from __future__ import annotations

from collections import Counter

import pytest

from tongban.catalog.content import GuideContent, MaterialSource
from tongban.catalog.demo import demo_catalog_items, demo_catalog_load
from tongban.catalog.lint import lint_guide
from tongban.catalog.models import BasicItem, GuideVersion, ServiceItem, ServiceItemStatus
from tongban.org.demo import demo_org_load

pytestmark = pytest.mark.django_db

# The member items of the bundles of 003's table (R-BD-3) and the high-frequency items.
COVERAGE: dict[str, list[str]] = {
    "企业开办": [
        "企业设立登记",
        "公章刻制备案",
        "企业银行账户预约开户",
        "发票领用",
        "单位社会保险登记",
        "住房公积金单位缴存登记",
    ],
    "企业注销": [
        "企业注销登记",
        "企业简易注销登记",
        "税务注销",
        "单位社会保险注销登记",
        "报关单位备案注销",
        "外商投资企业注销信息报告",
    ],
    "不动产登记": ["不动产首次登记", "不动产转移登记", "不动产抵押登记", "不动产登记资料查询"],
    "工程建设项目审批": [
        "企业投资项目备案",
        "企业投资项目核准",
        "建设项目用地预审与选址意见书核发",
        "建设用地规划许可证核发",
        "建设工程规划许可证核发",
        "建筑工程施工许可证核发",
        "房屋建筑和市政基础设施工程竣工验收备案",
        "用水报装",
        "用电报装",
        "用气报装",
    ],
    "不动产和动产抵押登记": ["不动产抵押登记", "动产和权利担保统一登记"],
    "新生儿出生": [
        "出生医学证明办理",
        "出生登记",
        "预防接种证办理",
        "城乡居民基本医疗保险参保登记",
        "社会保障卡申领",
    ],
    "就业登记": ["就业登记", "个人社会保险参保登记", "住房公积金个人账户设立"],
    "结婚": ["内地居民结婚登记", "户口迁移", "生育登记"],
    "退休": ["企业职工基本养老保险待遇申领", "职工基本医疗保险退休人员待遇核定"],
    "身后": [
        "居民死亡医学证明（推断）书办理",
        "死亡注销户口",
        "丧葬补助金、抚恤金申领",
        "基本殡葬服务",
        "个人社会保险注销登记",
        "住房公积金提取",
        "残疾人证办理",
    ],
    "军人退役": [
        "退役士兵报到",
        "户口迁移",
        "军人退役基本养老保险关系转移接续",
        "基本医疗保险关系转移接续",
    ],
    "开便利店": ["个体工商户设立登记", "食品经营许可", "仅销售预包装食品备案"],
    "开药店": [
        "药品零售企业经营许可",
        "第二类医疗器械经营备案",
        "零售药店医疗保障定点申请",
    ],
    "高频事项": [
        "住房公积金个人住房贷款",
        "居民身份证申领",
        "普通护照签发",
        "往来港澳通行证及签注签发",
        "往来台湾通行证及签注签发",
        "基本养老保险关系转移接续",
        "最低生活保障审核确认",
        "异地就医备案",
    ],
}


def _check_counts(loaded: dict[str, int]) -> None:
    items = ServiceItem.objects.filter(status=ServiceItemStatus.ACTIVE)
    assert loaded["service_items"] == loaded["created"] == items.count() >= 150
    assert not items.filter(current_version__isnull=True).exists()
    by_level = Counter(items.values_list("level", flat=True))
    by_region = Counter(items.values_list("region_id", flat=True))
    assert by_level["2"] >= 15  # 江苏省
    assert by_region["320100"] >= 50  # 南京市
    assert by_region["360700"] >= 50  # 赣州市
    assert by_level["2"] + by_level["3"] >= 130
    assert by_level["4"] >= 100  # 玄武区, 江宁区, 章贡区, 瑞金市
    assert loaded["basic_items"] == BasicItem.objects.count() >= 60
    # 相对集中行政许可权 (R-CS-8): 赣州's licences are issued by its 行政审批局.
    bureau = items.filter(region_id="360700", department__short_name="市行政审批局")
    assert {"企业设立登记", "食品经营许可", "建筑工程施工许可证核发"} <= set(
        bureau.values_list("name", flat=True)
    )


def _check_coverage() -> None:
    published = set(ServiceItem.objects.values_list("name", flat=True))
    missing = {
        bundle: [name for name in names if name not in published]
        for bundle, names in COVERAGE.items()
    }
    assert {k: v for k, v in missing.items() if v} == {}
    # 烟草专卖零售许可 is in the basic catalogue, but the demo has no 烟草专卖局 to implement it.
    assert BasicItem.objects.filter(name="烟草专卖零售许可证核发").exists()


def _check_lint_and_placement() -> None:
    found = {}
    items = ServiceItem.objects.select_related("current_version")
    for item in items:
        version = item.current_version
        assert version is not None
        guide = GuideContent.model_validate(version.content)
        findings = lint_guide(guide, item_type=item.item_type)
        if findings:  # neither errors nor warnings
            found[item.implementation_code] = [f"{f.code} {f.field}: {f.message}" for f in findings]
        for material in guide.materials:
            if material.source == MaterialSource.GOVERNMENT:
                assert material.exempt and material.certificate_type
        assert guide.contacts and guide.result and guide.legal_bases and guide.conditions
        text = str(version.content)
        assert not any(f"${key}" in text for key in ("portal", "app", "city", "dept", "region"))
        if item.region_id.startswith("36"):
            assert "苏服办" not in text and "江苏政务服务网" not in text
        if item.level in ("3", "4"):
            assert guide.halls and guide.halls[0].endswith("政务服务中心"), item
    assert found == {}


def test_demo_catalogue_loads_lints_covers_the_bundles_and_reloads_as_a_no_op():
    demo_org_load()
    loaded = demo_catalog_load()

    _check_counts(loaded)
    _check_coverage()
    _check_lint_and_placement()

    versions = GuideVersion.objects.count()
    again = demo_catalog_load()
    assert again["created"] == again["updated"] == 0
    assert again["unchanged"] == again["service_items"] == loaded["service_items"]
    assert GuideVersion.objects.count() == versions


@pytest.mark.django_db(transaction=False)
def test_the_data_files_use_unique_well_formed_codes():
    items = demo_catalog_items()
    codes = [item["code"] for item in items]
    assert len(codes) == len(set(codes))
    for item in items:
        assert len(item["code"]) == 12 and item["code"][:2] == item["type"], item["code"]
        assert item["code"].endswith("00000")
        assert set(str(item["levels"])) <= set("234")
