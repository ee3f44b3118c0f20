"""A small published catalogue on the demo departments, for the list, export,
transfer and stats tests. Call ``seed_catalogue()`` after ``demo_org_load()``.

Items (key: department, basic item, facets):

    P1  江苏省市场监督管理局  许可 01  depth 3, 1 visit, mobile, 前置审批, 证照分离 optimised
    P2  江苏省市场监督管理局  处罚 02  depth 1, 2 visits (依职权: no figure counts it)
    C1  南京市市场监督管理局  许可 01  depth 4, 0 visits, mobile, fee, 中介服务, 证照分离 filing
    C2  南京市民政局          给付 05  即办件, depth 2, 1 visit, 马上办
    X1  南京市玄武区民政局    给付 05  depth 3, 1 visit, mobile, 就近办
    J1  南京市江宁区民政局    给付 05  depth 1, 2 visits
    S1  南京市政务服务管理办公室  公共服务 20  depth 4, 0 visits, mobile, 不见面审批
"""

from __future__ import annotations

from typing import Any

from tongban.catalog.models import ServiceItem
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.org.models import Department

FEE = {"name": "工本费", "standard": "每证 10 元", "basis": "苏价费〔2020〕1号"}
INTERMEDIARY_MATERIAL = {
    "code": "assessment",
    "name": "卫生学评价报告",
    "source": "intermediary",
}


def _guide(**overrides: Any) -> dict[str, Any]:
    return valid_guide(**overrides)


def guides() -> dict[str, dict[str, Any]]:
    base_materials = valid_guide()["materials"]
    return {
        "P1": _guide(
            name="食品经营许可证核发（省级）",
            prior_approval=True,
            licence_separation="optimised",
        ),
        "P2": _guide(
            name="对未取得食品经营许可从事经营活动的处罚",
            online_depth=1,
            visits_required=2,
            mobile=False,
            modes=[],
            audience=["legal_entity"],
            materials=[],
            questions=[],
            situations=[],
            result="行政处罚决定书",
            result_certificate_type="",
        ),
        "C1": _guide(
            name="食品经营许可证核发",
            online_depth=4,
            visits_required=0,
            modes=["no_visit", "fully_online"],
            free=False,
            fees=[FEE],
            intermediary_service=True,
            materials=[*base_materials, INTERMEDIARY_MATERIAL],
            licence_separation="filing",
            steps=[
                {"name": "受理", "role": "窗口人员", "share_percent": 20},
                {"name": "现场核查", "role": "审批人员", "special_procedure": "inspection"},
                {"name": "审查", "role": "审批人员", "share_percent": 60},
                {"name": "决定", "role": "部门负责人", "share_percent": 20},
            ],
        ),
        "C2": _guide(
            name="最低生活保障金给付",
            handling="immediate",
            promised_limit={"value": 1, "unit": "working_days"},
            online_depth=2,
            visits_required=1,
            mobile=False,
            modes=["on_the_spot"],
            audience=["person"],
        ),
        "X1": _guide(
            name="最低生活保障金给付",
            online_depth=3,
            visits_required=1,
            modes=["nearby"],
            audience=["person"],
        ),
        "J1": _guide(
            name="最低生活保障金给付",
            online_depth=1,
            visits_required=2,
            mobile=False,
            modes=[],
            audience=["person"],
        ),
        "S1": _guide(
            name="政务服务事项咨询",
            online_depth=4,
            visits_required=0,
            modes=["no_meeting"],
            audience=["person", "legal_entity"],
        ),
    }


PLACES = {
    "P1": ("江苏省市场监督管理局", "licence"),
    "P2": ("江苏省市场监督管理局", "penalty"),
    "C1": ("南京市市场监督管理局", "licence"),
    "C2": ("南京市民政局", "payment"),
    "X1": ("南京市玄武区民政局", "payment"),
    "J1": ("南京市江宁区民政局", "payment"),
    "S1": ("南京市政务服务管理办公室", "service"),
}


def seed_basic_items() -> dict[str, Any]:
    return {
        "licence": basic_item_create(
            code="000101001000",
            name="食品经营许可证核发",
            item_type="01",
            legal_basis="《中华人民共和国食品安全法》第三十五条",
            levels="234",
        ),
        "penalty": basic_item_create(
            code="000102001000",
            name="对未取得食品经营许可从事经营活动的处罚",
            item_type="02",
            legal_basis="《中华人民共和国食品安全法》第一百二十二条",
            levels="234",
        ),
        "payment": basic_item_create(
            code="000105001000",
            name="最低生活保障金给付",
            item_type="05",
            legal_basis="《社会救助暂行办法》第九条",
            levels="34",
        ),
        "service": basic_item_create(
            code="000120001000",
            name="政务服务事项咨询",
            item_type="20",
            legal_basis="《优化营商环境条例》第三十五条",
            levels="234",
        ),
    }


def seed_catalogue(only: tuple[str, ...] | None = None) -> dict[str, ServiceItem]:
    """Publish the items above (or ``only`` some of them); returns them by key."""
    basics = seed_basic_items()
    contents = guides()
    items = {}
    for key, (department_name, basic) in PLACES.items():
        if only is not None and key not in only:
            continue
        items[key] = guide_load_published(
            basic_item=basics[basic],
            department=Department.objects.get(name=department_name),
            content=contents[key],
        )
    return items
