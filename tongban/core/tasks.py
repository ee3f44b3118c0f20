"""Background tasks of the kernel, run by ``db_worker`` (django-tasks-db)."""

from __future__ import annotations

from django_tasks import task

from tongban.core import events


@task(queue_name="outbox")
def outbox_deliver(message_id: int) -> str:
    return events.outbox_deliver(message_id=message_id)


@task(queue_name="outbox")
def outbox_deliver_batch(message_ids: list[int]) -> list[str]:
    """The messages of one event (one per subscriber), delivered one after another."""
    return [events.outbox_deliver(message_id=message_id) for message_id in message_ids]


@task(queue_name="scheduler")
def outbox_sweep() -> int:
    """Deliver every due message (retries after backoff, and any missed enqueue)."""
    due = events.outbox_due()
    for message_id in due:
        events.outbox_deliver(message_id=message_id)
    return len(due)


@task(queue_name="scheduler")
def audit_seal_sweep() -> int:
    """Link the waiting audit events into the chain and sign a checkpoint (ADR-0008)."""
    from tongban.core.audit_seal import audit_seal_all

    return audit_seal_all()
