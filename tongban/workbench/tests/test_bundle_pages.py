"""The 一件事 counter and the lead department's desk: one intake at the window
dispatching to the back offices, every member case with its clock, 统一出件."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongban.bundles.models import ApplicationStatus, BundleApplication
from tongban.bundles.services.supplements import bundle_supplement_submit
from tongban.bundles.tests.conftest import pdf, world  # noqa: F401  (the module's demo world)
from tongban.bundles.tests.flows import fill, merge_of, run_through, submit
from tongban.cases.models import Case, CaseStatus
from tongban.org.models import Department

pytestmark = pytest.mark.django_db
SAMR = "南京市玄武区市场监督管理局"
LEAD = "江苏省市场监督管理局"


def _client(user: Any, **session: Any) -> Client:
    client = Client()
    client.force_login(user)
    if session:
        stored = client.session
        stored.update(session)
        stored.save()
    return client


def _counter_data(world, code: str) -> dict[str, Any]:  # noqa: F811
    merge = merge_of(world.bundles[code])
    data: dict[str, Any] = {}
    for key, value in fill(merge).items():
        if value is True:
            data[f"f_{key}"] = "on"
        elif value is not False:
            data[f"f_{key}"] = str(value)
    for material in merge.materials_to_submit:
        if material.needed:
            data[f"m_{material.key}"] = SimpleUploadedFile(
                f"{material.spec.name}.pdf", pdf(material.key), content_type="application/pdf"
            )
    return data


def test_the_counter_takes_one_form_and_dispatches_the_first_member(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    clerk = world.staff_of(Department.objects.get(name=SAMR))
    client = _client(clerk, intake_person_id=world.founder.pk)
    page = client.get("/workbench/bundles/intake/enterprise-opening/").content.decode()
    assert page.count('name="f_entity_name"') == 1 and "张伟" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/workbench/bundles/intake/enterprise-opening/",
            _counter_data(world, "enterprise-opening"),
        )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    application = BundleApplication.objects.get()
    assert application.channel == "window" and application.submitted_by == clerk
    assert answer["Location"] == f"/workbench/bundles/applications/{application.application_no}/"
    case = Case.objects.get(bundle_member__application=application)
    assert case.department.name == SAMR and case.status == CaseStatus.SUBMITTED
    detail = client.get(answer["Location"]).content.decode()
    assert "企业设立登记" in detail and case.case_no in detail


def test_the_counter_asks_for_the_applicant_first_and_refuses_bad_input(world):  # noqa: F811
    clerk = world.staff_of(Department.objects.get(name=SAMR))
    client = _client(clerk)
    page = client.get("/workbench/bundles/intake/enterprise-opening/").content.decode()
    assert "尚未确认申请人" in page
    client = _client(clerk, intake_person_id=world.founder.pk)
    data = _counter_data(world, "enterprise-opening")
    del data["f_entity_name"]
    answer = client.post("/workbench/bundles/intake/enterprise-opening/", data)
    assert answer.status_code == 422 and "公章刻制备案" in answer.content.decode()
    assert BundleApplication.objects.count() == 0 and Case.objects.count() == 0
    assert client.get("/workbench/bundles/intake/no-such/").status_code == 404


def test_the_lead_sees_every_member_and_a_stranger_sees_nothing(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(world, "enterprise-opening")
    lead = _client(world.staff_of(Department.objects.get(name=LEAD)))
    with django_assert_max_num_queries(12):
        desk = lead.get("/workbench/bundles/").content.decode()
    assert application.application_no in desk
    page = lead.get(f"/workbench/bundles/applications/{application.application_no}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "南京市公安局玄武分局" in text and "中国人民银行江苏省分行" in text
    assert "受理期限" in text  # the licence case's own clock
    assert "前置：企业设立登记、公章刻制备案" in text  # the bank account needs both
    stranger = _client(world.staff_of(Department.objects.get(name="南京市玄武区民政局")))
    assert application.application_no not in stranger.get("/workbench/bundles/").content.decode()
    url = f"/workbench/bundles/applications/{application.application_no}/"
    assert stranger.get(url).status_code == 404


def test_the_window_hands_out_every_result_together(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    def events() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    with events():
        application = submit(world, "newborn")

    def supplement(app: BundleApplication) -> None:
        notice = app.supplement_notices.get(status="open")
        files = {e["key"]: (pdf(e["key"]), f"{e['name']}.pdf") for e in notice.items}
        bundle_supplement_submit(application=app, files=files, actor=None, now=world.at(hours=2))

    run_through(world, application, world.at(hours=1), events, supplement=supplement)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY
    first = application.members.order_by("position").first()
    assert first is not None and first.case is not None
    client = _client(world.staff_of(first.case.department))
    url = f"/workbench/bundles/applications/{application.application_no}/"
    assert "统一出件" in client.get(url).content.decode()
    stale = client.post(url + "deliver/", {"version": 999, "method": "window"})
    assert stale.status_code == 422
    with events():
        done = client.post(url + "deliver/", {"version": application.version, "method": "window"})
    assert done.status_code == 302, done.content.decode()[:3000]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONCLUDED
    statuses = {m.case.status for m in application.members.select_related("case") if m.case}
    assert statuses == {CaseStatus.CONCLUDED}
