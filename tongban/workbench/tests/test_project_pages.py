"""The page of an investment project (R-PL-7) in the workbench: the approvals of
the project in the staff member's scope, decided in SQL; a project with nothing
in scope is 404."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.bundles.tests.conftest import world  # noqa: F401  (the module's demo world)
from tongban.bundles.tests.flows import submit_as_business
from tongban.org.models import Department, Role

pytestmark = pytest.mark.django_db


def construction(world):  # noqa: F811
    return submit_as_business(world, "construction-approval")


def test_staff_see_the_projects_approvals_in_their_scope(
    world,  # noqa: F811
    django_assert_max_num_queries,
):
    application = construction(world)
    code = application.project.code
    filing = application.members.get(key="filing").case
    staff = world.staff_of(filing.department, Role.REVIEWER)
    client = Client()
    client.force_login(staff)
    with django_assert_max_num_queries(20):
        answer = client.get(f"/workbench/projects/{code}/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert f'href="/workbench/cases/{filing.case_no}/"' in page
    assert f'href="/workbench/bundles/applications/{application.application_no}/"' in page
    # The application's page links to the project.
    detail = client.get(f"/workbench/bundles/applications/{application.application_no}/")
    assert f'href="/workbench/projects/{code}/"' in detail.content.decode()
    # The desk's look-up goes to the page.
    found = client.get("/workbench/projects/", {"code": code})
    assert found.status_code == 302 and found["Location"] == f"/workbench/projects/{code}/"


def test_a_department_with_no_part_in_the_project_gets_404(world):  # noqa: F811
    application = construction(world)
    # A department outside the project whose grant is restricted to itself, in
    # another city: neither a case, an application nor the region is in scope.
    other = Department.objects.filter(region__code__startswith="3607").first()
    assert other is not None
    client = Client()
    client.force_login(world.staff_of(other, Role.REVIEWER))
    answer = client.get(f"/workbench/projects/{application.project.code}/")
    assert answer.status_code == 404
    assert client.get("/workbench/projects/2411-130202-89-01-637016/").status_code == 404
