"""Reads on the standby: only where opted in, never after a write (tongban.core.db)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, router, transaction
from django.db.utils import load_backend
from django.http import HttpRequest, JsonResponse
from django.urls import URLResolver, get_resolver, path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as real_urlpatterns
from tongban.core import clock, db
from tongban.core.models import CalendarOverride

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 8, 1, 0, tzinfo=dt.UTC)


def _where() -> str:
    return router.db_for_read(CalendarOverride)


def read_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"alias": _where()})


@csrf_exempt
def write_then_read_view(request: HttpRequest) -> JsonResponse:
    """A GET that writes (a counter, say) must read its own write back."""
    before = _where()
    CalendarOverride.objects.create(
        date=dt.date(2031, 1, 1), working=False, name="test", updated_at=T0
    )
    return JsonResponse({"before": before, "after": _where()})


# This module is also the URLconf of the request tests (pytest.mark.urls).
urlpatterns = [
    path("api/v1/test/replica-read", read_view),
    path("api/v1/test/replica-write-in-get", write_then_read_view),
    path("api/v1/test/primary-read", read_view),
    *real_urlpatterns,
]


@pytest.fixture
def router_on(settings, monkeypatch):
    """The router installed and a standby that answers (no real one in tests)."""
    settings.DATABASE_ROUTERS = ["tongban.core.db.ReplicaRouter"]
    monkeypatch.setattr(db, "replica_usable", lambda: True)


@pytest.fixture
def middleware_on(settings, router_on):
    settings.MIDDLEWARE = ["tongban.core.db.ReadYourWritesMiddleware", *settings.MIDDLEWARE]
    settings.TONGBAN_REPLICA_READ_ROUTES = [
        "api/v1/test/replica-read",
        "api/v1/test/replica-write-in-get",
    ]
    settings.TONGBAN_READ_YOUR_WRITES_SECONDS = 10


# --- the helper and the router ------------------------------------------------------------


def test_reads_go_to_the_primary_unless_asked(router_on):
    assert _where() == "default"
    assert router.db_for_write(CalendarOverride) == "default"


def test_reads_inside_using_replica_go_to_the_standby_and_only_there(router_on):
    with db.using_replica():
        assert _where() == "replica"
        with db.using_primary():
            assert _where() == "default"
        assert _where() == "replica"
    assert _where() == "default"


def test_using_replica_is_also_a_decorator_and_leaves_nothing_behind(router_on):
    @db.using_replica()
    def read() -> str:
        return _where()

    assert read() == "replica"
    assert read() == "replica"  # re-entered: a fresh scope each call
    assert _where() == "default"


def test_a_block_that_wrote_reads_its_write_from_the_primary(router_on):
    with db.using_replica():
        assert _where() == "replica"
        assert router.db_for_write(CalendarOverride) == "default"
        assert _where() == "default"
    with db.using_replica():  # the next block starts afresh
        assert _where() == "replica"


def test_reads_inside_a_transaction_stay_on_the_primary(router_on):
    with db.using_replica(), transaction.atomic():
        assert _where() == "default"


def test_an_object_read_from_the_standby_is_written_to_the_primary(router_on):
    row = CalendarOverride(date=dt.date(2031, 1, 2), working=False, name="t", updated_at=T0)
    row._state.db = "replica"  # as if read there
    assert router.db_for_write(CalendarOverride, instance=row) == "default"
    assert router.db_for_read(CalendarOverride, instance=row) == "default"


def test_without_a_configured_replica_everything_reads_the_primary(settings):
    settings.DATABASE_ROUTERS = ["tongban.core.db.ReplicaRouter"]
    db.reset_replica_health()
    assert not db.replica_configured()
    with db.using_replica():
        assert _where() == "default"


def test_migrations_never_run_on_the_standby():
    assert db.ReplicaRouter().allow_migrate("replica", "cases") is False
    assert db.ReplicaRouter().allow_migrate("default", "cases") is None


# --- the standby's health -------------------------------------------------------------------


class FakeStandby:
    vendor = "postgresql"

    def __init__(self, *, in_recovery: bool = True, lag: float = 0.0, fail: bool = False):
        self.row = (in_recovery, lag)
        self.fail = fail
        self.closed = False
        self.queries: list[str] = []

    def cursor(self) -> Any:
        standby = self

        class Cursor:
            def __enter__(self) -> Cursor:
                return self

            def __exit__(self, *exc: object) -> None:
                return None

            def execute(self, sql: str) -> None:
                if standby.fail:
                    raise DatabaseError("connection refused")
                standby.queries.append(sql)

            def fetchone(self) -> tuple[bool, float]:
                return standby.row

        return Cursor()

    def close(self) -> None:
        self.closed = True


def test_a_standby_within_the_lag_bound_is_used():
    assert db.check_replica(FakeStandby(lag=1.5), max_lag_seconds=5)


def test_a_standby_too_far_behind_is_not_used():
    assert not db.check_replica(FakeStandby(lag=12.0), max_lag_seconds=5)


def test_a_promoted_standby_is_used_whatever_its_last_replay():
    # After a failover the replica address may lead to the new primary: current by definition.
    assert db.check_replica(FakeStandby(in_recovery=False, lag=999.0), max_lag_seconds=5)


def test_an_unreachable_standby_is_not_used_and_its_connection_is_dropped():
    standby = FakeStandby(fail=True)
    assert not db.check_replica(standby, max_lag_seconds=5)
    assert standby.closed


def test_the_standby_is_checked_at_most_once_per_interval(settings, monkeypatch):
    settings.TONGBAN_REPLICA_CHECK_SECONDS = 60
    calls: list[object] = []
    monkeypatch.setattr(db, "replica_configured", lambda: True)
    monkeypatch.setattr(db, "connections", {"replica": object(), "default": None})

    def check(conn: object, max_lag_seconds: float) -> bool:
        calls.append(conn)
        return True

    monkeypatch.setattr(db, "check_replica", check)
    db.reset_replica_health()
    try:
        assert db.replica_usable()
        assert db.replica_usable()
        assert len(calls) == 1
    finally:
        db.reset_replica_health()


# --- requests: opted-in routes and read-your-writes ---------------------------------------------


@pytest.mark.urls("tongban.core.tests.test_db")
def test_a_listed_route_reads_from_the_standby(client, middleware_on):
    assert client.get("/api/v1/test/replica-read").json() == {"alias": "replica"}
    assert client.get("/api/v1/test/primary-read").json() == {"alias": "default"}


@pytest.mark.urls("tongban.core.tests.test_db")
def test_a_write_sends_the_same_clients_reads_to_the_primary_for_a_while(client, middleware_on):
    response = client.post("/api/v1/test/replica-read")
    assert response.json() == {"alias": "default"}  # a POST never reads the standby
    cookie = response.cookies[db.COOKIE]
    assert cookie["max-age"] == 10
    assert cookie["httponly"]
    assert int(cookie.value) == pytest.approx(clock.now().timestamp() + 10, abs=2)

    # The same client (it sends the cookie back): the primary.
    assert client.get("/api/v1/test/replica-read").json() == {"alias": "default"}
    # Another client, or the same one once the cookie expired: the standby.
    client.cookies[db.COOKIE] = str(int(clock.now().timestamp()) - 1)
    assert client.get("/api/v1/test/replica-read").json() == {"alias": "replica"}


@pytest.mark.urls("tongban.core.tests.test_db")
def test_a_cookie_that_cannot_be_read_keeps_the_client_on_the_primary(client, middleware_on):
    client.cookies[db.COOKIE] = "not-a-number"
    assert client.get("/api/v1/test/replica-read").json() == {"alias": "default"}


@pytest.mark.urls("tongban.core.tests.test_db")
def test_a_client_with_a_token_reads_from_the_primary(client, middleware_on):
    """Token clients seldom keep cookies: nothing would say they just wrote."""
    headers = {"Authorization": "Bearer whatever"}
    assert client.get("/api/v1/test/replica-read", headers=headers).json() == {"alias": "default"}
    assert client.get("/api/v1/test/replica-read").json() == {"alias": "replica"}


@pytest.mark.urls("tongban.core.tests.test_db")
def test_a_read_after_a_write_in_the_same_request_goes_to_the_primary(client, middleware_on):
    body = json.loads(client.get("/api/v1/test/replica-write-in-get").content)
    assert body == {"before": "replica", "after": "default"}
    assert CalendarOverride.objects.filter(name="test").count() == 1  # written on the primary


@pytest.mark.urls("tongban.core.tests.test_db")
def test_the_request_scope_ends_with_the_request(client, middleware_on):
    client.get("/api/v1/test/replica-read")
    assert _where() == "default"  # nothing left behind in this thread


# --- a standby that fails between two checks -------------------------------------------------


def standby_failing_view(request: HttpRequest) -> JsonResponse:
    """Reads on the standby fail (it stopped, or is being promoted)."""
    where = _where()
    if where == "replica":
        raise OperationalError("server closed the connection unexpectedly")
    return JsonResponse({"alias": where})


def broken_view(request: HttpRequest) -> JsonResponse:
    _where()
    raise ValueError("a bug, not the standby")


urlpatterns += [
    path("api/v1/test/standby-fails", standby_failing_view),
    path("api/v1/test/broken", broken_view),
]


class FakeConnections(dict[str, Any]):
    settings: dict[str, Any] = {}


@pytest.fixture
def standby_checked(settings, middleware_on, monkeypatch):
    """A standby that passes its health check, checked once a minute."""
    settings.TONGBAN_REPLICA_CHECK_SECONDS = 60
    settings.TONGBAN_REPLICA_READ_ROUTES = [
        *settings.TONGBAN_REPLICA_READ_ROUTES,
        "api/v1/test/standby-fails",
        "api/v1/test/broken",
    ]
    monkeypatch.undo()  # the real replica_usable, over a faked configuration and check
    settings.DATABASE_ROUTERS = ["tongban.core.db.ReplicaRouter"]
    checks: list[object] = []
    monkeypatch.setattr(db, "replica_configured", lambda: True)
    monkeypatch.setattr(db, "connections", FakeConnections(replica=object(), default=connection))

    def check(conn: object, max_lag_seconds: float) -> bool:
        checks.append(conn)
        return True

    monkeypatch.setattr(db, "check_replica", check)
    db.reset_replica_health()
    yield checks
    db.reset_replica_health()


@pytest.mark.urls("tongban.core.tests.test_db")
def test_a_read_that_fails_on_the_standby_is_answered_from_the_primary(client, standby_checked):
    assert client.get("/api/v1/test/replica-read").json() == {"alias": "replica"}
    response = client.get("/api/v1/test/standby-fails")
    assert response.status_code == 200
    assert response.json() == {"alias": "default"}
    # Until the next check, everyone reads from the primary: no second failure.
    assert client.get("/api/v1/test/replica-read").json() == {"alias": "default"}
    assert len(standby_checked) == 1


@pytest.mark.urls("tongban.core.tests.test_db")
def test_other_errors_are_not_run_again(client, standby_checked):
    client.raise_request_exception = False
    assert client.get("/api/v1/test/broken").status_code == 500
    assert client.get("/api/v1/test/replica-read").json() == {"alias": "replica"}


# --- configuration ----------------------------------------------------------------------------


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def test_every_route_sent_to_the_standby_by_default_exists():
    """A misspelt route would silently keep its page on the primary."""
    from config.settings import base

    known = set(_routes(get_resolver("config.urls").url_patterns))
    assert set(base.TONGBAN_REPLICA_READ_ROUTES) - known == set()


SETTINGS_SCRIPT = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "replica": settings.DATABASES.get("replica"),
    "routers": settings.DATABASE_ROUTERS,
    "middleware": settings.MIDDLEWARE[:3],
}, default=str))
"""


def _settings_with(**env: str) -> dict[str, Any]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.test", **env)
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_SCRIPT],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def test_a_replica_url_installs_the_router_and_the_middleware():
    configured = _settings_with(
        DATABASE_REPLICA_URL="postgres://tongban:secret@standby.example:5432/tongban"
    )
    replica = configured["replica"]
    assert replica["HOST"] == "standby.example"
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert replica["TEST"]["MIRROR"] == "default"
    assert configured["routers"] == ["tongban.core.db.ReplicaRouter"]
    # Second: inside the client address, outside the session and the user.
    assert configured["middleware"][1] == "tongban.core.db.ReadYourWritesMiddleware"

    plain = _settings_with()
    assert plain["replica"] is None
    assert plain["routers"] == []
    assert "tongban.core.db.ReadYourWritesMiddleware" not in plain["middleware"]


# --- the health check on a real connection ---------------------------------------------------


def test_the_health_check_runs_on_the_real_database():
    # The primary itself (not in recovery) answers: usable.
    assert db.check_replica(connection, max_lag_seconds=5)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL connection")
def test_the_health_check_gives_up_on_a_standby_that_is_not_there():
    dead = dict(connection.settings_dict, HOST="127.0.0.1", PORT="1")
    dead["OPTIONS"] = {**dead.get("OPTIONS", {}), "connect_timeout": 2}
    wrapper = load_backend(dead["ENGINE"]).DatabaseWrapper(dead, alias="replica-test")
    started = time.monotonic()
    assert not db.check_replica(wrapper, max_lag_seconds=5)
    assert time.monotonic() - started < 5
    assert wrapper.connection is None
