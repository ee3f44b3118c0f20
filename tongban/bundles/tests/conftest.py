"""The demo bundles on their real member guides, applicants and staff, seeded once
per module in a transaction rolled back at its end (as the case tests do)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.db import rolled_back
from tongban.bundles.demo import demo_bundles_load, demo_data
from tongban.bundles.models import Bundle
from tongban.catalog.demo import demo_catalog_items, guide_for
from tongban.catalog.models import BasicItem
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.core.identifiers import generate_credit_code
from tongban.identity.models import LegalEntity, Person, User
from tongban.identity.services import (
    legal_entity_register,
    person_register,
    staff_account_create,
)
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Hall, Role
from tongban.org.selectors import region_get
from tongban.org.services import staff_assign
from tongban.sharing.demo import demo_business_registered

# Mon 2 Nov 2026, 10:00 in Shanghai.
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n% bundle test\n"


def pdf(text: str = "") -> bytes:
    return PDF + text.encode("utf-8")


def load_member_items() -> None:
    """The demo catalogue's items that the demo bundles use, in the regions of
    their chain (a tenth of the whole demo catalogue)."""
    data = demo_data()
    chain = {str(c) for c in data["chain"]}
    codes = {str(m["item"]) for b in data["bundles"] for m in b["members"]}
    halls = {hall.region_id: hall for hall in Hall.objects.order_by("pk")}
    for item in demo_catalog_items():
        if item["code"] not in codes:
            continue
        basic = BasicItem.objects.filter(code=item["code"]).first() or basic_item_create(
            code=item["code"],
            name=item["name"],
            item_type=str(item["type"]),
            legal_basis=item["basis"].strip(),
            levels=str(item["levels"]),
        )
        for region_code, short_name in (item.get("at") or {}).items():
            if str(region_code) not in chain:
                continue
            department = Department.objects.get(region_id=str(region_code), short_name=short_name)
            content = guide_for(item, department, halls.get(department.region_id))
            guide_load_published(basic_item=basic, department=department, content=content)


@dataclass
class World:
    bundles: dict[str, Bundle]
    founder: Person  # 张伟: founds a business, has a baby
    entity: LegalEntity  # an existing business
    agent: Person

    def at(self, days: int = 0, hours: int = 0) -> dt.datetime:
        return T0 + dt.timedelta(days=days, hours=hours)

    def staff_of(self, department: Department, role: str = Role.WINDOW_CLERK) -> User:
        """A staff user of ``department`` in ``role``, scoped to the department (made
        in the test's own savepoint the first time a test asks)."""
        name = f"s{department.pk}_{role}"
        user = User.objects.filter(username=name).first()
        if user is None:
            user = staff_account_create(username=name, display_name=name, password="Pw-12345678")
            staff_assign(
                user_id=user.pk,
                role=role,
                department=department,
                region_scope=department.region,
                scope_departments=[department],
            )
        return user


def seed() -> World:
    demo_org_load()
    load_member_items()
    founder = person_register(name="张伟", id_number="320102198503120012", phone="13800000001")
    agent = person_register(name="李娜", id_number="320106197811050045", phone="13800000003")
    entity = legal_entity_register(
        credit_code=generate_credit_code("9132010270000001"),
        name="南京通办信息科技有限公司",
        legal_representative=founder,
    )
    demo_business_registered(entity)  # every authorization is checked against the 法人库
    demo_bundles_load()
    return World(
        bundles={b.code: b for b in Bundle.objects.all()},
        founder=founder,
        entity=entity,
        agent=agent,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        yield seed()


@pytest.fixture
def xuanwu() -> Any:
    return region_get("320102")
