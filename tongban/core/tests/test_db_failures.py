"""When the database fails: the API answers 503 with Retry-After for a database
that is down, failing over, full or locked, and runs a read that failed on the
standby again on the primary (tongban.core.db, docs/deployment.md)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import psycopg
import psycopg.errors
import pytest
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
    ProgrammingError,
    connection,
    router,
)

from tongban.core import db
from tongban.core.models import CalendarOverride

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/catalog/items"
SEARCH = "tongban.catalog.selectors.service_items_search"


def wrapped(django_error: type[DatabaseError], cause: BaseException) -> DatabaseError:
    """As Django's wrapper raises it: the driver's error as the cause."""
    try:
        raise django_error(str(cause)) from cause
    except DatabaseError as exc:
        return exc


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        # libpq could not connect (no primary yet during a failover)
        (wrapped(OperationalError, psycopg.OperationalError("connection failed")), True),
        # the server was shut down under the query (57P01)
        (wrapped(OperationalError, psycopg.errors.AdminShutdown("terminating")), True),
        # a write reached a standby that is not promoted yet (25006)
        (wrapped(InternalError, psycopg.errors.ReadOnlySqlTransaction("read-only")), True),
        # too many connections (53300)
        (wrapped(OperationalError, psycopg.errors.TooManyConnections("too many")), True),
        # lock timeout, serialization failure, deadlock: try again
        (wrapped(OperationalError, psycopg.errors.LockNotAvailable("lock timeout")), True),
        (wrapped(OperationalError, psycopg.errors.SerializationFailure("serialize")), True),
        (wrapped(OperationalError, psycopg.errors.DeadlockDetected("deadlock")), True),
        # the connection was already closed
        (InterfaceError("connection already closed"), True),
        # SQLite: a writer held the file past the timeout
        (wrapped(OperationalError, sqlite3.OperationalError("database is locked")), True),
        # bugs and bad data stay 500
        (wrapped(OperationalError, sqlite3.OperationalError("no such table: x")), False),
        (wrapped(IntegrityError, psycopg.errors.UniqueViolation("duplicate key")), False),
        (wrapped(ProgrammingError, psycopg.errors.UndefinedColumn("no column")), False),
        (wrapped(InternalError, psycopg.errors.InFailedSqlTransaction("aborted")), False),
        (ValueError("not the database"), False),
    ],
)
def test_which_database_errors_mean_try_again_later(error, unavailable):
    assert db.database_unavailable(error) is unavailable


def failing_search(error: DatabaseError) -> Callable[..., Any]:
    def search(**kwargs: Any) -> Any:
        raise error

    return search


def test_the_api_answers_503_with_retry_after_while_the_database_is_down(client, monkeypatch):
    down = wrapped(OperationalError, psycopg.OperationalError("connection failed"))
    monkeypatch.setattr(SEARCH, failing_search(down))
    response = client.get(ITEMS)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "service_unavailable"


def test_a_bug_in_a_query_is_still_an_internal_error(client, monkeypatch):
    bug = wrapped(OperationalError, sqlite3.OperationalError("no such table: x"))
    monkeypatch.setattr(SEARCH, failing_search(bug))
    response = client.get(ITEMS)
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"


class NoReplicaConnection(dict[str, Any]):
    settings: dict[str, Any] = {}  # no real standby connection to close


@pytest.fixture
def standby_on(settings, monkeypatch):
    """The router and middleware installed, the catalogue routed to a standby
    that passes its (faked) health check."""
    settings.DATABASE_ROUTERS = ["tongban.core.db.ReplicaRouter"]
    settings.MIDDLEWARE = ["tongban.core.db.ReadYourWritesMiddleware", *settings.MIDDLEWARE]
    settings.TONGBAN_REPLICA_READ_ROUTES = ["api/v1/catalog/items"]
    settings.TONGBAN_REPLICA_CHECK_SECONDS = 60
    monkeypatch.setattr(db, "replica_configured", lambda: True)
    monkeypatch.setattr(
        db, "connections", NoReplicaConnection(default=connection, replica=object())
    )
    monkeypatch.setattr(db, "check_replica", lambda conn, max_lag_seconds: True)
    db.reset_replica_health()
    yield
    db.reset_replica_health()


def test_an_api_read_that_fails_on_the_standby_is_answered_from_the_primary(
    client, monkeypatch, standby_on
):
    aliases: list[str] = []

    def search(**kwargs: Any) -> Any:
        alias = router.db_for_read(CalendarOverride)
        aliases.append(alias)
        if alias == "replica":
            gone = psycopg.OperationalError("server closed the connection unexpectedly")
            raise wrapped(OperationalError, gone)
        return SimpleNamespace(items=[], next_cursor=None)  # an empty page

    monkeypatch.setattr(SEARCH, search)
    response = client.get(ITEMS)
    assert response.status_code == 200, response.content
    assert response.json()["items"] == []
    assert aliases == ["replica", "default"]
    # The standby is left alone until the next check.
    assert not db.replica_usable()
