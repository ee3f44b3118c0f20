"""The SM3 hash-chained audit log: any edit or deletion is found by verify,
and a chain recomputed by someone who can write the database is caught by the
signed checkpoints and the witness file (issue 9 #5, ADR-0008)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tongban.core.audit import GENESIS, audit_record
from tongban.core.audit_seal import audit_seal_all, audit_verify
from tongban.core.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 8, 1, 30, tzinfo=dt.UTC)


def _append(n: int) -> list[AuditEvent]:
    """``n`` events appended and sealed, as stored."""
    appended = [
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
    audit_seal_all(now=T0 + dt.timedelta(hours=1))
    return list(AuditEvent.objects.filter(seq__in=[e.seq for e in appended]).order_by("seq"))


def test_appended_events_form_a_chain_that_verifies():
    events = _append(5)

    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert [e.position for e in events] == [1, 2, 3, 4, 5]
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash, head.last_position) == (
        events[-1].seq,
        events[-1].hash,
        5,
    )
    assert audit_verify().ok
    assert audit_verify().checked == 5
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "共校验 5 条记录、1 个签名检查点" in out.getvalue()


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
    audit_seal_all()
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
    _append(1)  # sealed after the gap

    result = audit_verify()

    assert not result.ok
    assert result.broken_seq == events[2].seq


# --- the probe: a chain recomputed by someone who can write the database ---------


def _recompute_from(events: list[AuditEvent], index: int, **change) -> None:
    """What the probe did: edit one row, then recompute every later hash and
    the head, so that the chain itself is consistent again."""
    from tongban.core.audit import event_hash

    AuditEvent.objects.filter(seq=events[index].seq).update(**change)
    prev: str = str(events[index - 1].hash) if index else GENESIS
    for event in AuditEvent.objects.filter(position__gte=index + 1).order_by("position"):
        event.prev_hash = prev
        event.hash = event_hash(
            prev_hash=prev, at=event.at, actor=event.actor, action=event.action,
            object_type=event.object_type, object_id=event.object_id,
            address=event.address, details=event.details,
        )  # fmt: skip
        event.save(update_fields=["prev_hash", "hash"])
        prev = str(event.hash)
    AuditChainHead.objects.filter(id=1).update(last_hash=prev)


def test_a_recomputed_chain_is_caught_by_the_signed_checkpoint():
    events = _append(5)

    _recompute_from(events, 1, details={"reason": "改过", "i": 1})

    result = audit_verify()
    assert not result.ok
    assert "签名检查点" in result.reason
    with pytest.raises(CommandError, match="签名检查点"):
        call_command("audit", "verify")


def test_rewriting_the_checkpoint_too_fails_its_signature():
    from tongban.core.models import AuditCheckpoint

    events = _append(5)
    _recompute_from(events, 1, actor="user:999")
    new_head = AuditChainHead.objects.get().last_hash

    AuditCheckpoint.objects.update(head_hash=new_head)  # no key to sign it anew

    assert not audit_verify().ok


def test_deleting_the_checkpoints_as_well_is_caught_by_the_witness(
    django_capture_on_commit_callbacks, settings
):
    from tongban.core.models import AuditCheckpoint

    with django_capture_on_commit_callbacks(execute=True):
        events = _append(5)
    witness = settings.TONGBAN_AUDIT_WITNESS_FILE.read_text(encoding="ascii")
    assert witness.count("\n") == 1 and '"position": 5' in witness
    assert audit_verify().witnessed == 1

    _recompute_from(events, 3, object_id="C999")
    AuditCheckpoint.objects.all().delete()

    result = audit_verify()
    assert not result.ok
    assert "见证文件" in result.reason


def test_sealing_goes_on_from_the_head_and_late_commits_join_the_next_seal():
    first = _append(3)
    later = _append(2)

    assert [e.position for e in first + later] == [1, 2, 3, 4, 5]
    assert later[0].prev_hash == first[-1].hash
    assert audit_verify().checkpoints == 2
    assert audit_verify().ok


def test_appending_takes_no_lock_and_leaves_the_event_waiting_for_its_seal(
    django_assert_num_queries,
):
    with django_assert_num_queries(1):  # one INSERT: no chain-head row, no lock
        event = audit_record(actor="system", action="x", object_type="t", object_id="1")

    assert (event.position, event.hash) == (None, None)
    assert audit_verify().unsealed == 1


def test_the_keys_and_the_latest_checkpoint_are_published_and_verify(client):
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from tongban.core.audit_seal import checkpoint_payload

    assert client.get("/api/v1/audit/checkpoint").status_code == 404
    _append(3)

    keys = client.get("/api/v1/audit/keys").json()
    latest = client.get("/api/v1/audit/checkpoint").json()

    assert keys["algorithm"] == "Ed25519" and list(keys["keys"]) == ["test-audit"]
    assert latest["position"] == 3
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(keys["keys"]["test-audit"]))
    public.verify(  # a second system checks it with nothing but the published key
        base64.b64decode(latest["signature"]),
        checkpoint_payload(
            position=3,
            head_hash=latest["head_hash"],
            sealed_at=dt.datetime.fromisoformat(latest["sealed_at"].replace("Z", "+00:00")),
        ),
    )
