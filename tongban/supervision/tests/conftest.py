"""The case world of ``cases/tests`` plus a 赣州 item and supervisors, seeded once
per module (rolled back at its end); each test runs in a savepoint within it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.db import rolled_back
from tongban.cases import services
from tongban.cases.models import Case, MaterialKind
from tongban.cases.services.intake import MaterialInput
from tongban.cases.tests.conftest import T0, World, _seed, _staff
from tongban.catalog.models import ServiceItem
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.identity.models import User
from tongban.org.models import Department, Role

PDF = b"%PDF-1.4 test document"


@dataclass
class SupervisionWorld:
    cases: World
    gz_item: ServiceItem
    supervisor: User  # 南京市, every department
    gz_supervisor: User  # 赣州市

    def at(self, days: int = 0, hours: int = 0) -> dt.datetime:
        return T0 + dt.timedelta(days=days, hours=hours)

    def submit(
        self,
        *,
        item: ServiceItem | None = None,
        at: dt.datetime | None = None,
        deferred: bool = False,
    ) -> Case:
        from tongban.core.identifiers import generate_credit_code

        materials = [
            MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
        ]
        if not deferred:
            materials.append(MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF))
        return services.case_submit(
            service_item=item or self.cases.item,
            channel="online",
            applicant_person=self.cases.person,
            form_data={
                "applicant_name": "张伟",
                "credit_code": generate_credit_code("9132010270000001"),
            },
            materials=materials,
            now=at or self.at(),
        )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        yield _seed_supervision()


@pytest.fixture(autouse=True)
def _db_for_every_test(db: Any) -> None:
    """Every test runs in its own savepoint (rolled back after it)."""


def _seed_supervision() -> SupervisionWorld:
    base = _seed()
    nanjing_centre = Department.objects.get(name="南京市政务服务管理办公室")
    ganzhou = Department.objects.get(name="赣州市市场监督管理局")
    basic = basic_item_create(
        code="010000000103",
        name="食品生产许可证核发",
        item_type="01",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        levels="234",
    )
    gz_item = guide_load_published(
        basic_item=basic, department=ganzhou, content=valid_guide(name="食品生产许可证核发")
    )
    return SupervisionWorld(
        cases=base,
        gz_item=gz_item,
        supervisor=_staff("nj_supervisor", Role.SUPERVISOR, nanjing_centre),
        gz_supervisor=_staff("gz_supervisor", Role.SUPERVISOR, ganzhou),
    )
