"""Demo 双随机 items, inspectors, a drawn joint plan and 审管联动 routes (idempotent)."""

from __future__ import annotations

import datetime as dt

from tongban.catalog.models import ServiceItem
from tongban.core import clock
from tongban.org.models import Department
from tongban.supervision.inspection_models import InspectionPlan, RouteReason, SupervisionRoute
from tongban.supervision.inspection_runs import plan_draw
from tongban.supervision.inspections import (
    inspection_item_add,
    inspector_add,
    plan_create,
    plan_open,
)


def demo_inspections_load() -> dict[str, int]:
    now = clock.now()
    today = clock.local_date(now)
    market = Department.objects.get(name="南京市市场监督管理局")
    health = Department.objects.get(name="南京市卫生健康委员会")
    food = inspection_item_add(
        department=market, code="food-sale", name="食品销售者监督检查",
        legal_basis="《中华人民共和国食品安全法》第一百一十条", qualification="食品安全",
    )  # fmt: skip
    disclosure = inspection_item_add(
        department=market, code="annual-report", name="企业公示信息抽查",
        legal_basis="《企业信息公示暂行条例》第十四条", qualification="信用监管", method="书面检查",
    )  # fmt: skip
    hygiene = inspection_item_add(
        department=health, code="hygiene", name="公共场所卫生监督检查",
        legal_basis="《公共场所卫生管理条例》第十条", qualification="卫生监督",
    )  # fmt: skip
    for i, name in enumerate(("王建国", "李明", "陈静", "刘洋")):
        inspector_add(department=market, name=name, certificate_no=f"32010020260{i:02d}",
                      qualifications=["食品安全", "信用监管"])  # fmt: skip
    for i, name in enumerate(("赵敏", "孙磊")):
        inspector_add(department=health, name=name, certificate_no=f"32010030260{i:02d}",
                      qualifications=["卫生监督"])  # fmt: skip
    title = f"{today.year} 年南京市食品销售和公共场所卫生跨部门联合抽查"
    if not InspectionPlan.objects.filter(title=title).exists():
        plan = plan_create(
            title=title, lead_department=market, departments=[health],
            items=[food, disclosure, hygiene], scope_region="320100",
            starts_on=today, ends_on=today + dt.timedelta(days=60),
            rates={"A": 500, "B": 500, "C": 1000, "D": 1000}, actor=None, now=now,
        )  # fmt: skip
        plan_draw(plan=plan_open(plan=plan, actor=None, now=now), actor=None, now=now)
    routes = 0
    for item in ServiceItem.objects.filter(
        department=market, region_id="320100", name__contains="食品经营许可"
    )[:3]:
        _, created = SupervisionRoute.objects.get_or_create(
            service_item=item,
            defaults={"supervising_department": market, "reason": RouteReason.LICENCE_REFORM},
        )
        routes += int(created)
    return {"plans": InspectionPlan.objects.count(), "routes": routes}
