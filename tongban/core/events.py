"""Named events and the transactional outbox (DESIGN §2).

A lower app lets higher ones react without importing them: it calls
:func:`emit` inside its own transaction, which writes one outbox row per
subscriber; the task worker delivers each row after commit, with retries and
exponential backoff, and moves it to the dead-letter state after
``TONGBAN_OUTBOX_MAX_ATTEMPTS`` failures. Handlers receive the event id and
must be idempotent: a delivery may be retried after a crash.

Subscribers register in their ``AppConfig.ready`` with :func:`subscribe`.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from tongban.core import clock
from tongban.core.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

Handler = Callable[..., None]
_subscribers: dict[str, list[str]] = {}


def subscribe(event: str, handler: Handler) -> None:
    """Register ``handler(event_id=..., payload=...)`` for ``event``."""
    path = f"{handler.__module__}.{handler.__qualname__}"
    paths = _subscribers.setdefault(event, [])
    if path not in paths:
        paths.append(path)


def unsubscribe(event: str, handler: Handler) -> None:
    path = f"{handler.__module__}.{handler.__qualname__}"
    if path in _subscribers.get(event, []):
        _subscribers[event].remove(path)


def subscribers(event: str) -> list[str]:
    return list(_subscribers.get(event, []))


def emit(event: str, payload: dict[str, Any], *, now: dt.datetime | None = None) -> uuid.UUID:
    """Record ``event`` for every subscriber in the caller's transaction."""
    messages = outbox_rows(event, payload, now=now)
    event_id = messages[0].event_id if messages else uuid.uuid4()
    if messages:
        created = OutboxMessage.objects.bulk_create(messages)
        ids = [m.pk for m in created if m.pk is not None]
        if not ids:  # backends that do not return keys from bulk_create
            ids = list(OutboxMessage.objects.filter(event_id=event_id).values_list("pk", flat=True))
        _enqueue(ids)
    return event_id


def outbox_rows(
    event: str, payload: dict[str, Any], *, now: dt.datetime | None = None
) -> list[OutboxMessage]:
    """The rows :func:`emit` writes, one per subscriber, not yet saved: for a hot
    path that writes them within one of its own statements (``core.one_statement``),
    and then their delivery task (:func:`delivery_task`)."""
    moment = now or clock.now()
    event_id = uuid.uuid4()
    return [
        OutboxMessage(
            event_id=event_id,
            event=event,
            subscriber=path,
            payload=payload,
            created_at=moment,
            next_attempt_at=moment,
        )
        for path in subscribers(event)
    ]


def delivery_task(count: int) -> tuple[Any, Any]:
    """The task that delivers an event's ``count`` messages and its placeholder
    argument, as :func:`emit` enqueues it: ``outbox_deliver(id)`` for one,
    ``outbox_deliver_batch([ids])`` for more."""
    from tongban.core.tasks import outbox_deliver, outbox_deliver_batch

    return (outbox_deliver, 0) if count == 1 else (outbox_deliver_batch, [0])


def enqueue_delivery(ids: list[int]) -> None:
    """The delivery task of messages written by the caller (see :func:`outbox_rows`)."""
    if ids:
        _enqueue(ids)


def _enqueue(ids: list[int]) -> None:
    """One delivery task for the event's messages, written with the caller's
    transaction (``core.task_queue``): no commit of its own."""
    from tongban.core.task_queue import enqueue_with_transaction
    from tongban.core.tasks import outbox_deliver, outbox_deliver_batch

    if len(ids) == 1:
        enqueue_with_transaction(outbox_deliver, ids[0])
    else:
        enqueue_with_transaction(outbox_deliver_batch, ids)


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next attempt: base × 2^(attempts-1), at most one day."""
    base = settings.TONGBAN_OUTBOX_BACKOFF_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** max(0, attempts - 1), 86400))


def outbox_deliver(*, message_id: int, now: dt.datetime | None = None) -> str:
    """Deliver one message; returns its status afterwards."""
    moment = now or clock.now()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != OutboxStatus.PENDING:
            return message.status if message else "missing"
        if message.next_attempt_at > moment:
            return message.status
        try:
            handler = import_string(message.subscriber)
            with transaction.atomic():
                handler(event_id=message.event_id, payload=message.payload)
        except Exception as exc:  # noqa: BLE001  (any handler failure is retried, never lost)
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:4000]
            if message.attempts >= settings.TONGBAN_OUTBOX_MAX_ATTEMPTS:
                message.status = OutboxStatus.DEAD
                logger.error(
                    "outbox message %s dead after %s attempts", message.pk, message.attempts
                )
            else:
                message.next_attempt_at = moment + backoff(message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return message.status
        message.attempts += 1
        message.status = OutboxStatus.DELIVERED
        message.delivered_at = moment
        message.save(update_fields=["attempts", "status", "delivered_at"])
        return message.status


def outbox_due(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    moment = now or clock.now()
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=moment)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_retry_dead(*, message_id: int, now: dt.datetime | None = None) -> None:
    """Put a dead message back in the queue (an operator's decision)."""
    moment = now or clock.now()
    OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.DEAD).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=moment
    )
