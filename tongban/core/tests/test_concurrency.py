"""Real concurrency on PostgreSQL: row locks keep the audit chain linear,
the scheduler lease has one holder, and one Idempotency-Key runs once."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from tongban.core.audit import audit_record
from tongban.core.audit_seal import audit_seal, audit_seal_all, audit_verify
from tongban.core.models import AuditEvent, Lease
from tongban.core.scheduler import lease_acquire

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (postgres leg)"
    ),
]


def _in_threads(count: int, work: Callable[[int], object]) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001  (the test inspects every outcome)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_audit_appends_and_sealers_keep_one_unbroken_chain():
    """Writers take no lock (ADR-0008); two sealers racing them and each other
    still produce one chain: the head row serialises the sealers alone."""

    def work(i: int) -> object:
        if i >= 8:
            return [audit_seal() for _ in range(5)]
        return [
            audit_record(actor=f"user:{i}", action="test.append", object_type="t", object_id=str(n))
            for n in range(10)
        ]

    results = _in_threads(10, work)
    assert not [r for r in results if isinstance(r, Exception)]
    audit_seal_all()
    assert AuditEvent.objects.count() == 80
    assert not AuditEvent.objects.filter(position__isnull=True).exists()
    assert audit_verify().ok


def test_only_one_of_two_schedulers_gets_the_lease():
    results = _in_threads(
        6, lambda i: lease_acquire(name="scheduler", holder=f"holder-{i}", seconds=30)
    )
    assert results.count(True) == 1
    assert Lease.objects.count() == 1


@pytest.mark.urls("tongban.core.tests.test_middleware")
def test_one_idempotency_key_sent_concurrently_runs_once():
    from django.test import Client

    from tongban.core.models import CalendarOverride

    def post(i: int) -> int:
        response = Client().post(
            "/api/v1/test/things",
            data={"name": "same"},
            content_type="application/json",
            headers={"Idempotency-Key": "same-key-1"},
        )
        return response.status_code

    statuses = _in_threads(6, post)
    assert CalendarOverride.objects.filter(name="test").count() == 1
    assert all(s in (201, 409) for s in statuses), statuses
    assert statuses.count(201) >= 1


def test_events_committed_out_of_sequence_order_are_sealed_once_each():
    """Issue 12: a long transaction holds an earlier seq while later ones commit
    and are sealed; when it commits, its event joins the next seal — neither
    skipped nor sealed twice."""
    opened, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                audit_record(actor="slow", action="test.late", object_type="t", object_id="1")
                opened.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert opened.wait(timeout=30)
    audit_record(actor="fast", action="test.early", object_type="t", object_id="2")
    assert audit_seal() == 1  # only what has committed
    release.set()
    thread.join(timeout=30)

    assert audit_seal() == 1  # the late one, now committed
    slow, fast = AuditEvent.objects.get(actor="slow"), AuditEvent.objects.get(actor="fast")
    assert slow.seq < fast.seq  # it took its seq first …
    assert (fast.position, slow.position) == (1, 2)  # … and its place after
    assert audit_seal() == 0
    assert audit_verify().ok
