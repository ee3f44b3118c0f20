"""A department with a published item, a citizen's cases, a clerk, and two
registered department systems (南京 and 赣州 market regulators)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.sms import sms  # noqa: F401  (the recording SMS gateway fixture)
from tongban.cases import services as case_services
from tongban.cases.models import Case, MaterialKind
from tongban.cases.services.intake import MaterialInput
from tongban.catalog.models import ServiceItem
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core import clock
from tongban.core.identifiers import generate_credit_code
from tongban.identity.models import Person, User
from tongban.identity.services import person_register, staff_account_create, token_create
from tongban.integration.models import DepartmentSystem
from tongban.integration.services import department_system_register
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign

PDF = b"%PDF-1.4 a department system test"


@dataclass
class World:
    item: ServiceItem
    ganzhou_item: ServiceItem
    person: Person
    clerk: User
    system: DepartmentSystem
    other_system: DepartmentSystem
    tokens: dict[str, str]

    def bearer(self, user: User) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[user.username]}"}

    def submit(self, *, item: ServiceItem | None = None, minutes_ago: int = 5) -> Case:
        return case_services.case_submit(
            service_item=item or self.item,
            channel="online",
            applicant_person=self.person,
            form_data={
                "applicant_name": "张伟",
                "credit_code": generate_credit_code("9132010270000001"),
            },
            materials=[
                MaterialInput(
                    code="application",
                    kind=MaterialKind.UPLOAD,
                    content=PDF,
                    file_name="申请书.pdf",
                ),
                MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
            ],
            now=clock.now() - dt.timedelta(minutes=minutes_ago),
        )


def build_world() -> World:
    demo_org_load()
    nanjing = Department.objects.get(name="南京市市场监督管理局")
    ganzhou = Department.objects.get(name="赣州市市场监督管理局")
    basic = basic_item_create(
        code="010000000101",
        name="食品经营许可证核发",
        item_type="01",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        levels="234",
    )
    item = guide_load_published(basic_item=basic, department=nanjing, content=valid_guide())
    ganzhou_item = guide_load_published(
        basic_item=basic,
        department=ganzhou,
        content=valid_guide(address="赣州市章贡区长征大道 1 号", halls=["赣州市民中心"]),
    )
    person = person_register(name="张伟", id_number="11010519491231002X", phone="13800000001")
    clerk = staff_account_create(username="nj_clerk", display_name="李窗口", password="Pw-12345678")
    staff_assign(
        user_id=clerk.pk, role=Role.WINDOW_CLERK, department=nanjing, region_scope=nanjing.region
    )
    system = department_system_register(
        name="南京市食品经营许可审批系统", username="nj_food_system", department=nanjing
    )
    other = department_system_register(
        name="赣州市市场监管业务系统", username="gz_market_system", department=ganzhou
    )
    tokens = {
        u.username: token_create(user=u, name="测试")[1] for u in (system.user, other.user, clerk)
    }
    return World(item, ganzhou_item, person, clerk, system, other, tokens)


@pytest.fixture
def world(db: Any) -> World:
    return build_world()
