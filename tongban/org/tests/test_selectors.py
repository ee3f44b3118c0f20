"""The staff data scope: region subtrees and department restrictions, in SQL."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tongban.org.models import Department, Hall, Role
from tongban.org.selectors import department_list_for_staff, region_get, scope_q, staff_scope_for
from tongban.org.services import hall_create, staff_assign, staff_unassign
from tongban.org.tests.conftest import make_department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_counties(regions):
    """Two sibling districts of 南京市 and the city above them, two departments each."""
    return {
        "city": make_department("320100", "南京市民政局"),
        "xuanwu_civil": make_department("320102", "南京市玄武区民政局"),
        "xuanwu_market": make_department("320102", "南京市玄武区市场监督管理局"),
        "jiangning_civil": make_department("320115", "南京市江宁区民政局"),
        "jiangning_market": make_department("320115", "南京市江宁区市场监督管理局"),
    }


def _assign(user, department, scope_code, scope_departments=()):
    return staff_assign(
        user_id=user.pk,
        role=Role.WINDOW_CLERK,
        department=department,
        region_scope=region_get(scope_code),
        scope_departments=list(scope_departments),
    )


def _visible(user) -> set[str]:
    return {d.name for d in department_list_for_staff(user)}


def test_a_county_clerk_sees_the_county_and_not_the_sibling_county(two_counties):
    clerk = make_user()
    _assign(clerk, two_counties["xuanwu_civil"], "320102")

    assert _visible(clerk) == {"南京市玄武区民政局", "南京市玄武区市场监督管理局"}


def test_a_department_restricted_clerk_sees_only_those_departments(two_counties):
    clerk = make_user()
    _assign(clerk, two_counties["xuanwu_civil"], "320102", [two_counties["xuanwu_civil"]])

    assert _visible(clerk) == {"南京市玄武区民政局"}


def test_a_city_scope_covers_every_county_beneath_it(two_counties):
    reviewer = make_user()
    _assign(reviewer, two_counties["city"], "320100")

    assert len(_visible(reviewer)) == 5


def test_each_assignment_keeps_its_own_department_restriction(two_counties):
    # Restricted in 江宁, unrestricted in 玄武: the restriction must not leak across.
    user = make_user()
    _assign(user, two_counties["xuanwu_civil"], "320102")
    _assign(user, two_counties["jiangning_civil"], "320115", [two_counties["jiangning_civil"]])

    assert _visible(user) == {
        "南京市玄武区民政局",
        "南京市玄武区市场监督管理局",
        "南京市江宁区民政局",
    }
    assert staff_scope_for(user=user).department_ids is None


def test_scope_q_filters_rows_of_other_apps_by_their_region_and_department(two_counties):
    clerk = make_user()
    _assign(clerk, two_counties["xuanwu_civil"], "320102", [two_counties["xuanwu_civil"]])
    hall_create(name="南京市玄武区政务服务中心", region=region_get("320102"))
    hall_create(name="南京市江宁区政务服务中心", region=region_get("320115"))
    scope = staff_scope_for(user=clerk)

    by_region = Hall.objects.filter(
        scope_q(scope=scope, region_path_field="region__path", department_field=None)
    )
    by_department = Department.objects.filter(
        scope_q(scope=scope, region_path_field="region__path", department_field="pk")
    )

    # A hall belongs to no department, so a department-restricted grant does not reach it.
    assert list(by_region) == []
    assert [d.name for d in by_department] == ["南京市玄武区民政局"]


def test_staff_without_assignments_and_anonymous_users_see_nothing(two_counties):
    assert _visible(make_user()) == set()
    assert _visible(AnonymousUser()) == set()


def test_inactive_assignments_grant_nothing(two_counties):
    clerk = make_user()
    staff_unassign(assignment=_assign(clerk, two_counties["xuanwu_civil"], "320102"))

    assert _visible(clerk) == set()


def test_the_department_list_takes_two_queries_however_many_rows(
    two_counties, django_assert_num_queries
):
    reviewer = make_user()
    _assign(reviewer, two_counties["city"], "320100", [two_counties["city"]])
    _assign(reviewer, two_counties["xuanwu_civil"], "320102")

    # assignments with their department restrictions, then the list with its regions
    with django_assert_num_queries(2):
        rows = [(d.name, d.region.name) for d in department_list_for_staff(reviewer)]

    assert len(rows) == 3
