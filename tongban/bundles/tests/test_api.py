"""The bundles API: every endpoint's answer and the rows it writes."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from tongban.bundles.models import BundleApplication, BundleMember, InvestmentProject
from tongban.bundles.tests.conftest import pdf
from tongban.bundles.tests.flows import fill, merge_of
from tongban.cases.models import Case
from tongban.identity.models import AuthorizationRole
from tongban.identity.services import business_account_create, citizen_signup, token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(world) -> dict[str, Any]:
    citizen = citizen_signup(
        phone="13800000001", password="Pw-12345678", name="张伟",
        id_number="320102198503120012", username="zhangwei",
    )  # fmt: skip
    business = business_account_create(
        username="tongbanbiz", password="Pw-12345678", person=world.agent,
        legal_entity=world.entity, role=AuthorizationRole.AGENT,
    )  # fmt: skip
    from tongban.org.models import Department

    clerk = world.staff_of(Department.objects.get(name="南京市玄武区市场监督管理局"))
    return {
        name: {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='t')[1]}"}
        for name, user in (("citizen", citizen), ("business", business), ("clerk", clerk))
    }


def _body(world, code: str, **form: Any) -> dict[str, Any]:
    merge = merge_of(world.bundles[code])
    return {
        "applicant": {"kind": "person"},
        "form": {**fill(merge), **form},
        "materials": [
            {"key": m.key, "file_base64": base64.b64encode(pdf(m.key)).decode(),
             "file_name": f"{m.spec.name}.pdf"}
            for m in merge.materials_to_submit if m.needed
        ],
    }  # fmt: skip


def _post(client: Client, url: str, body: Any, headers: dict[str, str], **extra: str) -> Any:
    meta: dict[str, Any] = {**headers, **extra}
    return client.post(url, json.dumps(body), content_type="application/json", **meta)


def test_the_list_and_a_definition_are_public_and_say_what_was_merged(world):
    client = Client()
    listed = client.get("/api/v1/bundles").json()
    assert len(listed["items"]) == 13
    detail = client.get("/api/v1/bundles/enterprise-opening").json()
    assert detail["lead_label"] == "省市场监管局"
    assert [d["name"] for d in detail["lead_departments"]] == ["江苏省市场监督管理局"]
    assert detail["members"][0]["layer"] == 1
    entity_name = next(f for f in detail["form"] if f["code"] == "entity_name")
    assert entity_name["reason"] == "same_code" and len(entity_name["uses"]) == 6
    assert detail["savings"]["fields_saved"] > 0
    assert client.get("/api/v1/bundles/no-such-bundle").status_code == 404


def test_the_lists_take_a_fixed_number_of_queries(world, accounts, django_assert_max_num_queries):
    client = Client()
    for code in ("newborn", "enterprise-opening"):
        _post(client, f"/api/v1/bundles/{code}/applications", _body(world, code),
              accounts["citizen"])  # fmt: skip
    with django_assert_max_num_queries(2):  # page, and nothing per bundle
        assert len(client.get("/api/v1/bundles?limit=5").json()["items"]) == 5
    with django_assert_max_num_queries(6):  # auth, the caller's businesses, the page
        mine = client.get("/api/v1/bundles/applications", **accounts["citizen"]).json()
    assert [a["bundle"] for a in mine["items"]] == ["enterprise-opening", "newborn"]


def test_the_lead_department_sees_the_application_and_a_stranger_gets_404(world, accounts):
    from tongban.org.models import Department

    client = Client()
    created = _post(client, "/api/v1/bundles/enterprise-opening/applications",
                    _body(world, "enterprise-opening"), accounts["citizen"]).json()  # fmt: skip
    lead = world.staff_of(Department.objects.get(name="江苏省市场监督管理局"))
    headers: dict[str, Any] = {
        "HTTP_AUTHORIZATION": f"Bearer {token_create(user=lead, name='t')[1]}"
    }
    url = f"/api/v1/bundles/applications/{created['application_no']}"
    answer = client.get(url, **headers)
    assert answer.status_code == 200 and len(answer.json()["members"]) == 6
    assert client.get(url + "x", **headers).json()["code"] == "not_found"


def test_the_applicant_withdraws_and_the_timeline_says_so(world, accounts):
    client = Client()
    created = _post(client, "/api/v1/bundles/newborn/applications", _body(world, "newborn"),
                    accounts["citizen"]).json()  # fmt: skip
    url = f"/api/v1/bundles/applications/{created['application_no']}/withdraw"
    answer = _post(client, url, {"reason": "不再办理"}, accounts["citizen"],
                   HTTP_IF_MATCH=f'"{created["version"]}"')  # fmt: skip
    assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"
    application = BundleApplication.objects.get(application_no=created["application_no"])
    assert application.status == "withdrawn"
    assert application.events.filter(action="withdraw").exists()
    again = _post(client, url, {}, accounts["citizen"])
    assert again.json()["code"] == "invalid_bundle_application_transition"


def test_one_submission_is_idempotent_and_files_the_first_member(world, accounts):
    client = Client()
    url = "/api/v1/bundles/enterprise-opening/applications"
    body = _body(world, "enterprise-opening")
    first = _post(client, url, body, accounts["citizen"], HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = _post(client, url, body, accounts["citizen"], HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["application_no"] == first.json()["application_no"]
    assert BundleApplication.objects.count() == 1
    members = BundleMember.objects.filter(
        application__application_no=first.json()["application_no"]
    )
    assert members.filter(case__isnull=False).count() == 1
    detail = client.get(first["Location"], **accounts["citizen"])
    assert detail.status_code == 200 and detail["ETag"] == f'"{detail.json()["version"]}"'
    assert detail.json()["members"][0]["case_no"]
    mine = client.get("/api/v1/bundles/applications", **accounts["citizen"]).json()
    assert [a["application_no"] for a in mine["items"]] == [first.json()["application_no"]]


def test_a_missing_field_names_the_members_and_creates_no_case(world, accounts):
    body = _body(world, "enterprise-opening")
    del body["form"]["entity_name"]
    cases_before = Case.objects.count()
    answer = _post(Client(), "/api/v1/bundles/enterprise-opening/applications", body,
                   accounts["citizen"])  # fmt: skip
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["code"] == "bundle_form_invalid"
    entry = next(e for e in problem["errors"] if e["field"] == "form.entity_name")
    assert "企业设立登记" in entry["message"] and "公章刻制备案" in entry["message"]
    assert Case.objects.count() == cases_before
    assert BundleApplication.objects.count() == 0


def test_callers_who_may_not_apply_are_refused(world, accounts):
    body = _body(world, "enterprise-opening")
    url = "/api/v1/bundles/enterprise-opening/applications"
    assert _post(Client(), url, body, {}).status_code == 401
    assert _post(Client(), url, body, accounts["clerk"]).json()["code"] == "permission_denied"
    # 新生儿出生 is for persons: a business applying is refused with its reason.
    newborn = _body(world, "newborn")
    newborn["applicant"] = {"kind": "legal_entity", "credit_code": world.entity.credit_code}
    answer = _post(Client(), "/api/v1/bundles/newborn/applications", newborn, accounts["business"])
    assert answer.json()["code"] == "bundle_applicant_invalid"


def test_another_applicants_application_is_not_found(world, accounts):
    client = Client()
    created = _post(client, "/api/v1/bundles/newborn/applications", _body(world, "newborn"),
                    accounts["citizen"]).json()  # fmt: skip
    url = f"/api/v1/bundles/applications/{created['application_no']}"
    assert client.get(url, **accounts["business"]).status_code == 404
    # The clerk of a department that takes no part sees nothing either.
    assert client.get(url, **accounts["clerk"]).status_code == 404


def test_delivery_needs_if_match_and_ready_results(world, accounts):
    client = Client()
    created = _post(client, "/api/v1/bundles/enterprise-opening/applications",
                    _body(world, "enterprise-opening"), accounts["citizen"]).json()  # fmt: skip
    url = f"/api/v1/bundles/applications/{created['application_no']}/deliver"
    missing = _post(client, url, {"method": "window"}, accounts["clerk"])
    assert missing.status_code == 428 and missing.json()["code"] == "if_match_required"
    early = _post(client, url, {"method": "window"}, accounts["clerk"],
                  HTTP_IF_MATCH=f'"{created["version"]}"')  # fmt: skip
    assert early.status_code == 409 and early.json()["code"] == "bundle_results_not_ready"
    stale = _post(client, url, {"method": "window"}, accounts["clerk"], HTTP_IF_MATCH='"999"')
    assert stale.status_code == 412


def test_stats_count_the_applications_and_the_savings(world, accounts):
    client = Client()
    _post(client, "/api/v1/bundles/newborn/applications", _body(world, "newborn"),
          accounts["citizen"])  # fmt: skip
    stats = client.get("/api/v1/bundles/newborn/stats").json()
    assert stats["applications"] == 1 and stats["with_all_results"] == 0
    assert stats["median_working_days"] is None
    assert stats["savings"]["fields_saved"] > 0


def test_stats_measure_an_application_with_all_its_results(
    world, django_capture_on_commit_callbacks
):
    from tongban.bundles.services.supplements import bundle_supplement_submit
    from tongban.bundles.tests.flows import run_through, submit

    # The subscribers run at today's real time: every date they write is the
    # time of the case step that caused it, so the figures do not depend on it.

    def events() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    def supplement(app: BundleApplication) -> None:
        notice = app.supplement_notices.get(status="open")
        files = {e["key"]: (pdf(e["key"]), f"{e['name']}.pdf") for e in notice.items}
        bundle_supplement_submit(application=app, files=files, actor=None, now=world.at(hours=2))

    with events():
        application = submit(world, "newborn")
    # Mon 2 Nov 2026 received, every result out on Wed 4 Nov: 2 working days.
    run_through(world, application, world.at(days=2), events, supplement=supplement)
    application.refresh_from_db()
    assert application.ready_on is not None
    stats = Client().get("/api/v1/bundles/newborn/stats").json()
    assert stats["applications"] == 1 and stats["with_all_results"] == 1
    assert stats["median_working_days"] == stats["p90_working_days"] == 2
    assert stats["within_limit_share"] == 1.0


def test_a_project_code_with_a_wrong_check_is_refused(world):
    answer = Client().get("/api/v1/projects/2411-130202-89-01-637016")
    assert answer.status_code == 422 and answer.json()["code"] == "project_code_invalid"
    assert Client().get("/api/v1/projects/2411-130202-89-01-637015").status_code == 404


def test_a_business_registers_its_project_and_its_page_lists_it(world, accounts):
    body = {
        "name": "通办数据中心项目", "owner_credit_code": world.entity.credit_code,
        "region_code": "320102", "address": "南京市玄武区（演示）", "total_investment": 5000,
    }  # fmt: skip
    created = _post(Client(), "/api/v1/projects", body, accounts["business"])
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    assert InvestmentProject.objects.filter(code=code).exists()
    assert Client().get(f"/api/v1/projects/{code}").json()["approvals"] == []


def test_a_projects_numbers_and_clocks_are_its_owners_the_public_gets_stages(world, accounts):
    from tongban.bundles.tests.flows import submit_as_business

    application = submit_as_business(world, "construction-approval", project_name="通办仓储项目")
    project = application.project
    assert project is not None
    cases = list(Case.objects.filter(bundle_member__application=application))
    assert cases
    url = f"/api/v1/projects/{project.code}"
    public = Client().get(url).json()
    assert public["owner_view"] is False and public["stage"] == "in_progress"
    assert {s["stage"]: s["count"] for s in public["stages"]}["receiving"] == len(cases)
    assert all(
        (a["case_no"], a["received_at"], a["decision_deadline"], a["bundle_application"])
        == (None, None, None, None)
        for a in public["approvals"]
    )
    assert public["bundle_applications"] == []
    assert public["bundles"] == [
        {"application_no": None, "bundle": application.bundle.name, "status": "in_progress",
         "members": application.members.count(), "members_with_result": 0},
    ]  # fmt: skip
    body = json.dumps(public, ensure_ascii=False)
    assert application.application_no not in body
    assert not any(c.case_no in body for c in cases)
    # Another account (a clerk, a citizen) is the public here.
    for name in ("clerk", "citizen"):
        assert Client().get(url, **accounts[name]).json()["owner_view"] is False
    # The owner's authorized account: every number and clock.
    mine = Client().get(url, **accounts["business"]).json()
    assert mine["owner_view"] is True
    assert {a["case_no"] for a in mine["approvals"]} == {c.case_no for c in cases}
    assert mine["bundle_applications"] == [application.application_no]
