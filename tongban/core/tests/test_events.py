"""Named events through the transactional outbox: once per subscriber, retried, never lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from tongban.core import events
from tongban.core.models import CalendarOverride, OutboxMessage, OutboxStatus
from tongban.core.tasks import outbox_sweep

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 8, 1, 0, tzinfo=dt.UTC)
EVENT = "test.thing_happened"
calls: list[dict] = []


def record_handler(*, event_id, payload) -> None:
    calls.append({"handler": "record", "event_id": event_id, "payload": payload})


def second_handler(*, event_id, payload) -> None:
    calls.append({"handler": "second", "event_id": event_id, "payload": payload})


def failing_handler(*, event_id, payload) -> None:
    calls.append({"handler": "failing", "event_id": event_id, "payload": payload})
    # A write made before the failure must not survive it.
    CalendarOverride.objects.create(
        date=dt.date(2030, 1, 1), working=False, name="x", updated_at=T0
    )
    raise RuntimeError("下游系统不可用")


@pytest.fixture(autouse=True)
def _clean_calls():
    calls.clear()
    yield
    calls.clear()


@pytest.fixture
def subscribed():
    def _subscribe(*handlers):
        for handler in handlers:
            events.subscribe(EVENT, handler)
        registered.extend(handlers)

    registered: list = []
    yield _subscribe
    for handler in registered:
        events.unsubscribe(EVENT, handler)


def test_subscribing_twice_registers_once(subscribed):
    subscribed(record_handler, record_handler)

    assert events.subscribers(EVENT) == [f"{__name__}.record_handler"]


def test_an_event_without_subscribers_writes_nothing():
    events.emit("test.nobody_listens", {"a": 1}, now=T0)

    assert OutboxMessage.objects.count() == 0


def test_emitting_writes_one_pending_row_per_subscriber(subscribed):
    subscribed(record_handler, second_handler)

    with transaction.atomic():
        event_id = events.emit(EVENT, {"case": "C1"}, now=T0)

    rows = OutboxMessage.objects.order_by("subscriber")
    assert [r.subscriber for r in rows] == [
        f"{__name__}.record_handler",
        f"{__name__}.second_handler",
    ]
    assert {r.event_id for r in rows} == {event_id}
    assert {r.status for r in rows} == {OutboxStatus.PENDING}
    assert all(r.payload == {"case": "C1"} and r.next_attempt_at == T0 for r in rows)
    assert calls == []  # nothing delivered before commit


def test_a_rolled_back_emit_leaves_no_row_and_delivers_nothing(
    subscribed, django_capture_on_commit_callbacks
):
    subscribed(record_handler)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        events.emit(EVENT, {"case": "C1"})
        _ = 1 / 0

    assert OutboxMessage.objects.count() == 0
    assert callbacks == []
    assert calls == []


def test_after_commit_each_subscriber_is_called_once(
    subscribed, django_capture_on_commit_callbacks
):
    subscribed(record_handler, second_handler)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event_id = events.emit(EVENT, {"case": "C1"})

    assert sorted(c["handler"] for c in calls) == ["record", "second"]
    assert all(c["event_id"] == event_id and c["payload"] == {"case": "C1"} for c in calls)
    rows = OutboxMessage.objects.all()
    assert {r.status for r in rows} == {OutboxStatus.DELIVERED}
    assert {r.attempts for r in rows} == {1}
    assert all(r.delivered_at is not None for r in rows)


def test_delivering_a_delivered_message_does_not_call_the_handler_again(subscribed):
    subscribed(record_handler)
    events.emit(EVENT, {}, now=T0)
    message = OutboxMessage.objects.get()

    assert events.outbox_deliver(message_id=message.pk, now=T0) == OutboxStatus.DELIVERED
    assert events.outbox_deliver(message_id=message.pk, now=T0) == OutboxStatus.DELIVERED

    assert len(calls) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_delivering_a_missing_message_is_reported_not_raised():
    assert events.outbox_deliver(message_id=999_999, now=T0) == "missing"


def test_a_failing_handler_is_retried_with_backoff_then_goes_dead(subscribed, settings):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 4
    settings.TONGBAN_OUTBOX_BACKOFF_SECONDS = 30
    subscribed(failing_handler)
    events.emit(EVENT, {"case": "C1"}, now=T0)
    message = OutboxMessage.objects.get()

    moment = T0
    for attempt, delay in [(1, 30), (2, 60), (3, 120)]:
        assert events.outbox_deliver(message_id=message.pk, now=moment) == OutboxStatus.PENDING
        message.refresh_from_db()
        assert message.attempts == attempt
        assert message.next_attempt_at == moment + dt.timedelta(seconds=delay)
        assert message.last_error == "RuntimeError: 下游系统不可用"
        # Not due yet: a delivery before the backoff has passed does not call the handler.
        early = moment + dt.timedelta(seconds=1)
        assert events.outbox_deliver(message_id=message.pk, now=early) == OutboxStatus.PENDING
        assert len(calls) == attempt
        moment = message.next_attempt_at

    assert events.outbox_deliver(message_id=message.pk, now=moment) == OutboxStatus.DEAD
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 4
    assert len(calls) == 4
    # Dead is final: no further calls until an operator retries it.
    assert events.outbox_deliver(message_id=message.pk, now=moment + dt.timedelta(days=2)) == (
        OutboxStatus.DEAD
    )
    assert len(calls) == 4
    # The handler's own writes were rolled back with each failure.
    assert not CalendarOverride.objects.exists()


def test_a_dead_message_retried_by_an_operator_is_delivered_again(subscribed, settings):
    settings.TONGBAN_OUTBOX_MAX_ATTEMPTS = 1
    subscribed(failing_handler)
    events.emit(EVENT, {}, now=T0)
    message = OutboxMessage.objects.get()
    events.outbox_deliver(message_id=message.pk, now=T0)
    events.unsubscribe(EVENT, failing_handler)
    OutboxMessage.objects.filter(pk=message.pk).update(subscriber=f"{__name__}.record_handler")

    events.outbox_retry_dead(message_id=message.pk, now=T0)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert events.outbox_deliver(message_id=message.pk, now=T0) == OutboxStatus.DELIVERED
    assert [c["handler"] for c in calls] == ["failing", "record"]


def test_backoff_doubles_and_is_capped_at_a_day(settings):
    settings.TONGBAN_OUTBOX_BACKOFF_SECONDS = 30

    assert [events.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert events.backoff(30) == dt.timedelta(days=1)


def test_the_sweep_delivers_due_messages_only(subscribed):
    subscribed(record_handler)
    events.emit(EVENT, {"n": 1}, now=T0)
    events.emit(EVENT, {"n": 2}, now=T0 + dt.timedelta(days=365 * 50))  # far future: not due

    result = outbox_sweep.enqueue()

    assert result.return_value == 1
    assert [c["payload"] for c in calls] == [{"n": 1}]
