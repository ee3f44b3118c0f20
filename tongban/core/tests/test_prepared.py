"""core.prepared: a fixed-shape read compiled once gives what the ORM gives."""

import datetime as dt
import uuid

import pytest
from django.db.models import Q

from tongban.core.models import OutboxMessage
from tongban.core.prepared import FIXED, InList, PreparedRead

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


IN_READ = PreparedRead(
    OutboxMessage,
    {"ids": InList(int), "subscribers": InList(str), "limit": FIXED},
    lambda ids, subscribers, limit: (
        OutboxMessage.objects.filter(Q(pk__in=ids) | Q(subscriber__in=subscribers))
        .only("id", "subscriber", "payload", "created_at")
        .order_by("-id")[:limit]
    ),
)


def test_in_lists_of_any_length_give_the_orm_rows(django_assert_num_queries):
    a, b, c, d = (_message(s, n) for n, s in enumerate("abcd"))
    cases = [
        ([a.pk], [], 9),
        ([a.pk, c.pk, a.pk], ["d"], 9),  # a repeat is dropped, as the ORM drops it
        ([], ["b", "c"], 9),
        ([a.pk, b.pk, c.pk], ["d", "x"], 2),  # the limit is part of the shape
        ([b.pk], [], 9),  # the first shape again, new values
    ]
    for ids, subscribers, limit in cases:
        orm = list(
            OutboxMessage.objects.filter(Q(pk__in=ids) | Q(subscriber__in=subscribers))
            .only("id", "subscriber", "payload", "created_at")
            .order_by("-id")[:limit]
        )
        with django_assert_num_queries(1):
            got = IN_READ.objects(ids=ids, subscribers=subscribers, limit=limit)
        assert [m.pk for m in got] == [m.pk for m in orm]
        for mine, theirs in zip(got, orm, strict=True):
            assert type(mine) is OutboxMessage and not mine._state.adding
            assert mine.get_deferred_fields() == theirs.get_deferred_fields()
            assert (mine.subscriber, mine.payload, mine.created_at) == (
                theirs.subscriber,
                theirs.payload,
                theirs.created_at,
            )
    assert [m.pk for m in IN_READ.objects(ids=[d.pk], subscribers=[], limit=9)] == [d.pk]
    with django_assert_num_queries(0):  # nothing can match: no statement, as the ORM
        assert IN_READ.objects(ids=[], subscribers=[], limit=9) == []
    with pytest.raises(TypeError):
        IN_READ.objects(ids=["1"], subscribers=[], limit=9)


def test_the_compiled_shapes_kept_per_connection_are_bounded(monkeypatch):
    """A page's LIMIT is chosen by the client: the cache must not grow with it."""
    from django.db import connection

    from tongban.core import prepared

    monkeypatch.setattr(prepared, "CACHE_SIZE", 4)
    a = _message("a", 1)
    for limit in range(1, 12):
        assert [m.pk for m in IN_READ.objects(ids=[a.pk], subscribers=[], limit=limit)] == [a.pk]
        assert len(getattr(connection, prepared._CACHE)) <= 4
