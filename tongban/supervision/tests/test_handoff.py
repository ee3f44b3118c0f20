"""审管联动 (R-CR-3): a granted case of a routed item reaches its supervising department."""

from __future__ import annotations

import pytest

from tongban.cases import services as case_services
from tongban.cases.models import PostCheck
from tongban.cases.services.aftercare import post_check_record
from tongban.cases.tests.conftest import _staff
from tongban.cases.tests.test_credit import _commitment_item
from tongban.core import events
from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_credit_code
from tongban.credit.models import CreditRecord
from tongban.credit.tests.conftest import make_lists
from tongban.org.models import Department, Role
from tongban.supervision.handoff import (
    handoff_alerts_sweep,
    handoff_claim,
    handoff_create,
    handoff_finish,
    handoff_list_for_staff,
    on_case_granted,
)
from tongban.supervision.models import Alert, SupervisionRoute, SupervisionTask


def _granted(world, item=None):
    case = world.submit(item=item)
    case = case_services.case_accept(case_id=case.pk, actor=world.cases.clerk, now=world.at())
    return case_services.case_decide(
        case_id=case.pk, actor=world.cases.reviewer, outcome="granted", reason="符合条件",
        legal_basis="《食品安全法》第三十五条", now=world.at(),
    )  # fmt: skip


def test_the_handler_listens_to_grants():
    path = f"{on_case_granted.__module__}.{on_case_granted.__qualname__}"
    assert path in events.subscribers("case.decide")
    assert path in events.subscribers("case.grant_on_commitment")


def test_a_granted_case_becomes_a_task_claimed_late_with_an_alert_and_its_outcome_flows_back(
    world, django_capture_on_commit_callbacks
):
    health = Department.objects.get(name="南京市卫生健康委员会")
    SupervisionRoute.objects.create(
        service_item=world.cases.item, supervising_department=health, reason="other_department"
    )
    inspector = _staff("health_officer", Role.HANDLER, health)
    with django_capture_on_commit_callbacks(execute=True):
        case = _granted(world)
    task = SupervisionTask.objects.get(case=case)  # through the outbox
    assert task.supervising_department == health and task.status == "pending"
    again = handoff_create(case_no=case.case_no)
    assert again is not None and again.pk == task.pk  # idempotent
    # Mon 2 Nov + 3 working days → Thu 5 Nov; Mon 9 Nov it is late.
    assert str(task.claim_due_on) == "2026-11-05"
    assert handoff_alerts_sweep(now=world.at(days=3)) == 0
    assert handoff_alerts_sweep(now=world.at(days=7)) == 1
    assert handoff_alerts_sweep(now=world.at(days=7)) == 0  # once
    alert = Alert.objects.get(case=case, kind="handoff", resolved_at__isnull=True)
    assert alert.department == health and alert.level == "red"
    # A window clerk does not work supervision tasks; the supervising department does.
    assert not handoff_list_for_staff(user=world.cases.clerk).exists()
    with pytest.raises(DomainError) as hidden:
        handoff_claim(task_id=task.pk, user=world.cases.clerk)
    assert hidden.value.code == "handoff_task_not_found"
    with pytest.raises(DomainError) as early:
        handoff_finish(task_id=task.pk, user=inspector, outcome="compliant", note="x")
    assert early.value.code == "handoff_invalid_state"
    handoff_claim(task_id=task.pk, user=inspector, now=world.at(days=7))
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    handoff_finish(
        task_id=task.pk, user=inspector, outcome="rectify", note="未按规定公示许可证",
        now=world.at(days=8),
    )  # fmt: skip
    assert case.events.filter(action="supervision_outcome").exists()
    record = CreditRecord.objects.get(source="supervision")
    assert record.subject_code == world.cases.person.id_number_token
    assert record.severity == "minor"


def test_an_item_without_a_route_makes_no_task(world):
    case = _granted(world)
    assert handoff_create(case_no=case.case_no) is None
    assert not SupervisionTask.objects.exists()


def test_a_revoke_on_a_commitment_case_closes_its_post_check_as_failed_once(
    world, django_capture_on_commit_callbacks
):
    """审管联动 finds the holder does not meet the conditions it committed to: the
    open 告知承诺 post-check closes as failed, and credit holds one serious
    commitment_breach record for it (not a second supervision record)."""
    make_lists(load_org=False)
    item = _commitment_item(world.cases)
    health = Department.objects.get(name="南京市卫生健康委员会")
    SupervisionRoute.objects.create(
        service_item=item, supervising_department=health, reason="commitment"
    )
    inspector = _staff("health_officer", Role.HANDLER, health)
    form = {"applicant_name": "张伟", "credit_code": generate_credit_code("9132010270000001")}
    case = case_services.case_submit(
        service_item=item, channel="online", applicant_person=world.cases.person,
        form_data=form, materials=[], commitment=True, now=world.at(),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        case = case_services.case_grant_on_commitment(
            case_id=case.pk, actor=world.cases.clerk, legal_basis="《食品安全法》", now=world.at()
        )
    task = SupervisionTask.objects.get(case=case)
    handoff_claim(task_id=task.pk, user=inspector, now=world.at(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        handoff_finish(
            task_id=task.pk, user=inspector, outcome="revoke", note="经营场所与承诺不符",
            now=world.at(days=2),
        )  # fmt: skip
    check = PostCheck.objects.get(case=case)
    assert check.status == "failed" and check.checked_by == inspector
    assert "南京市卫生健康委员会监管发现：经营场所与承诺不符" in check.result_note
    records = CreditRecord.objects.filter(subject_code=world.cases.person.id_number_token)
    assert [(r.source, r.severity) for r in records] == [("commitment_breach", "serious")]
    # The approving department can no longer record the check.
    with pytest.raises(DomainError) as closed:
        post_check_record(case_no=case.case_no, passed=True, note="x", actor=world.cases.clerk)
    assert closed.value.code == "post_check_closed"
