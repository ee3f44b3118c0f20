"""Reads from a hot standby, opt-in per read, with read-your-own-writes (DESIGN §5).

A province runs PostgreSQL with a streaming standby (docs/deployment.md).
Reads that tolerate a second of lag may go to it; everything else stays on the
primary. Nothing goes to the standby unless asked:

- :func:`using_replica` marks a block or a function (``with using_replica():``
  or ``@using_replica()``) whose reads may go to the standby;
- :class:`ReadYourWritesMiddleware` does the same for the GET pages and API
  reads listed by route in ``TONGBAN_REPLICA_READ_ROUTES``, so a page is opted
  in by configuration without touching its view.

Even then a read goes to the primary when

- the request is not a GET/HEAD, or the client wrote within the last
  ``TONGBAN_READ_YOUR_WRITES_SECONDS`` (a cookie set on every unsafe request:
  a citizen who just applied sees the case in 我的办件 at once);
- the request carries an ``Authorization`` header: API clients with tokens
  (department systems, scripts) seldom keep cookies, so the cookie cannot
  tell that they just wrote;
- this request or block has already written (the next read must see it);
- the read runs inside a transaction on the primary (a service's reads are
  part of its write);
- no replica is configured (``DATABASE_REPLICA_URL`` empty), or the standby
  is unreachable or replays more than ``TONGBAN_REPLICA_MAX_LAG_SECONDS``
  behind (checked at most every ``TONGBAN_REPLICA_CHECK_SECONDS`` per process).

A standby that fails between two checks costs no error page: the GET whose
read failed there is run again on the primary, and the standby is left alone
until the next check.

Writes always go to the primary (``default``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    InternalError,
    OperationalError,
    connections,
)
from django.http import HttpRequest, HttpResponse

from tongban.core import clock

logger = logging.getLogger(__name__)

REPLICA = "replica"
COOKIE = "tongban_rw"  # until when (Unix seconds) this client reads from the primary
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class _Scope:
    replica: bool = False  # reads may go to the standby
    wrote: bool = False  # something was written in this scope: read from the primary
    read_replica: bool = False  # a read went to the standby
    view: tuple[Callable[..., Any], Any, Any] | None = None  # to run again on the primary


_scope: ContextVar[_Scope | None] = ContextVar("tongban_db_scope", default=None)


@contextmanager
def using_replica() -> Iterator[None]:
    """Let the reads inside go to the standby (a context manager and a decorator).

    Inside a request the request's own state carries over (a request that wrote,
    or a client that wrote a moment ago, still reads from the primary); outside
    one, writes inside the block send its later reads to the primary.
    """
    scope = _scope.get()
    if scope is None:
        token = _scope.set(_Scope(replica=True))
        try:
            yield
        finally:
            _scope.reset(token)
        return
    before = scope.replica
    scope.replica = True
    try:
        yield
    finally:
        scope.replica = before


@contextmanager
def using_primary() -> Iterator[None]:
    """Force the reads inside to the primary, even in an opted-in page."""
    scope = _scope.get()
    if scope is None:
        yield
        return
    before = scope.replica
    scope.replica = False
    try:
        yield
    finally:
        scope.replica = before


def reads_from_replica() -> bool:
    """Whether a read made here and now would go to the standby."""
    scope = _scope.get()
    if scope is None or not scope.replica or scope.wrote:
        return False
    if _in_transaction():
        return False
    return replica_usable()


def _in_transaction() -> bool:
    """Whether the primary has a transaction open (the test case's own aside,
    as Django's ``durable`` check does: a test runs inside one)."""
    primary = connections[DEFAULT_DB_ALIAS]
    return primary.in_atomic_block and not all(
        getattr(block, "_from_testcase", False) for block in primary.atomic_blocks
    )


# --- the standby's health, per process --------------------------------------------------------

_health_lock = threading.Lock()
_health: dict[str, Any] = {"checked": float("-inf"), "ok": False}


def replica_configured() -> bool:
    return REPLICA in connections.settings


def check_replica(connection: Any, *, max_lag_seconds: float) -> bool:
    """Whether ``connection`` answers and, if it is a standby, replays within the bound.

    A standby that has received everything it replays is current whatever the
    time of the last transaction (an idle primary writes none); one that has
    not is as far behind as its last replayed commit is old.
    """
    try:
        if connection.vendor != "postgresql":
            connection.ensure_connection()
            return True
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), CASE "
                "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) "
                "END"
            )
            in_recovery, lag = cursor.fetchone()
    except DatabaseError:
        logger.warning("replica unreachable; reading from the primary", exc_info=True)
        with suppress(DatabaseError):
            connection.close()
        return False
    if in_recovery and float(lag) > max_lag_seconds:
        logger.warning("replica %.1f s behind; reading from the primary", float(lag))
        return False
    return True


def replica_usable() -> bool:
    """Whether the standby is configured, reachable and close enough behind."""
    if not replica_configured():
        return False
    now = time.monotonic()
    if now - _health["checked"] < settings.TONGBAN_REPLICA_CHECK_SECONDS:
        return bool(_health["ok"])
    # One thread checks; the others go on with the last answer rather than wait
    # for a standby that may take its connect timeout to answer.
    if not _health_lock.acquire(blocking=False):
        return bool(_health["ok"])
    try:
        if now - _health["checked"] >= settings.TONGBAN_REPLICA_CHECK_SECONDS:
            _health["ok"] = check_replica(
                connections[REPLICA], max_lag_seconds=settings.TONGBAN_REPLICA_MAX_LAG_SECONDS
            )
            _health["checked"] = now
    finally:
        _health_lock.release()
    return bool(_health["ok"])


def replica_failed() -> None:
    """A read on the standby failed: use the primary until the next check."""
    _health.update(checked=time.monotonic(), ok=False)
    if REPLICA in connections.settings:
        with suppress(DatabaseError):
            connections[REPLICA].close()


def reset_replica_health() -> None:
    """Forget the last check (tests; after a failover)."""
    _health.update(checked=float("-inf"), ok=False)


# --- the router -----------------------------------------------------------------------------


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads to the standby only where opted in.

    Answers ``default`` explicitly otherwise, so that an object read from the
    standby is never written back there, nor its relations read from there later.
    """

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if not reads_from_replica():
            return DEFAULT_DB_ALIAS
        scope = _scope.get()
        if scope is not None:
            scope.read_replica = True
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The standby replays the primary's WAL: migrations run on the primary only.
        return False if db == REPLICA else None


# --- failures -------------------------------------------------------------------------------


def replica_read_failed(exc: BaseException) -> bool:
    """Whether ``exc`` is a connection failure in a request scope that read from
    the standby and wrote nothing: :class:`ReadYourWritesMiddleware` runs such a
    request again on the primary (the API's error handler lets it through)."""
    scope = _scope.get()
    return (
        scope is not None
        and scope.view is not None
        and scope.read_replica
        and not scope.wrote
        and isinstance(exc, OperationalError | InterfaceError)
    )


# SQLSTATE classes and codes that mean "not now", not "never": the request may
# be sent again. 08 connection exception, 53 insufficient resources (too many
# connections), 57 operator intervention (shutdown, cannot connect now, statement
# timeout), 40001/40P01 serialization failure and deadlock, 55P03 lock not
# available, 25006 read-only transaction (a standby that has not been promoted yet).
_TRANSIENT_CLASSES = frozenset({"08", "53", "57"})
_TRANSIENT_CODES = frozenset({"40001", "40P01", "55P03", "25006"})


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot take the request now (it is down,
    failing over, full or locked) rather than that the request or the code is
    wrong: answered 503 with ``Retry-After`` instead of 500 (docs/deployment.md)."""
    if isinstance(exc, InterfaceError):
        return True  # the connection is already closed
    if not isinstance(exc, OperationalError | InternalError):
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate[:2] in _TRANSIENT_CLASSES or sqlstate in _TRANSIENT_CODES
    if type(cause).__module__.startswith("psycopg"):
        # No SQLSTATE: libpq could not connect, or the server went away mid-query.
        return isinstance(exc, OperationalError)
    # SQLite says "database is locked" when a writer holds it past the timeout;
    # its other operational errors ("no such table") are bugs.
    return "database is locked" in str(exc)


# --- requests -------------------------------------------------------------------------------


def _wrote_recently(request: HttpRequest) -> bool:
    if "HTTP_AUTHORIZATION" in request.META:
        return True  # a token client: no cookie to remember its writes by
    try:
        until = int(request.COOKIES.get(COOKIE, "0"))
    except ValueError:
        return True  # a cookie we cannot read: the safe side
    return until > clock.now().timestamp()


class ReadYourWritesMiddleware:
    """One database scope per request: opted-in reads go to the standby, a
    client that wrote within ``TONGBAN_READ_YOUR_WRITES_SECONDS`` reads from
    the primary (installed by settings when ``DATABASE_REPLICA_URL`` is set)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.routes = frozenset(settings.TONGBAN_REPLICA_READ_ROUTES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        unsafe = request.method not in SAFE_METHODS
        token = _scope.set(_Scope(wrote=unsafe or _wrote_recently(request)))
        try:
            response = self.get_response(request)
        finally:
            _scope.reset(token)
        if unsafe:
            seconds = settings.TONGBAN_READ_YOUR_WRITES_SECONDS
            response.set_cookie(
                COOKIE,
                str(int(clock.now().timestamp()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> None:
        scope = _scope.get()
        match = request.resolver_match
        if (
            scope is not None
            and request.method in READ_METHODS
            and match is not None
            and match.route in self.routes
        ):
            scope.replica = True
            scope.view = (view_func, view_args, view_kwargs)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A read on the standby failed (it stopped, or is being promoted): run
        the GET again on the primary. Safe because nothing was written."""
        scope = _scope.get()
        if scope is None or scope.view is None or not replica_read_failed(exception):
            return None
        logger.warning("read on the replica failed; again on the primary", exc_info=exception)
        replica_failed()
        view_func, view_args, view_kwargs = scope.view
        scope.view = None  # once
        scope.replica = False
        response: HttpResponse = view_func(request, *view_args, **view_kwargs)
        render = getattr(response, "render", None)
        if callable(render):
            response = render()
        return response
