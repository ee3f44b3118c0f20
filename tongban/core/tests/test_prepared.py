"""core.prepared: a fixed-shape read compiled once gives what the ORM gives."""

import datetime as dt
import uuid

import pytest
from django.db.models import Q

from tongban.core.models import OutboxMessage
from tongban.core.prepared import PreparedRead

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
FIELDS = ("id", "event_id", "payload", "created_at", "attempts", "delivered_at")


def _message(subscriber: str, attempts: int) -> OutboxMessage:
    return OutboxMessage.objects.create(
        event_id=uuid.uuid4(),
        event="demo.event",
        subscriber=subscriber,
        payload={"事项": "营业执照", "n": [1, 2]},
        created_at=NOW,
        next_attempt_at=NOW,
        attempts=attempts,
    )


READ = PreparedRead(
    OutboxMessage,
    {"subscriber": str, "attempts": int},
    lambda subscriber, attempts: (
        OutboxMessage.objects.filter(
            Q(subscriber=subscriber) | Q(attempts=attempts), status="pending"
        )
        .order_by("id")
        .values_list(*FIELDS)
    ),
)


def test_rows_equal_the_orm_read_each_time_with_new_parameters(django_assert_num_queries):
    a, b, c = _message("a", 1), _message("b", 2), _message("c", 3)
    for subscriber, attempts, expected in (("a", 9, [a]), ("b", 3, [b, c]), ("x", 9, [])):
        orm = list(
            OutboxMessage.objects.filter(Q(subscriber=subscriber) | Q(attempts=attempts))
            .order_by("id")
            .values_list(*FIELDS)
        )
        with django_assert_num_queries(1):
            rows = READ.rows(subscriber=subscriber, attempts=attempts)
        assert rows == orm
        assert [row[0] for row in rows] == [m.pk for m in expected]
    row = READ.rows(subscriber="a", attempts=0)[0]
    assert row[2] == {"事项": "营业执照", "n": [1, 2]}  # JSON read back
    assert row[3] == NOW and row[3].tzinfo is not None  # an aware datetime
    assert isinstance(row[1], uuid.UUID)


def test_a_parameter_the_statement_does_not_carry_once_is_refused():
    twice = PreparedRead(
        OutboxMessage,
        {"subscriber": str},
        lambda subscriber: OutboxMessage.objects.filter(
            Q(subscriber=subscriber) | Q(event=subscriber)
        ).values_list("id"),
    )
    with pytest.raises(ValueError, match="appears 2 times"):
        twice.rows(subscriber="a")
