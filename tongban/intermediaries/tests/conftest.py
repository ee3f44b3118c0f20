"""A marketplace world: service types, five agencies, a business buyer, the centre's staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.db import rolled_back
from tongban.identity.models import LegalEntity, Person, User
from tongban.identity.services import (
    business_account_create,
    legal_entity_register,
    person_register,
    staff_account_create,
)
from tongban.intermediaries.models import Agency, ServiceType
from tongban.intermediaries.services import (
    agency_qualification_add,
    agency_register,
    agency_service_publish,
    service_type_save,
)
from tongban.org.demo import credit_code_for, demo_org_load
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign
from tongban.sharing.demo import demo_business_registered

# Mon 2 Nov 2026, 10:00 in Shanghai (02:00 UTC): an ordinary working week.
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
CLOSES = T0 + dt.timedelta(days=3)  # Thu 5 Nov
PASSWORD = "Pw-12345678"


@dataclass
class World:
    eia: ServiceType  # 环评
    survey: ServiceType  # 测绘
    agencies: list[Agency]  # a0..a4: all offer 环评; a0, a1, a2 hold 环评甲级
    agency_users: list[User]
    buyer: User
    buyer_entity: LegalEntity
    centre: User  # 南京市政务办, platform admin for 南京市
    person: Person


def _entity(name: str, person: Person, region: str = "320100") -> LegalEntity:
    code = credit_code_for(name=name, region_code=region, registrar="91")
    entity = legal_entity_register(credit_code=code, name=name, legal_representative=person, now=T0)
    demo_business_registered(entity)  # every authorization is checked against the 法人库
    return entity


def _seed() -> World:
    demo_org_load()
    eia = service_type_save(code="eia", name="环境影响评价", approval_items=["环评"])
    survey = service_type_save(code="survey", name="测绘", approval_items=["测绘成果审核"])
    person = person_register(name="张伟", id_number="11010519491231002X", phone="13800000001")
    agencies, users = [], []
    names = [
        "苏环评咨询有限公司",
        "金陵环境科技有限公司",
        "钟山生态评价有限公司",
        "赣南环保服务有限公司",
        "玄武测绘院有限公司",
    ]
    for i, name in enumerate(names):
        region = "360700" if i == 3 else "320100"
        entity = _entity(name, person, region)
        user = business_account_create(
            username=f"agency{i}", password=PASSWORD, person=person, legal_entity=entity, now=T0
        )
        agency = agency_register(
            legal_entity=entity, contact_name="李经理", contact_phone=f"1390000000{i}", now=T0
        )
        agency_service_publish(
            agency=agency,
            service_type_code="eia",
            fee_basis="市场调节价",
            fee_min_fen=1_000_000,
            fee_max_fen=20_000_000,
            now=T0,
        )
        if i < 3:
            agency_qualification_add(agency=agency, name="环评甲级", number=f"HP-{i}", now=T0)
        agencies.append(agency)
        users.append(user)
    buyer_entity = _entity("南京新港开发有限公司", person)
    buyer = business_account_create(
        username="buyer", password=PASSWORD, person=person, legal_entity=buyer_entity, now=T0
    )
    centre_dept = Department.objects.get(name="南京市政务服务管理办公室")
    centre = staff_account_create(username="centre", display_name="周敏", password=PASSWORD)
    staff_assign(
        user_id=centre.pk,
        role=Role.PLATFORM_ADMIN,
        department=centre_dept,
        region_scope=centre_dept.region,
    )
    return World(eia, survey, agencies, users, buyer, buyer_entity, centre, person)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        yield _seed()


@pytest.fixture(autouse=True)
def _db_for_every_test(db: Any) -> None:
    """Every test runs in its own savepoint (rolled back after it)."""
