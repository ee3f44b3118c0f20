"""Fixed-shape reads compiled once per connection, run with new parameters.

Building and compiling a statement through the ORM costs a read on every API
request a few hundred Python calls for the simplest query (the lookups, the
joins, the quoting of every column), while the SQL text of a query whose shape
never changes is the same each time: only its parameters differ
(docs/performance.md, "the reads' Python"). :class:`PreparedRead` builds the
query once with the ORM — so the SQL is the ORM's own, for every backend, with
the database router choosing the connection as it would — keeps the compiled
text, and on each call runs it with the caller's parameters and passes the rows
through the ORM's converters (datetimes made aware, booleans and JSON read back
as the ORM would give them).

Only for queries of a fixed shape: the parameters must be strings, integers
or aware datetimes (declared with their type) compared as they are
(``token_hash=…``, ``user_id=…``, ``valid_until__gt=…``), never lists
(``__in``: the number of placeholders changes) nor other values the backend
adapts (decimals, dates). Each parameter is given as a sentinel name when
the query is built; a sentinel the compiled statement does not carry exactly
once is an error at first use, not a silent wrong read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet


def _sentinel(name: str, kind: type, index: int) -> str | int | dt.datetime:
    """A parameter's stand-in while the query is compiled: a string or an
    integer no query of ours compares with (the ORM converts a string field's
    value with ``str()`` and an integer field's with ``int()``). The integer
    lies within every integer field's range, the small positive ones
    included: the ORM drops a comparison with a value out of the field's
    range from the statement, and the slot would be missing (an error below,
    as is a constant of the query equal to a sentinel)."""
    if kind is int:
        return 31_847 + index
    if kind is str:
        return f"\x00tongban-param-{name}\x00"
    if kind is dt.datetime:
        return dt.datetime(1901, 2, 3, 4, 5, 6, 789_012 - index, tzinfo=dt.UTC)
    raise TypeError(f"parameter {name!r}: only str, int and datetime parameters can be prepared")


def _adapt(connection: Any, kind: type, value: Any) -> Any:
    """The value as the ORM hands it to the driver (a datetime field's value is
    adapted by the backend: a UTC string on SQLite, itself on PostgreSQL)."""
    if kind is dt.datetime:
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _same(param: Any, expected: Any) -> bool:
    """Whether a compiled parameter is the sentinel: an integer may come
    wrapped in the driver's sized type (psycopg's ``Int4`` for an
    ``IntegerField`` on PostgreSQL), which is kept for the real value."""
    if isinstance(expected, int):
        return isinstance(param, int) and not isinstance(param, bool) and int(param) == expected
    return type(param) is type(expected) and param == expected


class _Compiled:
    __slots__ = ("compiler", "converters", "params", "slots", "sql")

    def __init__(self, prepared: PreparedRead, alias: str) -> None:
        sentinels = {
            name: _sentinel(name, kind, i) for i, (name, kind) in enumerate(prepared.params.items())
        }
        compiler = prepared.build(**sentinels).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = []
        for name, kind in prepared.params.items():
            expected = _adapt(compiler.connection, kind, sentinels[name])
            where = [i for i, p in enumerate(params) if _same(p, expected)]
            if len(where) != 1:
                raise ValueError(f"parameter {name!r} appears {len(where)} times in {sql!r}")
            slots.append(where[0])
        self.compiler = compiler
        self.sql = sql
        self.params = tuple(params)
        self.slots = tuple(slots)
        self.converters = compiler.get_converters(
            [column[0] for column in compiler.select[: compiler.col_count]]
        )


class PreparedRead:
    """A ``values_list`` read of ``model`` built by ``build(**sentinels)``;
    ``params`` names each parameter with its type (``str`` or ``int``).

    ``prepared.rows(token_hash=…)`` runs the compiled statement on the
    connection the router gives for reading ``model`` and returns the rows as
    tuples, in the order of the ``values_list`` fields, converted as the ORM
    converts them.
    """

    def __init__(
        self,
        model: type[Model],
        params: Mapping[str, type],
        build: Callable[..., QuerySet[Any]],
    ) -> None:
        self.model = model
        self.params = dict(params)
        self.build = build

    def rows(self, **values: str | int | dt.datetime) -> list[tuple[Any, ...]]:
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        # Compiled once per connection object (one per thread and alias): a
        # compiler and its converters are bound to the connection they were
        # built for, and the cache goes when the thread's connection does.
        cache: dict[PreparedRead, _Compiled] | None = getattr(connection, _CACHE, None)
        if cache is None:
            cache = {}
            setattr(connection, _CACHE, cache)
        compiled = cache.get(self)
        if compiled is None:
            compiled = cache[self] = _Compiled(self, alias)
        params = list(compiled.params)
        for (name, kind), slot in zip(self.params.items(), compiled.slots, strict=True):
            value = values[name]
            if not isinstance(value, kind) or isinstance(value, bool):
                raise TypeError(f"parameter {name!r} must be {kind.__name__}, not {value!r}")
            value = _adapt(connection, kind, value)
            wrapped = type(compiled.params[slot])
            params[slot] = value if wrapped is type(value) else wrapped(value)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if compiled.converters:
            return [
                tuple(row)
                for row in compiled.compiler.apply_converters(fetched, compiled.converters)
            ]
        return [tuple(row) for row in fetched]


_CACHE = "_tongban_prepared_reads"
