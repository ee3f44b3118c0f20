"""企业开办 and 新生儿出生 end to end through the services and the case events:
one submission, member cases on the right departments' queues in dependency
order, one combined result; each shared field and material given once."""

from __future__ import annotations

import pytest

from tongban.bundles.models import (
    ApplicationStatus,
    BundleApplication,
    BundleUpload,
    MemberStatus,
)
from tongban.bundles.services.delivery import bundle_application_deliver
from tongban.bundles.services.supplements import bundle_supplement_submit
from tongban.bundles.tests.conftest import pdf
from tongban.bundles.tests.flows import case_of, cases_by_key, merge_of, run_through, submit
from tongban.cases.models import Case, CaseStatus
from tongban.cases.selectors import case_list_for_staff
from tongban.org.models import Department, Role

pytestmark = pytest.mark.django_db


def _supplement(world):
    def answer(application: BundleApplication) -> None:
        notice = application.supplement_notices.get(status="open")
        files = {
            entry["key"]: (pdf(entry["key"]), f"{entry['name']}.pdf") for entry in notice.items
        }
        bundle_supplement_submit(
            application=application, files=files, actor=None, now=world.at(hours=2)
        )

    return answer


def test_enterprise_opening_runs_end_to_end(world, django_capture_on_commit_callbacks):
    def events():
        return django_capture_on_commit_callbacks(execute=True)

    with events():
        application = submit(world, "enterprise-opening")
    members = {m.key: m for m in application.members.select_related("case")}
    # Only the licence is filed at once: everything else needs its result.
    assert members["licence"].status == MemberStatus.RUNNING
    assert {k for k, m in members.items() if m.status == MemberStatus.WAITING} == {
        "seal", "bank", "invoice", "social", "fund",
    }  # fmt: skip
    licence = case_of(members["licence"])
    assert licence.department.name == "南京市玄武区市场监督管理局"
    assert licence.rules["joint"] is False
    # The licence case is on its department's queue, and on no other's.
    clerk = world.staff_of(licence.department, Role.WINDOW_CLERK)
    assert licence in case_list_for_staff(user=clerk, cursor=None, limit=50).items
    police = Department.objects.get(name="南京市公安局玄武分局")
    assert (
        licence not in case_list_for_staff(user=world.staff_of(police), cursor=None, limit=50).items
    )

    order = run_through(world, application, world.at(hours=1), events,
                        supplement=_supplement(world))  # fmt: skip

    # Dependency order: the licence, then seal / invoices / fund in parallel, then
    # the bank (it needs the seal), then social insurance (it needs the account).
    assert order[0] == ["licence"]
    assert set(order[1]) == {"seal", "invoice", "fund"}
    assert order[2] == ["bank"]
    assert order[3] == ["social"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY
    assert {m.status for m in application.members.all()} == {MemberStatus.RESULT}
    cases = cases_by_key(application)
    # The licence gave the business its code; later members are filed in its name.
    entity = application.established_entity
    assert entity is not None and entity.credit_code[:2] == "91"
    assert cases["seal"].applicant_entity == entity
    assert cases["seal"].agent_person == world.founder
    assert cases["seal"].form_data["credit_code"] == entity.credit_code
    # Each member on its own department (and its own clock).
    assert cases["seal"].department.name == "南京市公安局玄武分局"
    assert cases["bank"].department.name == "中国人民银行江苏省分行"
    assert cases["fund"].department.name == "南京市住房和城乡建设局"

    # 窗口统一出件: the results go out together.
    hall_clerk = world.staff_of(Department.objects.get(name="南京市玄武区市场监督管理局"))
    with events():
        done = bundle_application_deliver(
            application=application, actor=hall_clerk, method="window", now=world.at(hours=3)
        )
    assert done.status == ApplicationStatus.CONCLUDED
    concluded = Case.objects.filter(bundle_member__application=application)
    assert {c.status for c in concluded} == {CaseStatus.CONCLUDED}


def test_each_shared_field_and_material_is_given_once(world):
    merge = merge_of(world.bundles["enterprise-opening"])
    codes = [f.code for f in merge.asked_fields]
    assert len(codes) == len(set(codes))
    # entity_name is asked by all six members and given once; the credit code
    # comes from the licence's result and is not asked at all.
    entity_name = merge.field("entity_name")
    assert entity_name is not None and len(entity_name.uses) == 6
    credit_code = merge.field("credit_code")
    assert credit_code is not None and not credit_code.asked
    assert merge.fields_saved >= 20
    application = submit(world, "enterprise-opening")
    stored = BundleUpload.objects.filter(application=application)
    assert stored.count() == len(merge.materials_to_submit) == len({u.sha256 for u in stored})


def test_newborn_runs_end_to_end(world, django_capture_on_commit_callbacks):
    def events():
        return django_capture_on_commit_callbacks(execute=True)

    with events():
        application = submit(world, "newborn")
    order = run_through(world, application, world.at(hours=1), events,
                        supplement=_supplement(world))  # fmt: skip
    assert order[0] == ["cert"]
    assert set(order[1]) == {"hukou", "vaccine"}
    assert set(order[2]) == {"insurance", "card"}
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY
    departments = {k: c.department.name for k, c in cases_by_key(application).items()}
    assert departments == {
        "cert": "南京市玄武区卫生健康委员会",
        "hukou": "南京市公安局玄武分局",
        "vaccine": "南京市玄武区卫生健康委员会",
        "insurance": "南京市玄武区医疗保障局",
        "card": "南京市玄武区人力资源和社会保障局",
    }
    # The 出生医学证明 is the first member's result: no later member asks for it.
    hukou = case_of(application.members.get(key="hukou"))
    provided = hukou.materials.get(code="M02")
    assert "出生医学证明办理" in provided.source_reference
