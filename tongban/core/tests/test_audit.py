"""The SM3 hash-chained audit log: any edit or deletion is found by verify."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tongban.core.audit import GENESIS, audit_record, audit_verify
from tongban.core.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 8, 1, 30, tzinfo=dt.UTC)


def _append(n: int) -> list[AuditEvent]:
    return [
        audit_record(
            actor=f"user:{i}",
            action="case.accept",
            object_type="case",
            object_id=f"C{i}",
            details={"reason": "材料齐全", "i": i},
            address="10.0.0.1",
            now=T0 + dt.timedelta(minutes=i),
        )
        for i in range(n)
    ]


def test_appended_events_form_a_chain_that_verifies():
    events = _append(5)

    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (events[-1].seq, events[-1].hash)
    assert audit_verify().ok
    assert audit_verify().checked == 5
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "共校验 5 条记录" in out.getvalue()


def test_an_empty_log_verifies():
    result = audit_verify()

    assert result.ok
    assert result.checked == 0


def test_a_non_json_detail_is_stored_as_text_and_still_verifies():
    audit_record(
        actor="system",
        action="x",
        object_type="t",
        object_id="1",
        details={"on": dt.date(2026, 1, 4)},
    )

    assert AuditEvent.objects.get().details == {"on": "2026-01-04"}
    assert audit_verify().ok


@pytest.mark.parametrize(
    "change",
    [
        {"actor": "user:999"},
        {"details": {"reason": "材料不齐", "i": 2}},
        {"at": T0 + dt.timedelta(hours=1)},
        {"object_id": "C999"},
        {"address": "10.0.0.2"},
    ],
    ids=lambda c: next(iter(c)),
)
def test_editing_a_stored_event_breaks_the_chain_at_that_event(change):
    events = _append(5)
    AuditEvent.objects.filter(seq=events[2].seq).update(**change)

    result = audit_verify()

    assert not result.ok
    assert result.broken_seq == events[2].seq
    assert result.checked == 2
    with pytest.raises(CommandError, match=f"第 {events[2].seq} 条记录处断裂"):
        call_command("audit", "verify")


def test_editing_an_event_and_recomputing_its_hash_breaks_the_next_link():
    events = _append(4)
    AuditEvent.objects.filter(seq=events[1].seq).update(actor="user:999", hash="f" * 64)

    result = audit_verify()

    assert not result.ok
    assert result.broken_seq == events[1].seq


def test_deleting_a_middle_event_is_found_at_the_next_one():
    events = _append(5)
    AuditEvent.objects.filter(seq=events[2].seq).delete()

    result = audit_verify()

    assert not result.ok
    assert result.broken_seq == events[3].seq
    with pytest.raises(CommandError, match=f"第 {events[3].seq} 条"):
        call_command("audit", "verify")


def test_deleting_the_first_event_is_found():
    events = _append(3)
    AuditEvent.objects.filter(seq=events[0].seq).delete()

    result = audit_verify()

    assert not result.ok
    assert result.broken_seq == events[1].seq


def test_deleting_the_last_event_is_found_by_the_chain_head():
    events = _append(5)
    AuditEvent.objects.filter(seq=events[-1].seq).delete()

    result = audit_verify()

    assert not result.ok
    assert result.checked == 4
    assert "末尾记录被删除" in result.reason
    with pytest.raises(CommandError, match="末尾记录被删除"):
        call_command("audit", "verify")


def test_deleting_every_event_is_found_by_the_chain_head():
    _append(2)
    AuditEvent.objects.all().delete()

    assert not audit_verify().ok


def test_an_event_appended_after_a_deletion_does_not_hide_it():
    events = _append(3)
    AuditEvent.objects.filter(seq=events[1].seq).delete()
    _append(1)

    result = audit_verify()

    assert not result.ok
    assert result.broken_seq == events[2].seq
