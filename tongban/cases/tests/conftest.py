"""A published service item in 南京市 and applicants, for the case tests."""

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
from tongban.identity.services import person_register, staff_account_create
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign

# Mon 2 Nov 2026, 10:00 in Shanghai.
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


@dataclass
class World:
    item: ServiceItem
    immediate: ServiceItem
    person: Person
    clerk: User
    reviewer: User
    head: User
    other_clerk: User

    def at(self, days: int = 0, hours: int = 0) -> dt.datetime:
        return T0 + dt.timedelta(days=days, hours=hours)


def _staff(username: str, role: str, department: Department) -> User:
    user = staff_account_create(username=username, display_name=username, password="Pw-12345678")
    staff_assign(user_id=user.pk, role=role, department=department, region_scope=department.region)
    return user


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Seeded once per module inside a transaction rolled back at its end; each
    test runs in a savepoint within it (tests still ask for ``db``)."""
    with rolled_back(django_db_blocker):
        yield _seed()


@pytest.fixture(autouse=True)
def _db_for_every_test(db: Any) -> None:
    """Every case test runs in its own savepoint (rolled back after it)."""


def _seed() -> World:
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
    quick = basic_item_create(
        code="070000000102",
        name="食品经营许可证遗失补发",
        item_type="07",
        legal_basis="《食品经营许可和备案管理办法》",
        levels="234",
    )
    immediate = guide_load_published(
        basic_item=quick,
        department=nanjing,
        content=valid_guide(
            name="食品经营许可证遗失补发",
            handling="immediate",
            promised_limit={"value": 0, "unit": "working_days"},
            steps=[{"name": "受理并办结", "role": "窗口人员", "share_percent": 100}],
            modes=["on_the_spot"],
        ),
    )
    person = person_register(name="张伟", id_number="11010519491231002X", phone="13800000001")
    return World(
        item=item,
        immediate=immediate,
        person=person,
        clerk=_staff("clerk", Role.WINDOW_CLERK, nanjing),
        reviewer=_staff("reviewer", Role.REVIEWER, nanjing),
        head=_staff("head", Role.DEPARTMENT_HEAD, nanjing),
        other_clerk=_staff("gz_clerk", Role.WINDOW_CLERK, ganzhou),
    )


# --- accounts for the selector and API tests ---------------------------------


@dataclass
class Accounts:
    """Applicant accounts beside the world's staff, and bearer tokens by username."""

    citizen: User  # world.person's own account
    other_citizen: User
    business: User  # agent (world.person) authorized for ``entity``
    entity: Any  # identity.LegalEntity
    supervisor: User  # 监察人员 of 南京市市场监督管理局: looks, does not act
    tokens: dict[str, str]

    def bearer(self, user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user.username]}"}


def _seed_accounts(world: World) -> Accounts:
    from tongban.core.identifiers import generate_credit_code
    from tongban.identity.models import AuthorizationRole
    from tongban.identity.services import (
        business_account_create,
        citizen_signup,
        legal_entity_register,
        token_create,
    )
    from tongban.sharing.demo import demo_business_registered

    citizen = citizen_signup(
        phone="13800000001",
        password="Pw-12345678",
        name="张伟",
        id_number="11010519491231002X",
        username="zhangwei",
    )
    other = citizen_signup(
        phone="13900000002",
        password="Pw-12345678",
        name="李娜",
        id_number="320102198503120012",
        username="lina",
    )
    entity = legal_entity_register(
        credit_code=generate_credit_code("9132010270000001"),
        name="南京张记餐饮有限公司",
        legal_representative=world.person,
    )
    demo_business_registered(entity)  # every authorization is checked against the 法人库
    business = business_account_create(
        username="zhangji",
        password="Pw-12345678",
        person=world.person,
        legal_entity=entity,
        role=AuthorizationRole.LEGAL_REPRESENTATIVE,
    )
    nanjing = Department.objects.get(name="南京市市场监督管理局")
    supervisor = _staff("supervisor", Role.SUPERVISOR, nanjing)
    tokens = {
        user.username: token_create(user=user, name="tests")[1]
        for user in (
            world.clerk,
            world.reviewer,
            world.head,
            world.other_clerk,
            supervisor,
            citizen,
            other,
            business,
        )
    }
    return Accounts(
        citizen=citizen,
        other_citizen=other,
        business=business,
        entity=entity,
        supervisor=supervisor,
        tokens=tokens,
    )


@pytest.fixture(scope="module")
def accounts(world: World, django_db_blocker: Any) -> Accounts:
    """Created inside the module's ``world`` transaction, rolled back with it."""
    with django_db_blocker.unblock():
        return _seed_accounts(world)
