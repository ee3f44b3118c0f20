"""Writes: departments, halls, windows and staff assignments."""

from __future__ import annotations

import pytest

from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.org.demo import credit_code_for
from tongban.org.models import DepartmentKind, Role, StaffAssignment, WindowKind
from tongban.org.selectors import region_get
from tongban.org.services import (
    department_create,
    hall_create,
    staff_assign,
    staff_unassign,
    window_create,
)
from tongban.org.tests.conftest import make_department, make_user

pytestmark = pytest.mark.django_db


def test_creating_a_department_stores_the_normalised_credit_code_and_audits(regions):
    code = credit_code_for(name="南京市玄武区民政局", region_code="320102")

    department = department_create(
        name="南京市玄武区民政局",
        credit_code=f" {code[:9].lower()}-{code[9:]} ",
        region=region_get("320102"),
    )

    assert department.credit_code == code
    event = AuditEvent.objects.get(action="org.department_create")
    assert event.object_id == str(department.pk)
    assert event.details["credit_code"] == code


@pytest.mark.parametrize(
    "bad",
    [
        "11320102MB1234567",  # 17 characters
        "11320102MB12345670",  # wrong check character
        "25320102MB1234567X",  # 外交 (2) registers no 类别 5 (GB 32100 第 4.1 条)
        "1O320102MB12345670",  # the letter O is excluded by GB 32100
    ],
)
def test_an_invalid_credit_code_is_refused_with_its_code(regions, bad):
    with pytest.raises(DomainError) as caught:
        department_create(name="某局", credit_code=bad, region=region_get("320102"))

    assert caught.value.code == "invalid_credit_code"


def test_a_credit_code_cannot_be_used_by_two_departments(regions):
    first = make_department("320102", "南京市玄武区民政局")

    with pytest.raises(DomainError) as caught:
        department_create(name="另一个局", credit_code=first.credit_code, region=first.region)

    assert caught.value.code == "department_credit_code_taken"


def test_a_parent_department_must_govern_from_the_same_region_or_above(regions):
    county = make_department("320102", "南京市玄武区民政局")

    with pytest.raises(DomainError) as caught:
        department_create(
            name="南京市民政局",
            credit_code=credit_code_for(name="南京市民政局", region_code="320100"),
            region=region_get("320100"),
            parent=county,
        )

    assert caught.value.code == "department_parent_invalid"


def test_a_hall_is_run_by_a_service_centre_or_approval_bureau_only(regions):
    ordinary = make_department("360781", "瑞金市民政局")
    bureau = make_department("360781", "瑞金市行政审批局", DepartmentKind.APPROVAL_BUREAU)

    with pytest.raises(DomainError) as caught:
        hall_create(name="瑞金市政务服务中心", region=region_get("360781"), department=ordinary)
    hall = hall_create(name="瑞金市政务服务中心", region=region_get("360781"), department=bureau)

    assert caught.value.code == "hall_department_invalid"
    assert hall.department == bureau


def test_window_numbers_are_unique_within_a_hall(regions):
    hall = hall_create(name="赣州市政务服务中心", region=region_get("360700"))
    window_create(hall=hall, number="A01", name="综合受理窗口", kind=WindowKind.COMPREHENSIVE)

    with pytest.raises(DomainError) as caught:
        window_create(hall=hall, number="A01", name="出件窗口", kind=WindowKind.DELIVERY)

    assert caught.value.code == "window_number_taken"


def test_a_window_cannot_host_a_department_of_another_county(regions):
    hall = hall_create(name="瑞金市政务服务中心", region=region_get("360781"))
    elsewhere = make_department("360702", "赣州市章贡区民政局")

    with pytest.raises(DomainError) as caught:
        window_create(
            hall=hall,
            number="A01",
            name="综合受理窗口",
            kind="comprehensive",
            departments=[elsewhere],
        )

    assert caught.value.code == "window_department_outside_region"


def test_assigning_the_same_role_twice_updates_one_assignment(regions):
    user = make_user()
    department = make_department("320100", "南京市民政局")

    staff_assign(
        user_id=user.pk,
        role=Role.REVIEWER,
        department=department,
        region_scope=region_get("320100"),
    )
    again = staff_assign(
        user_id=user.pk,
        role=Role.REVIEWER,
        department=department,
        region_scope=region_get("320102"),
    )

    assert StaffAssignment.objects.filter(user=user).count() == 1
    assert again.region_scope_id == "320102"
    assert AuditEvent.objects.filter(action="org.staff_assign").count() == 2


def test_a_scope_cannot_reach_beyond_the_department_region(regions):
    county = make_department("320102", "南京市玄武区民政局")

    with pytest.raises(DomainError) as caught:
        staff_assign(
            user_id=make_user().pk,
            role=Role.WINDOW_CLERK,
            department=county,
            region_scope=region_get("320100"),
        )

    assert caught.value.code == "staff_scope_invalid"


def test_an_unknown_role_or_user_is_refused(regions):
    department = make_department("320102", "南京市玄武区民政局")
    region = region_get("320102")

    with pytest.raises(DomainError) as bad_role:
        staff_assign(
            user_id=make_user().pk, role="janitor", department=department, region_scope=region
        )
    with pytest.raises(DomainError) as no_user:
        staff_assign(user_id=987654, role=Role.HANDLER, department=department, region_scope=region)

    assert bad_role.value.code == "staff_role_invalid"
    assert no_user.value.code == "staff_user_not_found"


def test_unassigning_keeps_the_row_inactive(regions):
    assignment = staff_assign(
        user_id=make_user().pk,
        role=Role.HANDLER,
        department=make_department("320102", "南京市玄武区民政局"),
        region_scope=region_get("320102"),
    )

    staff_unassign(assignment=assignment)

    assert StaffAssignment.objects.get(pk=assignment.pk).active is False
