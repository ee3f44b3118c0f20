"""应进必进: per department, catalogue items without a case in the period and cases
registered on the platform only after their decision (补录)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.support.db import rolled_back
from tongban.appointments import standard_selectors
from tongban.cases import services as case_services
from tongban.cases.models import Case, MaterialKind
from tongban.cases.services.intake import MaterialInput
from tongban.cases.tests.conftest import T0, _seed, _seed_accounts
from tongban.catalog.models import ServiceItem
from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_credit_code
from tongban.org.models import Department

PDF = b"%PDF-1.4 test document"
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture(scope="module")
def cw(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        world = _seed()
        yield world, _seed_accounts(world)


def concluded(world: Any, at: dt.datetime) -> Case:
    case = case_services.case_submit(
        service_item=world.immediate,
        channel="online",
        applicant_person=world.person,
        form_data={
            "applicant_name": "张伟",
            "credit_code": generate_credit_code("9132010270000001"),
        },
        materials=[
            MaterialInput(
                code="application", kind=MaterialKind.UPLOAD, content=PDF, file_name="申请书.pdf"
            ),
            MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
        ],
        now=at,
    )
    return case_services.case_handle_immediately(
        case_id=case.pk,
        actor=world.clerk,
        outcome="granted",
        reason="当场办结",
        legal_basis="《食品经营许可和备案管理办法》",
        now=at + dt.timedelta(hours=1),
    )


def _row(rows: list[Any], name: str) -> Any:
    return next(r for r in rows if r.department.name == name)


def test_items_without_cases_and_cases_registered_after_their_decision(
    cw: Any, django_assert_max_num_queries: Any
) -> None:
    world, accounts = cw
    nanjing = Department.objects.get(name="南京市市场监督管理局")
    items = ServiceItem.objects.filter(department=nanjing, status="active").count()
    assert items >= 2
    concluded(world, T0)
    backfilled = concluded(world, T0 + dt.timedelta(days=1))
    # Entered on the platform two days after it was decided (a case handled offline).
    Case.objects.filter(pk=backfilled.pk).update(created_at=T0 + dt.timedelta(days=3))
    with django_assert_max_num_queries(6):
        rows = standard_selectors.presence_by_department(
            staff=accounts.supervisor, start=NOV[0], end=NOV[1]
        )
    row = _row(rows, "南京市市场监督管理局")
    assert (row.items, row.idle_items, row.cases, row.late_cases) == (items, items - 1, 2, 1)
    december = standard_selectors.presence_by_department(
        staff=accounts.supervisor, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31)
    )
    row = _row(december, "南京市市场监督管理局")
    assert (row.idle_items, row.cases, row.late_cases) == (items, 0, 0)


def test_the_figure_is_scoped_to_the_staff_members_departments(cw: Any) -> None:
    world, accounts = cw
    names = {
        r.department.name
        for r in standard_selectors.presence_by_department(
            staff=accounts.supervisor, start=NOV[0], end=NOV[1]
        )
    }
    assert "南京市市场监督管理局" in names and "赣州市市场监督管理局" not in names
    # A window clerk holds no board role: nothing.
    assert (
        standard_selectors.presence_by_department(staff=world.clerk, start=NOV[0], end=NOV[1]) == []
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2026, 11, 30), dt.date(2026, 11, 1)),
        (dt.date(2025, 1, 1), dt.date(2026, 11, 30)),
    ],
)
def test_a_bad_period_is_refused(start: dt.date, end: dt.date) -> None:
    with pytest.raises(DomainError) as refused:
        standard_selectors.presence_period(start, end)
    assert refused.value.code == "presence_period_invalid"
