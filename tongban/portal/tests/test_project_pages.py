"""The page of an investment project (R-PL-7) in the portal: every approval of
the project under its code with its status and clock; the owner can open each."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tongban.bundles.models import BundleApplication
from tongban.bundles.tests.conftest import world  # noqa: F401  (the module's demo world)
from tongban.bundles.tests.flows import submit_as_business
from tongban.identity.models import AuthorizationRole
from tongban.identity.services import business_account_create

pytestmark = pytest.mark.django_db


def construction(world) -> BundleApplication:  # noqa: F811
    """工程建设项目审批 for the world's business; the project is registered from the form."""
    return submit_as_business(world, "construction-approval", project_name="通办智能制造产业园项目")


@pytest.fixture
def owner(world) -> Any:  # noqa: F811
    return business_account_create(
        username="tongbanbiz", password="Pw-12345678", person=world.agent,
        legal_entity=world.entity, role=AuthorizationRole.AGENT,
    )  # fmt: skip


def test_the_public_sees_the_stage_and_counts_but_no_number_or_clock(
    world,  # noqa: F811
    django_assert_max_num_queries,
):
    application = construction(world)
    project = application.project
    assert project is not None
    filing = application.members.get(key="filing").case
    assert filing is not None
    with django_assert_max_num_queries(12):
        answer = Client().get(f"/projects/{project.code}/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "通办智能制造产业园项目" in page and project.code in page
    assert "审批进度：审批办理中" in page
    total = application.members.exclude(case=None).count()
    assert f"共有审批办件 <strong>{total}</strong> 件" in page
    assert f"收件受理：<strong>{total}</strong> 件" in page
    assert "工程建设项目审批" in page and filing.service_item.name in page
    assert filing.department.name in page
    # Neither the case or application numbers, nor the clock, nor a link.
    assert filing.case_no not in page and application.application_no not in page
    assert filing.tracking_code not in page
    assert "受理期限" not in page and "剩余工作日" not in page
    assert "/my/cases/" not in page and "/my/bundles/" not in page
    # A signed-in account that does not act for the owner sees the same.
    stranger = Client()
    stranger.force_login(world.staff_of(filing.department))
    other = stranger.get(f"/projects/{project.code}/").content.decode()
    assert filing.case_no not in other and application.application_no not in other


def test_the_owner_sees_each_approval_with_its_number_and_clock(world, owner):  # noqa: F811
    application = construction(world)
    client = Client()
    client.force_login(owner)
    project = application.project
    filing = application.members.get(key="filing").case
    assert project is not None and filing is not None
    page = client.get(f"/projects/{project.code}/").content.decode()
    assert filing.case_no in page and application.application_no in page
    assert "受理期限" in page  # the filing case waits for acceptance, with its clock


def test_the_owner_opens_each_case_and_application_from_the_project_page(
    world,  # noqa: F811
    owner,
):
    application = construction(world)
    client = Client()
    client.force_login(owner)
    project = application.project
    filing = application.members.get(key="filing").case
    assert project is not None and filing is not None
    page = client.get(f"/projects/{project.code}/").content.decode()
    assert f'href="/my/cases/{filing.case_no}/"' in page
    assert f'href="/my/bundles/{application.application_no}/"' in page
    # The project code on the application's page leads to the project.
    mine = client.get(f"/my/bundles/{application.application_no}/").content.decode()
    assert f'href="/projects/{project.code}/"' in mine


def test_a_code_with_a_wrong_check_or_unknown_is_not_found(world):  # noqa: F811
    client = Client()
    assert client.get("/projects/2411-130202-89-01-637016/").status_code == 404
    assert client.get("/projects/2411-130202-89-01-637015/").status_code == 404


def test_a_project_in_a_zone_shows_the_zones_assessments_with_their_validity(world):  # noqa: F811
    from tongban.bundles.models import InvestmentProject, RegionalAssessment

    # The demo's project in 玄武高新技术产业开发区（演示）, assessed 2024–2028.
    project = InvestmentProject.objects.get(name="通办智能制造产业园一期（演示）")
    assert project.zone is not None
    records = RegionalAssessment.objects.filter(zone=project.zone)
    assert records.exists()
    page = Client().get(f"/projects/{project.code}/").content.decode()
    assert "区域评估成果" in page and project.zone.name in page
    for record in records:
        assert record.document_no in page and record.get_kind_display() in page
    assert page.count('badge badge-exempt">有效') == records.count()
    # A project outside a zone has no such section.
    outside = construction(world)
    assert outside.project is not None and outside.project.zone_id is None
    assert (
        "data-zone-assessments"
        not in Client().get(f"/projects/{outside.project.code}/").content.decode()
    )
