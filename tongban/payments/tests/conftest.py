"""A fee-charging item of 南京市 (fixed + per copy + table, with a waiver),
an applicant with an account, and the department's staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.db import rolled_back
from tongban.catalog.models import ServiceItem
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.identity.models import Person, User
from tongban.identity.services import citizen_signup, person_register, staff_account_create
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, DepartmentKind, Role
from tongban.org.services import staff_assign
from tongban.payments.services import fee_rule_save

# Mon 2 Nov 2026, 10:00 in Shanghai.
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
BASIS = "《江苏省行政事业性收费项目目录》苏财综〔2020〕1号"

CENTRE_KINDS = (DepartmentKind.SERVICE_CENTRE, DepartmentKind.APPROVAL_BUREAU)
FEES = [
    {"name": "证书工本费", "standard": "每证 10 元", "basis": BASIS},
    {"name": "副本费", "standard": "每份 5 元", "basis": BASIS},
    {"name": "检验费", "standard": "一类 200 元，二类 80 元", "basis": BASIS},
]
FORM = [
    {"code": "applicant_name", "label": "申请人名称"},
    {"code": "credit_code", "label": "统一社会信用代码", "type": "credit_code"},
    {"code": "copies", "label": "副本份数", "type": "number", "decimals": 0, "min_value": 0},
    {"code": "grade", "label": "类别", "type": "select", "options": ["一类", "二类"]},
    {"code": "low_income", "label": "是否低保户", "type": "select", "options": ["是", "否"]},
]


@dataclass
class World:
    item: ServiceItem
    free_item: ServiceItem
    person: Person
    citizen: User
    other_citizen: User
    clerk: User
    reviewer: User
    head: User
    other_head: User  # 赣州: another department
    finance: User  # 财务人员 of 南京市市场监督管理局 only
    other_finance: User  # 财务人员 of 赣州市市场监督管理局 only
    city_finance: User  # 财务人员 of 南京市, every department of the city

    def at(self, days: int = 0, hours: int = 0, minutes: int = 0) -> dt.datetime:
        return T0 + dt.timedelta(days=days, hours=hours, minutes=minutes)


def _staff(username: str, role: str, department: Department, *, restrict: bool = False) -> User:
    user = staff_account_create(username=username, display_name=username, password="Pw-12345678")
    staff_assign(
        user_id=user.pk, role=role, department=department, region_scope=department.region,
        scope_departments=[department] if restrict else (),
    )  # fmt: skip
    return user


def seed() -> World:
    demo_org_load()
    nanjing = Department.objects.get(name="南京市市场监督管理局")
    ganzhou = Department.objects.get(name="赣州市市场监督管理局")
    basic = basic_item_create(
        code="010000000101", name="食品经营许可证核发", item_type="01",
        legal_basis="《中华人民共和国食品安全法》第三十五条", levels="234",
    )  # fmt: skip
    item = guide_load_published(
        basic_item=basic, department=nanjing,
        content=valid_guide(free=False, fees=FEES, form=FORM),
    )  # fmt: skip
    fee_rule_save(
        service_item=item, fee_name="证书工本费", basis=BASIS, rule="fixed", amount_fen=1000
    )
    fee_rule_save(
        service_item=item, fee_name="副本费", basis=BASIS, rule="per_unit", amount_fen=500,
        unit_label="份", form_field="copies",
    )  # fmt: skip
    fee_rule_save(
        service_item=item, fee_name="检验费", basis=BASIS, rule="table", form_field="grade",
        table=[{"value": "一类", "amount_fen": 20000}, {"value": "二类", "amount_fen": 8000}],
        waivers=[{"field": "low_income", "equals": "是", "percent": 100, "label": "低保户免收"}],
    )  # fmt: skip
    free_basic = basic_item_create(
        code="070000000102", name="食品经营许可证遗失补发", item_type="07",
        legal_basis="《食品经营许可和备案管理办法》", levels="234",
    )  # fmt: skip
    free_item = guide_load_published(
        basic_item=free_basic,
        department=nanjing,
        content=valid_guide(name="食品经营许可证遗失补发"),
    )
    person = person_register(name="张伟", id_number="11010519491231002X", phone="13800000001")
    citizen = citizen_signup(
        phone="13800000001", password="Pw-12345678", name="张伟",
        id_number="11010519491231002X", username="zhangwei",
    )  # fmt: skip
    other = citizen_signup(
        phone="13900000002", password="Pw-12345678", name="李娜",
        id_number="320102198503120012", username="lina",
    )  # fmt: skip
    return World(
        item=item,
        free_item=free_item,
        person=person,
        citizen=citizen,
        other_citizen=other,
        clerk=_staff("clerk", Role.WINDOW_CLERK, nanjing),
        reviewer=_staff("reviewer", Role.REVIEWER, nanjing),
        head=_staff("head", Role.DEPARTMENT_HEAD, nanjing),
        other_head=_staff("gz_head", Role.DEPARTMENT_HEAD, ganzhou),
        finance=_staff("finance", Role.FINANCE, nanjing, restrict=True),
        other_finance=_staff("gz_finance", Role.FINANCE, ganzhou, restrict=True),
        # The city's finance staff sit at its service centre, with the whole city in scope.
        city_finance=_staff(
            "nj_city_finance",
            Role.FINANCE,
            Department.objects.filter(region_id="320100", kind__in=CENTRE_KINDS)
            .order_by("pk")
            .get(),
        ),
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        yield seed()


@pytest.fixture(autouse=True)
def _db_for_every_test(db: Any) -> None:
    """Every test runs in its own savepoint."""


PDF = b"%PDF-1.4 test document"


def form(**values: Any) -> dict[str, Any]:
    from tongban.core.identifiers import generate_credit_code

    base = {
        "applicant_name": "张伟",
        "credit_code": generate_credit_code("9132010270000001"),
        "copies": 2,
        "grade": "一类",
        "low_income": "否",
    }
    base.update(values)
    return base


def submit_and_accept(world: World, *, at: int = 0, **values: Any) -> Any:
    """A case of ``world.item`` submitted by 张伟 and accepted by the clerk."""
    from tongban.cases import services
    from tongban.cases.models import MaterialKind
    from tongban.cases.services.intake import MaterialInput

    case = services.case_submit(
        service_item=world.item,
        channel="online",
        applicant_person=world.person,
        form_data=form(**values),
        materials=[
            MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
            MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
        ],
        submitted_by=world.citizen,
        now=world.at(days=at),
    )
    return services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=at, hours=1))
