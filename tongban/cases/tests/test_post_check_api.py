"""告知承诺 post-check through the API (issue 17): staff of the approving department
record it once; a failure reaches credit through the outbox and lowers the
applicant's class by rule 2026.1 (docs/credit.md)."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.cases import services
from tongban.cases.models import CaseEvent, MaterialKind, PostCheck, PostCheckStatus
from tongban.cases.services.intake import MaterialInput
from tongban.cases.tests.test_credit import _commitment_item
from tongban.cases.tests.test_services import PDF
from tongban.core import clock, events
from tongban.core.models import OutboxMessage, OutboxStatus
from tongban.credit import selectors as credit
from tongban.credit.models import ClassChange, CreditRecord, ListEntry
from tongban.credit.tests.conftest import make_lists

from .conftest import T0

CASES = "/api/v1/cases"


@pytest.fixture(autouse=True)
def moment(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: T0)


def _granted(world, accounts, *, commitment=True):
    make_lists(load_org=False)
    entity = accounts.entity
    case = services.case_submit(
        service_item=_commitment_item(world),
        channel="online",
        applicant_entity=entity,
        agent_person=world.person,
        form_data={"applicant_name": entity.name, "credit_code": entity.credit_code},
        materials=[]
        if commitment
        else [
            MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
            MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
        ],
        commitment=commitment,
        now=world.at(),
    )
    if commitment:
        return services.case_grant_on_commitment(
            case_id=case.pk, actor=world.clerk, legal_basis="《食品安全法》", now=world.at(hours=1)
        )
    return case


def _record(accounts, user, case_no, data, headers=None):
    return Client(headers=accounts.bearer(user)).post(
        f"{CASES}/{case_no}/post-check", data, content_type="application/json",
        headers=headers or {},
    )  # fmt: skip


def _run_outbox():
    for message_id in events.outbox_due(now=T0):
        events.outbox_deliver(message_id=message_id, now=T0)


def test_a_failed_post_check_lowers_the_entitys_class_once_the_outbox_runs(world, accounts):
    case = _granted(world, accounts)
    code = accounts.entity.credit_code
    answer = _record(
        accounts, world.reviewer, case.case_no,
        {"result": "failed", "note": "现场核查：经营场所与承诺不符"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["status"] == "failed" and data["status_label"] == "承诺不实"
    assert data["case_no"] == case.case_no and data["checked_at"]
    assert answer["Location"] == f"{CASES}/{case.case_no}"
    check = PostCheck.objects.get(case=case)
    assert check.status == PostCheckStatus.FAILED and check.checked_by == world.reviewer
    assert CaseEvent.objects.filter(case=case, action="post_check").count() == 1
    # Credit hears it through the outbox, not before.
    assert credit.class_of(code) == "A" and not CreditRecord.objects.filter(subject_code=code)
    _run_outbox()
    mine = OutboxMessage.objects.filter(event="case.post_check")
    assert mine.exists() and not mine.exclude(status=OutboxStatus.DELIVERED).exists()
    record = CreditRecord.objects.get(subject_code=code)
    assert (record.source, record.severity) == ("commitment_breach", "serious")
    assert ListEntry.objects.get(subject_code=code).credit_list.code == "commitment-breach"
    # Rule 2026.1: 100 − 40 = 60 (C by rule 3), and black-listed (rule 5), so D.
    change = ClassChange.objects.filter(subject_code=code).latest("changed_at")
    # No rating row before the first record (rule 6: A), so the change starts from "".
    assert (change.from_class, change.to_class, change.score) == ("", "D", 60)
    assert credit.class_of(code) == "D"


def test_a_passed_post_check_keeps_the_class(world, accounts):
    case = _granted(world, accounts)
    answer = _record(accounts, world.clerk, case.case_no, {"result": "passed", "note": "核查属实"})
    assert answer.status_code == 200 and answer.json()["status"] == "passed"
    _run_outbox()
    assert credit.class_of(accounts.entity.credit_code) == "A"
    assert not CreditRecord.objects.exists() and not ListEntry.objects.exists()


def test_a_second_record_is_refused_and_changes_nothing(world, accounts):
    case = _granted(world, accounts)
    first = _record(accounts, world.clerk, case.case_no, {"result": "passed", "note": "核查属实"})
    assert first.status_code == 200
    again = _record(accounts, world.head, case.case_no, {"result": "failed", "note": "承诺不实"})
    assert again.status_code == 409 and again.json()["code"] == "post_check_closed"
    assert "核查属实" in again.json()["detail"]
    assert PostCheck.objects.get(case=case).status == PostCheckStatus.PASSED
    assert CaseEvent.objects.filter(case=case, action="post_check").count() == 1


def test_the_same_idempotency_key_replays_the_first_answer(world, accounts):
    case = _granted(world, accounts)
    key = {"Idempotency-Key": "post-check-0001"}
    body = {"result": "failed", "note": "承诺不实"}
    first = _record(accounts, world.clerk, case.case_no, body, headers=key)
    second = _record(accounts, world.clerk, case.case_no, body, headers=key)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert CaseEvent.objects.filter(case=case, action="post_check").count() == 1
    assert OutboxMessage.objects.filter(event="case.post_check").count() == len(
        events.subscribers("case.post_check")
    )


def test_another_department_and_a_looking_role_are_refused(world, accounts):
    case = _granted(world, accounts)
    body = {"result": "failed", "note": "承诺不实"}
    other = _record(accounts, world.other_clerk, case.case_no, body)
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    looking = _record(accounts, accounts.supervisor, case.case_no, body)
    assert looking.status_code == 403 and looking.json()["code"] == "permission_denied"
    citizen = _record(accounts, accounts.citizen, case.case_no, body)
    assert citizen.status_code in (403, 404)
    assert PostCheck.objects.get(case=case).status == PostCheckStatus.OPEN


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"note": "缺少结果"}, "validation_failed"),
        ({"result": "maybe", "note": "x"}, "validation_failed"),
        ({"result": "failed"}, "validation_failed"),
        ({"result": "failed", "note": ""}, "validation_failed"),
        ({"result": "failed", "note": "长" * 2001}, "validation_failed"),
        ({"result": "failed", "note": "   "}, "post_check_invalid"),
        ({"result": "failed", "note": "x", "extra": 1}, "validation_failed"),
        ([], "validation_failed"),
    ],
)
def test_bad_input_is_a_422_and_changes_nothing(world, accounts, body, code):
    case = _granted(world, accounts)
    answer = _record(accounts, world.clerk, case.case_no, body)
    assert answer.status_code == 422, answer.content
    assert answer.json()["code"] == code
    assert PostCheck.objects.get(case=case).status == PostCheckStatus.OPEN


def test_a_case_without_commitment_or_unknown_is_not_found(world, accounts):
    plain = _granted(world, accounts, commitment=False)
    body = {"result": "passed", "note": "核查属实"}
    answer = _record(accounts, world.clerk, plain.case_no, body)
    assert answer.status_code == 404 and answer.json()["code"] == "post_check_not_found"
    missing = _record(accounts, world.clerk, "32010020261102999999", body)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    bad = Client(headers=accounts.bearer(world.clerk)).post(
        f"{CASES}/{plain.case_no}/post-check", "{not json", content_type="application/json"
    )
    assert bad.status_code in (400, 422)
