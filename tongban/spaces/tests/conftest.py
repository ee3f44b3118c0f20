"""A business (法定代表人 张伟, an agent 李娜), a citizen (王芳), a published item and a
clerk of its department; cases are submitted by each."""

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
from tongban.core.identifiers import generate_check_digit_resident, generate_credit_code
from tongban.identity.models import AuthorizationRole, LegalEntity, Person, User
from tongban.identity.services import (
    business_account_create,
    legal_entity_register,
    person_register,
    staff_account_create,
)
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign
from tongban.sharing.demo import demo_business_registered

PASSWORD = "Pw-12345678"
PDF = b"%PDF-1.4 a space test"


def id_number(order: str) -> str:
    first17 = "32010219850312" + order
    return first17 + generate_check_digit_resident(first17)


@dataclass
class Space:
    item: ServiceItem
    clerk: User
    company: LegalEntity
    other_company: LegalEntity
    boss: User
    agent: User
    outsider: User  # a business account of another company
    citizen: User

    def submit(self, *, person: Person, entity: LegalEntity | None = None, by: User) -> Case:
        return case_services.case_submit(
            service_item=self.item,
            channel="online",
            applicant_person=None if entity else person,
            applicant_entity=entity,
            agent_person=person if entity else None,
            form_data={
                "applicant_name": entity.name if entity else person.name,
                "credit_code": entity.credit_code
                if entity
                else generate_credit_code("9132010270000001"),
            },
            materials=[
                MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
                MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
            ],
            submitted_by=by,
            now=clock.now() - dt.timedelta(minutes=5),
        )


def build_space() -> Space:
    demo_org_load()
    nanjing = Department.objects.get(name="南京市市场监督管理局")
    basic = basic_item_create(
        code="010000000101",
        name="食品经营许可证核发",
        item_type="01",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        levels="234",
    )
    item = guide_load_published(basic_item=basic, department=nanjing, content=valid_guide())
    clerk = staff_account_create(username="nj_clerk", display_name="李窗口", password=PASSWORD)
    staff_assign(
        user_id=clerk.pk, role=Role.WINDOW_CLERK, department=nanjing, region_scope=nanjing.region
    )
    zhang = person_register(name="张伟", id_number=id_number("001"), phone="13800000001")
    li = person_register(name="李娜", id_number=id_number("002"), phone="13800000002")
    wang = person_register(name="王芳", id_number=id_number("003"), phone="13800000003")
    zhao = person_register(name="赵强", id_number=id_number("004"), phone="13800000004")
    company = legal_entity_register(
        credit_code=generate_credit_code("9132010070000001"),
        name="南京通办餐饮有限公司",
        legal_representative=zhang,
    )
    other = legal_entity_register(
        credit_code=generate_credit_code("9132010070000002"),
        name="南京另一家餐饮有限公司",
        legal_representative=zhao,
    )
    # Every authorization is checked against the 法人库: both are registered there.
    demo_business_registered(company)
    demo_business_registered(other)
    boss = business_account_create(
        username="tb_boss",
        password=PASSWORD,
        person=zhang,
        legal_entity=company,
        role=AuthorizationRole.LEGAL_REPRESENTATIVE,
    )
    agent = business_account_create(
        username="tb_agent", password=PASSWORD, person=li, legal_entity=company, granted_by=boss
    )
    outsider = business_account_create(
        username="other_boss",
        password=PASSWORD,
        person=zhao,
        legal_entity=other,
        role=AuthorizationRole.LEGAL_REPRESENTATIVE,
    )
    citizen = User.objects.create_user(
        "wangfang", PASSWORD, kind="citizen", display_name="王芳", person=wang
    )
    return Space(item, clerk, company, other, boss, agent, outsider, citizen)


@pytest.fixture
def space(db: Any) -> Space:
    return build_space()
