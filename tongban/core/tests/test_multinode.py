"""More than one node on one PostgreSQL (docs/deployment.md): several task
workers never run a job twice and never queue behind one another's claim
(SELECT … FOR UPDATE SKIP LOCKED in django-tasks-db), two schedulers never enqueue a slot twice, and
an outbox message raced by two workers is delivered once."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction
from django.test import override_settings
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from tongban.core import events, scheduler
from tongban.core.models import OutboxMessage, OutboxStatus, ScheduledRun

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (postgres leg)"
    ),
]

DATABASE_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "outbox", "scheduler"],
    }
}
_lock = threading.Lock()
_runs: list[tuple[str, int]] = []  # (worker thread, job number)
_deliveries: list[str] = []


@task(queue_name="default")
def record_run(number: int) -> int:
    """A job that says who ran it; slow enough for the workers to overlap."""
    with _lock:
        _runs.append((threading.current_thread().name, number))
    time.sleep(0.01)
    return number


def record_delivery(*, event_id: uuid.UUID, payload: dict[str, object]) -> None:
    with _lock:
        _deliveries.append(str(event_id))
    time.sleep(0.05)  # hold the message's row lock while the other worker waits


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

    threads = [threading.Thread(target=run, args=(i,), name=f"node-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@override_settings(TASKS=DATABASE_TASKS)
def test_two_workers_run_every_job_exactly_once():
    """django-tasks-db claims a job with SELECT … FOR UPDATE SKIP LOCKED and
    marks it running in the same transaction: the other worker skips it."""
    _runs.clear()
    jobs = 120
    for number in range(jobs):
        record_run.enqueue(number)

    def work(i: int) -> int:
        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"worker-{i}",
            excluded_queue_names=[],
        )
        worker.run()
        return worker._run_tasks

    done = _in_threads(2, work)
    assert not [d for d in done if isinstance(d, Exception)], done

    numbers = Counter(number for _, number in _runs)
    assert sorted(numbers) == list(range(jobs))  # every job ran …
    assert set(numbers.values()) == {1}  # … once
    assert all(isinstance(n, int) and n > 0 for n in done), done  # and both workers took a share
    results = DBTaskResult.objects.filter(task_path__endswith="record_run")
    assert results.count() == jobs
    assert {r.status for r in results} == {"SUCCESSFUL"}
    assert all(len(r.worker_ids) == 1 for r in results)


@override_settings(TASKS=DATABASE_TASKS)
def test_a_worker_takes_the_next_job_while_another_worker_holds_the_first():
    """SKIP LOCKED, not a queue behind the first claim: with the first job's row
    locked by one worker, another worker is handed a different job at once.
    (A plain FOR UPDATE would wait here; lock_timeout turns the wait into an error.)"""
    for number in range(3):
        record_run.enqueue(number)
    claimed = threading.Event()
    release = threading.Event()
    held: list[uuid.UUID] = []

    def first_worker(i: int) -> None:
        with transaction.atomic():
            row = DBTaskResult.objects.ready().get_locked()
            assert row is not None
            held.append(row.pk)
            claimed.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=lambda: _in_threads(1, first_worker))
    holder.start()
    try:
        assert claimed.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            started = time.monotonic()
            other = DBTaskResult.objects.ready().get_locked()
            waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(timeout=30)
    assert other is not None
    assert other.pk != held[0]
    assert waited < 0.5


@override_settings(TASKS=DATABASE_TASKS)
def test_two_schedulers_ticking_together_enqueue_each_slot_once():
    """Two nodes' schedulers over the same minutes: the lease lets one enqueue,
    and the unique (job, slot) row would stop a second even without it."""
    start = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
    ticks = [start + dt.timedelta(seconds=2 * n) for n in range(40)]

    def node(i: int) -> list[str]:
        enqueued = []
        for moment in ticks:
            enqueued += scheduler.run_due_jobs(holder=f"node-{i}", now=moment)
        return enqueued

    results = _in_threads(2, node)
    assert not [r for r in results if isinstance(r, Exception)], results
    runs = list(ScheduledRun.objects.values_list("job", "slot"))
    assert len(runs) == len(set(runs))
    assert sum(len(r) for r in results if isinstance(r, list)) == len(runs)
    # Each run enqueued exactly one task.
    assert DBTaskResult.objects.count() == len(runs)
    assert len({job for job, _ in runs}) == len(scheduler.jobs())


@override_settings(TASKS=DATABASE_TASKS)
def test_an_outbox_message_raced_by_two_workers_is_delivered_once():
    """The per-message task and the sweep may both pick a message up on two
    nodes: the row lock and the status check let one handler run."""
    _deliveries.clear()
    events.subscribe("test.multinode", record_delivery)
    try:
        events.emit("test.multinode", {"n": 1})
    finally:
        events.unsubscribe("test.multinode", record_delivery)
    message = OutboxMessage.objects.get(event="test.multinode")
    assert message.status == OutboxStatus.PENDING  # enqueued, not yet run

    statuses = _in_threads(4, lambda i: events.outbox_deliver(message_id=message.pk))
    assert statuses.count(OutboxStatus.DELIVERED) == 4, statuses
    assert len(_deliveries) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    assert message.attempts == 1
