"""Seed data of the catalogue page tests (portal and workbench): the demo province and
three published items.

The demo organisation comes from ``org.demo``; the catalogue editors are
made here as ``tongban.demo.staff`` makes them (same names, roles and
scopes; the layer contract keeps these tests from importing ``tongban.demo``,
and its ``demo load`` command also loads the whole demo catalogue); the items
are made with the catalogue's own services from ``valid_guide``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tongban.catalog import services
from tongban.catalog.models import ServiceItem
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.identity.demo import DEMO_STAFF_PASSWORD, demo_staff_account
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, DepartmentKind, Region, Role
from tongban.org.services import staff_assign

DEMO_PASSWORD = DEMO_STAFF_PASSWORD
# (username, display name, region of the editor's centre and scope)
EDITORS = (
    ("nj_editor", "宁事项", "320100"),
    ("nj_editor2", "宁事项审核", "320100"),
    ("gz_editor", "赣事项", "360700"),
    ("gz_editor2", "赣事项审核", "360700"),
)


@dataclass(frozen=True)
class Seed:
    food: ServiceItem  # 南京市 市场监督管理局: 食品经营许可证核发
    marriage: ServiceItem  # 南京市 民政局: 结婚登记 (个人, 即办件)
    ganzhou: ServiceItem  # 赣州市 市场监督管理局: 食品经营许可证核发


def _department(region_code: str, fragment: str) -> Department:
    department = (
        Department.objects.filter(region_id=region_code, name__contains=fragment)
        .order_by("id")
        .first()
    )
    assert department is not None, f"demo department {fragment} missing in {region_code}"
    return department


def marriage_guide(**overrides: Any) -> dict[str, Any]:
    guide = valid_guide(
        name="内地居民结婚登记",
        aliases=["结婚登记", "领结婚证"],
        keywords=["结婚", "婚姻"],
        audience=["person"],
        themes=["婚姻登记"],
        handling="immediate",
        legal_limit={"value": 1, "unit": "working_days"},
        promised_limit={"value": 0, "unit": "working_days"},
        result="结婚证",
        result_certificate_type="结婚证",
        modes=["on_the_spot", "appointment"],
        halls=["南京市婚姻登记处"],
        legal_bases=[{"title": "《婚姻登记条例》", "article": "第四条"}],
    )
    guide.update(overrides)
    return guide


def editors_load() -> None:
    centres = (DepartmentKind.SERVICE_CENTRE, DepartmentKind.APPROVAL_BUREAU)
    for username, display_name, region_code in EDITORS:
        user = demo_staff_account(username, display_name)
        centre = (
            Department.objects.filter(region_id=region_code, kind__in=centres)
            .order_by("id")
            .first()
        )
        assert centre is not None
        staff_assign(
            user_id=user.pk,
            role=Role.CATALOG_EDITOR,
            department=centre,
            region_scope=Region.objects.get(code=region_code),
            actor="test",
        )


def seed_catalog() -> Seed:
    demo_org_load()
    editors_load()
    licensing = services.basic_item_create(
        code="010100100000",
        name="食品经营许可证核发",
        item_type="01",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        levels="234",
    )
    confirmation = services.basic_item_create(
        code="070800100000",
        name="内地居民结婚登记",
        item_type="07",
        legal_basis="《婚姻登记条例》第四条",
        levels="34",
    )
    food = services.guide_load_published(
        basic_item=licensing,
        department=_department("320100", "市场监督管理局"),
        content=valid_guide(),
    )
    marriage = services.guide_load_published(
        basic_item=confirmation,
        department=_department("320100", "民政局"),
        content=marriage_guide(),
    )
    ganzhou = services.guide_load_published(
        basic_item=licensing,
        department=_department("360700", "市场监督管理局"),
        content=valid_guide(address="赣州市章贡区长征大道 1 号", halls=["赣州市民中心"]),
    )
    return Seed(food=food, marriage=marriage, ganzhou=ganzhou)
