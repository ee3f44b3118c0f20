"""联合办理 in the workbench (R-CS-9): the lead and cooperating departments
schedule a joint procedure, each signs its own opinion, the organiser forms
the one combined opinion; and 区域评估 is recorded for a zone on its page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tongban.bundles.models import (
    BundleApplication,
    JointProcedure,
    MemberStatus,
    RegionalAssessment,
)
from tongban.bundles.services.progress import application_sync
from tongban.bundles.tests.conftest import world  # noqa: F401  (the module's demo world)
from tongban.bundles.tests.flows import grant_running, submit_as_business
from tongban.cases.models import CaseStatus
from tongban.org.models import Department, Role

pytestmark = pytest.mark.django_db


def at_the_connections(world: Any) -> BundleApplication:  # noqa: F811
    """工程建设项目审批 granted up to 规划许可: 施工许可 and 水、电、气 run in parallel."""
    application = submit_as_business(world, "construction-approval")
    for hour in range(1, 8):
        running = {m.key for m in application.members.filter(status=MemberStatus.RUNNING)}
        if {"water", "power", "gas"} <= running:
            return application
        grant_running(world, application, world.at(hours=hour))
        application_sync(application_id=application.pk, now=world.at(hours=hour))
    raise AssertionError("the connections never ran")


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_departments_schedule_sign_and_form_one_joint_opinion(world):  # noqa: F811
    application = at_the_connections(world)
    members = {m.key: m for m in application.members.select_related("department")}
    lead = application.bundle.lead_departments.get()
    url = f"/workbench/bundles/applications/{application.application_no}/joint/"
    organiser = logged_in(world.staff_of(lead, Role.REVIEWER))
    page = organiser.get(url)
    assert page.status_code == 200
    assert "安排联合办理" in page.content.decode()

    # One department alone is not a joint procedure: refused on the form.
    one = {"action": "schedule", "kind": "site_inspection", "place": "园区", "members": ["water"],
           "scheduled_at": "2026-11-20T09:30", "suspends_clocks": "on"}  # fmt: skip
    refused = organiser.post(url, one)
    assert refused.status_code == 422 and "两个以上部门" in refused.content.decode()
    assert not JointProcedure.objects.filter(application=application).exists()

    body = {**one, "members": ["water", "power", "gas"], "title": "水电气接入联合踏勘"}
    assert organiser.post(url, body).status_code == 302
    procedure = JointProcedure.objects.get(application=application)
    assert procedure.organiser == lead
    assert procedure.scheduled_at.isoformat() == "2026-11-20T01:30:00+00:00"  # 09:30 Shanghai
    parts = {p.department_id: p for p in procedure.participants.all()}
    water, power = members["water"].department, members["power"].department
    assert {water.pk, power.pk, members["gas"].department_id} == set(parts)

    # Each department signs its own opinion, and only its own.
    water_desk = logged_in(world.staff_of(water, Role.REVIEWER))
    shown = water_desk.get(url).content.decode()
    assert f'value="o{procedure.pk}-{water.pk}"' in shown
    assert f'value="o{procedure.pk}-{power.pk}"' not in shown
    prefix = f"o{procedure.pk}-{power.pk}"
    forged = water_desk.post(url, {"action": "opinion", "prefix": prefix,
                                   f"{prefix}-procedure": procedure.pk,
                                   f"{prefix}-department": power.pk,
                                   f"{prefix}-result": "agree"})  # fmt: skip
    assert forged.status_code == 422 and "不能代表该部门" in forged.content.decode()

    def sign(department: Department, result: str, opinion: str = "") -> Any:
        p = f"o{procedure.pk}-{department.pk}"
        client = logged_in(world.staff_of(department, Role.REVIEWER))
        return client.post(url, {"action": "opinion", "prefix": p, f"{p}-procedure": procedure.pk,
                                 f"{p}-department": department.pk, f"{p}-result": result,
                                 f"{p}-opinion": opinion})  # fmt: skip

    assert sign(water, "conditions").status_code == 422  # conditions need words
    assert sign(water, "conditions", "接水点移至东侧").status_code == 302
    others = [p.department for p in procedure.participants.select_related("department")
              if p.department_id != water.pk]  # fmt: skip
    assert others
    for department in others[:-1]:
        assert sign(department, "agree").status_code == 302

    # Not all have signed: the organiser cannot conclude yet.
    c = f"c{procedure.pk}"
    early = organiser.post(url, {"action": "conclude", "prefix": c, f"{c}-procedure": procedure.pk})
    assert early.status_code == 422 and "尚有部门未签署意见" in early.content.decode()
    assert sign(others[-1], "agree").status_code == 302
    done = organiser.post(url, {"action": "conclude", "prefix": c, f"{c}-procedure": procedure.pk})
    assert done.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.status, procedure.outcome) == ("concluded", "conditions")
    final = organiser.get(url).content.decode()
    assert "联合意见：有条件同意" in final and "接水点移至东侧" in final
    # The suspended connection cases resumed with the opinion.
    for key in ("water", "power", "gas"):
        case = members[key].case
        assert case is not None
        case.refresh_from_db()
        assert case.status != CaseStatus.SUSPENDED

    # A department outside the application does not find it.
    police = Department.objects.get(name="南京市公安局玄武分局")
    assert logged_in(world.staff_of(police, Role.REVIEWER)).get(url).status_code == 404


def test_a_zones_assessment_is_recorded_on_its_page(world):  # noqa: F811
    from tongban.bundles.models import DevelopmentZone

    zone = DevelopmentZone.objects.get(name="玄武高新技术产业开发区（演示）")
    department = Department.objects.filter(region_id="320102").order_by("pk").first()
    assert department is not None
    head = logged_in(world.staff_of(department, Role.DEPARTMENT_HEAD))
    page = head.get("/workbench/projects/zones/")
    assert page.status_code == 200 and zone.name in page.content.decode()
    before = RegionalAssessment.objects.filter(zone=zone).count()
    body = {"zone": zone.pk, "kind": "flood", "title": "园区洪水影响区域评价",
            "document_no": "玄水复〔2026〕12号", "issued_by": "南京市玄武区水务局",
            "valid_from": "2026-12-01", "valid_until": "2026-11-01"}  # fmt: skip
    wrong = head.post("/workbench/projects/zones/", body)
    assert wrong.status_code == 422 and "有效期至不能早于有效期起" in wrong.content.decode()
    body["valid_until"] = "2031-11-30"
    assert head.post("/workbench/projects/zones/", body).status_code == 302
    assert RegionalAssessment.objects.filter(zone=zone).count() == before + 1
    assert "玄水复〔2026〕12号" in head.get("/workbench/projects/zones/").content.decode()
    # A window clerk does not record assessments; a zone outside the region is not found.
    clerk = logged_in(world.staff_of(department, Role.WINDOW_CLERK))
    assert zone.name not in clerk.get("/workbench/projects/zones/").content.decode()
    assert clerk.post("/workbench/projects/zones/", body).status_code == 404
