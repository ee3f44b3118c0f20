"""The demo organisations load once, validly, and again without change."""

from __future__ import annotations

import pytest

from tongban.core.identifiers import validate_credit_code
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, DepartmentKind, Hall, Window

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent_and_every_credit_code_is_valid():
    first = demo_org_load()
    codes = dict(Department.objects.values_list("name", "credit_code"))

    second = demo_org_load()

    assert first["departments_created"] == first["departments"] == Department.objects.count()
    assert second["departments_created"] == second["windows_created"] == 0
    assert dict(Department.objects.values_list("name", "credit_code")) == codes
    assert all(validate_credit_code(code) == code for code in codes.values())
    assert first["halls"] == Hall.objects.count() == 6  # 2 cities, 4 counties
    assert 3 * 6 <= Window.objects.count() <= 5 * 6


def test_demo_has_the_22_provincial_bodies_and_a_hall_runner_per_city_and_county():
    demo_org_load()

    assert Department.objects.filter(region_id="320000").count() == 22
    power = Department.objects.get(short_name="省电力公司")
    assert power.kind == DepartmentKind.PUBLIC_ENTERPRISE
    assert power.credit_code[:2] == "91"  # GB 32100: 工商 / 企业
    for hall in Hall.objects.select_related("department"):
        assert hall.department is not None
        runner_kinds = {DepartmentKind.SERVICE_CENTRE, DepartmentKind.APPROVAL_BUREAU}
        assert hall.department.kind in runner_kinds
