"""审管联动 (R-CR-3): a granted case of a routed item reaches its supervising department."""

from __future__ import annotations

import pytest

from tongban.cases import services as case_services
from tongban.cases.tests.conftest import _staff
from tongban.core import events
from tongban.core.errors import DomainError
from tongban.credit.models import CreditRecord
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
