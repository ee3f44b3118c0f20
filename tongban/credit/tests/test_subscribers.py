"""A 告知承诺 post-check reaches credit through the outbox (issue 17, R-CR-1): a
failed one breaks the commitment, lists the subject by rule and lowers its class;
a redelivery changes nothing; a passed one keeps the class."""

from __future__ import annotations

from tongban.core import events
from tongban.core.models import OutboxMessage
from tongban.credit import selectors
from tongban.credit.models import (
    ClassChange,
    CommitmentStatus,
    CreditCommitment,
    CreditRecord,
    ListEntry,
)
from tongban.credit.services.commitments import commitment_record
from tongban.credit.subscribers import POST_CHECK_EVENT, on_case_post_check
from tongban.credit.tests.conftest import T0, entity_code

CASE_NO = "320100-2026-000123"


def _commitment(code: str, case_no: str = CASE_NO) -> CreditCommitment:
    return commitment_record(
        subject_kind="entity", subject_code=code, subject_name="南京甲食品有限公司",
        case_no=case_no, item_name="食品经营许可证核发", now=T0,
    )  # fmt: skip


def _emit(result: str, case_no: str = CASE_NO, note: str = "经营场所与承诺不符") -> None:
    events.emit(
        POST_CHECK_EVENT,
        {"case_no": case_no, "result": result, "note": note, "checked_at": T0.isoformat()},
        now=T0,
    )


def test_credit_subscribes_to_the_post_check():
    path = f"{on_case_post_check.__module__}.{on_case_post_check.__qualname__}"
    assert path in events.subscribers(POST_CHECK_EVENT)


def test_a_failed_post_check_through_the_outbox_lists_the_subject_and_makes_it_d(
    world, django_capture_on_commit_callbacks
):
    code = entity_code(1)
    _commitment(code)
    assert selectors.class_of(code) == "A"
    with django_capture_on_commit_callbacks(execute=True):
        _emit("failed")
    message = OutboxMessage.objects.get(event=POST_CHECK_EVENT)
    assert message.status == "delivered"
    commitment = CreditCommitment.objects.get(case_no=CASE_NO)
    assert commitment.status == CommitmentStatus.BROKEN and commitment.settled_at == T0
    record = commitment.record
    assert record is not None and record.severity == "serious"
    assert record.source == "commitment_breach" and record.occurred_at == T0
    assert "经营场所与承诺不符" in record.summary
    entry = ListEntry.objects.get(subject_code=code)
    assert entry.credit_list == world.commitment_black and entry.source_record == record
    # Rule 2026.1: 100 − 40 = 60 (C); in a black list, D.
    change = ClassChange.objects.get(subject_code=code)
    assert (change.from_class, change.to_class, change.score) == ("", "D", 60)
    assert "在失信黑名单中" in change.explanation
    assert selectors.restrictions(code, measure="commitment_intake", today=T0.date())
    # At-least-once delivery: the same event again changes nothing.
    on_case_post_check(event_id=message.event_id, payload=message.payload)
    assert CreditRecord.objects.count() == 1 and ListEntry.objects.count() == 1
    assert ClassChange.objects.filter(subject_code=code).count() == 1


def test_a_passed_post_check_keeps_the_class_and_an_unknown_case_is_ignored(
    world, django_capture_on_commit_callbacks
):
    code = entity_code(2)
    _commitment(code)
    with django_capture_on_commit_callbacks(execute=True):
        _emit("passed", note="核查属实")
        _emit("failed", case_no="320100-2026-999999")  # no commitment: nothing to settle
        _emit("open")  # not a result
    assert CreditCommitment.objects.get(case_no=CASE_NO).status == CommitmentStatus.KEPT
    assert not CreditRecord.objects.exists() and not ListEntry.objects.exists()
    assert selectors.class_of(code) == "A"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}
