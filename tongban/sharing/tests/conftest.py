"""The demo province, accounts and registries, and staff on both sides of sharing.

Seeded once per module inside a transaction rolled back at its end; each test
runs in a savepoint within it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.accounts import demo_people_load
from tests.support.db import rolled_back
from tongban.identity.demo import DEMO_BUSINESSES, DEMO_CITIZENS
from tongban.identity.models import LegalEntity, User
from tongban.identity.services import staff_account_create, system_account_create, token_create
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign
from tongban.sharing import hooks
from tongban.sharing.demo import demo_sharing_load
from tongban.sharing.models import DataResource
from tongban.sharing.services import access_grant_approve, access_grant_request
from tongban.sharing.subjects import SubjectRef

# Mon 2 Nov 2026, 10:00 in Shanghai.
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
ZHANG_WEI, WANG_FANG, LI_NA, LIU_YANG, OUYANG_MING = (c.id_number for c in DEMO_CITIZENS)
TONGBAN_CO, QINHUAI_CO, ORANGE_CO = (b.credit_code for b in DEMO_BUSINESSES)


@dataclass
class World:
    market: Department  # 南京市市场监督管理局: the consumer
    gz_market: Department  # 赣州市市场监督管理局: a consumer elsewhere
    civil: Department  # 江苏省民政厅: provides 婚姻登记信息
    police: Department  # 江苏省公安厅: provides 人口基础信息, 户籍信息
    clerk: User  # 窗口人员 of market
    head: User  # 部门负责人 of market
    gz_head: User  # 部门负责人 of gz_market
    civil_head: User  # 部门负责人 of civil
    police_head: User  # 部门负责人 of police
    supervisor: User  # 监察人员 of market: sees, does not use
    system: User  # a system account with a 承办人员 assignment in market
    citizen: User  # 张伟's account (citizen1)
    business: User  # biz1: 法定代表人 of 南京通办信息科技有限公司
    entity: LegalEntity
    tokens: dict[str, str]

    def resource(self, code: str) -> DataResource:
        return DataResource.objects.get(code=code)

    def bearer(self, user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user.username]}"}

    def grant(
        self,
        code: str,
        fields: list[str],
        *,
        consumer: Department | None = None,
        until: dt.date = dt.date(2027, 12, 31),
    ) -> Any:
        """An approved grant, made through the services (system actor)."""
        grant = access_grant_request(
            resource=self.resource(code), consumer_department=consumer or self.market,
            purpose="办理个体工商户登记时核验", legal_basis="《促进个体工商户发展条例》",
            field_codes=fields, now=T0,
        )  # fmt: skip
        return access_grant_approve(grant=grant, field_codes=fields, valid_until=until, now=T0)


def person(id_number: str) -> SubjectRef:
    return SubjectRef.person(id_number)


def entity(credit_code: str) -> SubjectRef:
    return SubjectRef.entity(credit_code)


def _staff(username: str, role: str, department: Department) -> User:
    user = staff_account_create(username=username, display_name=username, password="Pw-12345678")
    staff_assign(
        user_id=user.pk,
        role=role,
        department=department,
        region_scope=department.region,
        scope_departments=[department],
    )
    return user


def _seed() -> World:
    demo_org_load()
    demo_people_load()
    demo_sharing_load(now=T0)
    market = Department.objects.get(name="南京市市场监督管理局")
    gz_market = Department.objects.get(name="赣州市市场监督管理局")
    civil = Department.objects.get(name="江苏省民政厅")
    police = Department.objects.get(name="江苏省公安厅")
    system = system_account_create(name="market_system", display_name="市场监管业务系统")
    staff_assign(
        user_id=system.pk, role=Role.HANDLER, department=market, region_scope=market.region
    )
    world = World(
        market=market,
        gz_market=gz_market,
        civil=civil,
        police=police,
        clerk=_staff("sh_clerk", Role.WINDOW_CLERK, market),
        head=_staff("sh_head", Role.DEPARTMENT_HEAD, market),
        gz_head=_staff("sh_gz_head", Role.DEPARTMENT_HEAD, gz_market),
        civil_head=_staff("sh_civil_head", Role.DEPARTMENT_HEAD, civil),
        police_head=_staff("sh_police_head", Role.DEPARTMENT_HEAD, police),
        supervisor=_staff("sh_supervisor", Role.SUPERVISOR, market),
        system=system,
        citizen=User.objects.get(username="citizen1"),
        business=User.objects.get(username="biz1"),
        entity=LegalEntity.objects.get(credit_code=TONGBAN_CO),
        tokens={},
    )
    for user in (world.clerk, world.head, world.system, world.citizen, world.business):
        world.tokens[user.username] = token_create(user=user, name="tests", now=T0)[1]
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        yield _seed()


@pytest.fixture(autouse=True)
def _db_for_every_test(db: Any) -> None:
    """Every test runs in its own savepoint (rolled back after it)."""


@pytest.fixture
def no_checker() -> Any:
    """No certificate checker (as without the certificates app); restored afterwards."""
    installed = hooks.certificate_checker()
    hooks.certificate_checker_unregister()
    yield
    hooks.certificate_checker_unregister()
    if installed is not None:
        hooks.certificate_checker_register(installed)
