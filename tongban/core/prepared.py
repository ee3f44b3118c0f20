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
(``token_hash=…``, ``user_id=…``, ``valid_until__gt=…``), nor other values
the backend adapts (decimals, dates). Each parameter is given as a sentinel
name when the query is built; a sentinel the compiled statement does not
carry exactly once is an error at first use, not a silent wrong read.

Two more kinds of parameter change the statement's text, so the read is
compiled once per connection *and shape*:

- :class:`InList` — a list compared with ``__in`` (``applicant_entity_id__in``):
  the number of placeholders is the list's length (repeats dropped, as the ORM
  drops them). An empty list is what the ORM makes of it: a branch of an
  ``OR`` left out, or no statement at all when nothing can match.
- :data:`FIXED` — a value compiled into the statement as the ORM writes it
  (a slice's ``LIMIT``, a flag choosing a branch): hashable, and part of the
  cache key.

``rows()`` gives ``values_list`` tuples; ``objects()`` gives the model
instances a queryset of the model would give (``select_related`` rows
attached, deferred columns left deferred), built as Django's ``ModelIterable``
builds them; no ``prefetch_related``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators


class Prefix(str):
    """The kind of a string compared with ``__startswith`` (``LIKE 'x%'``): the
    ORM hands the driver the value escaped for ``LIKE`` with ``%`` after it."""

    __slots__ = ()


class InList:
    """A parameter that is a list of ``kind`` (``int``, ``str`` or
    :class:`Prefix`), compared with ``__in``. With ``unique=False`` the list is
    taken as given, repeats included: for a list the build splits into several
    lookups (each of which the caller keeps free of repeats)."""

    __slots__ = ("kind", "unique")

    def __init__(self, kind: type, *, unique: bool = True) -> None:
        if kind not in (int, str, Prefix):
            raise TypeError("only lists of str, int or Prefix can be prepared")
        self.kind = kind
        self.unique = unique


class _Fixed:
    """A parameter compiled into the statement (see the module's docstring)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "FIXED"


FIXED = _Fixed()
Kind = type | InList | _Fixed


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
    if kind is str or kind is Prefix:
        return f"\x00tongban-param-{name}-{index}\x00"
    if kind is dt.datetime:
        return dt.datetime(1901, 2, 3, 4, 5, 6, 789_012 - index, tzinfo=dt.UTC)
    raise TypeError(f"parameter {name!r}: only str, int and datetime parameters can be prepared")


def _adapt(connection: Any, kind: type, value: Any) -> Any:
    """The value as the ORM hands it to the driver (a datetime field's value is
    adapted by the backend: a UTC string on SQLite, itself on PostgreSQL)."""
    if kind is dt.datetime:
        return connection.ops.adapt_datetimefield_value(value)
    if kind is Prefix:
        return f"{connection.ops.prep_for_like_query(value)}%"
    return value


def _same(param: Any, expected: Any) -> bool:
    """Whether a compiled parameter is the sentinel: an integer may come
    wrapped in the driver's sized type (psycopg's ``Int4`` for an
    ``IntegerField`` on PostgreSQL), which is kept for the real value."""
    if isinstance(expected, int):
        return isinstance(param, int) and not isinstance(param, bool) and int(param) == expected
    return type(param) is type(expected) and param == expected


class _Compiled:
    __slots__ = (
        "annotations",
        "compiler",
        "converters",
        "empty",
        "init_list",
        "model_span",
        "params",
        "populators",
        "slots",
        "sql",
    )

    def __init__(self, prepared: PreparedRead, alias: str, values: Mapping[str, Any]) -> None:
        sentinels: dict[str, Any] = {}
        expected: list[tuple[type, Any]] = []  # (kind, sentinel) in slot order
        index = 0
        for name, kind in prepared.params.items():
            if isinstance(kind, _Fixed):
                sentinels[name] = values[name]
            elif isinstance(kind, InList):
                stand_ins = []
                for _ in values[name]:
                    stand_ins.append(_sentinel(name, kind.kind, index))
                    expected.append((kind.kind, stand_ins[-1]))
                    index += 1
                sentinels[name] = stand_ins
            else:
                sentinels[name] = _sentinel(name, kind, index)
                expected.append((kind, sentinels[name]))
                index += 1
        queryset: Any = prepared.build(**sentinels)  # its private parts are read below
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ValueError("a prepared read cannot prefetch or carry known related objects")
        compiler = queryset.query.get_compiler(using=alias)
        self.compiler = compiler
        self.empty = False
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # nothing can match: no statement, as the ORM does
            self.empty = True
            sql, params = "", ()
        slots = []
        for kind, sentinel in [] if self.empty else expected:
            wanted = _adapt(compiler.connection, kind, sentinel)
            where = [i for i, p in enumerate(params) if _same(p, wanted)]
            if len(where) != 1:
                raise ValueError(f"parameter {sentinel!r} appears {len(where)} times in {sql!r}")
            slots.append(where[0])
        self.sql = sql
        self.params = tuple(params)
        self.slots = tuple(slots)
        self.converters = (
            {}
            if self.empty
            else compiler.get_converters(
                [column[0] for column in compiler.select[: compiler.col_count]]
            )
        )
        self.init_list: list[str] = []
        self.model_span = (0, 0)
        self.populators: list[Any] = []
        self.annotations: dict[str, int] = {}
        klass_info = None if self.empty else compiler.klass_info
        if klass_info is not None and not queryset._fields:  # a queryset of model instances
            fields = klass_info["select_fields"]
            self.model_span = (fields[0], fields[-1] + 1)
            self.init_list = [
                column[0].target.attname for column in compiler.select[fields[0] : fields[-1] + 1]
            ]
            # (django-stubs names a later Django's signature; 5.2's has three arguments)
            self.populators = get_related_populators(klass_info, compiler.select, alias)  # type: ignore[call-arg]
            self.annotations = dict(compiler.annotation_col_map or {})


class PreparedRead:
    """A read of ``model`` built by ``build(**sentinels)``; ``params`` names each
    parameter with its kind (``str``, ``int``, ``datetime``, :class:`InList`
    or :data:`FIXED`).

    ``prepared.rows(token_hash=…)`` runs the compiled statement (a
    ``values_list`` queryset) on the connection the router gives for reading
    ``model`` and returns the rows as tuples, in the order of the
    ``values_list`` fields, converted as the ORM converts them;
    ``prepared.objects(…)`` (a queryset of the model) returns the instances.
    """

    def __init__(
        self,
        model: type[Model],
        params: Mapping[str, Kind],
        build: Callable[..., QuerySet[Any]],
    ) -> None:
        self.model = model
        self.params = dict(params)
        self.build = build

    def _run(self, values: Mapping[str, Any]) -> tuple[_Compiled, Any, list[Any]]:
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        given: dict[str, Any] = {}
        shape: list[Hashable] = []
        for name, kind in self.params.items():
            value = values[name]
            if isinstance(kind, _Fixed):
                shape.append(value)
            elif isinstance(kind, InList):
                if not isinstance(value, Sequence) or isinstance(value, str):
                    raise TypeError(f"parameter {name!r} must be a list, not {value!r}")
                value = list(dict.fromkeys(value)) if kind.unique else list(value)
                shape.append(len(value))
            given[name] = value
        # Compiled once per connection wrapper (one per thread and alias) and
        # shape: a compiler and its converters are bound to the connection they
        # were built for. Django keeps a thread's wrapper across close(), and a
        # shape holds client-chosen values (a page's LIMIT, a list's length),
        # so the cache is bounded: past CACHE_SIZE shapes it starts again.
        cache: dict[tuple[PreparedRead, tuple[Hashable, ...]], _Compiled] | None = getattr(
            connection, _CACHE, None
        )
        if cache is None:
            cache = {}
            setattr(connection, _CACHE, cache)
        key = (self, tuple(shape))
        compiled = cache.get(key)
        if compiled is None:
            if len(cache) >= CACHE_SIZE:
                cache.clear()
            compiled = cache[key] = _Compiled(self, alias, given)
        if compiled.empty:
            return compiled, alias, []
        params = list(compiled.params)
        slots = iter(compiled.slots)
        for name, kind in self.params.items():
            if isinstance(kind, _Fixed):
                continue
            many = isinstance(kind, InList)
            element = kind.kind if isinstance(kind, InList) else kind
            for value in given[name] if many else [given[name]]:
                if not isinstance(value, str if element is Prefix else element) or isinstance(
                    value, bool
                ):
                    raise TypeError(f"parameter {name!r} must be {element.__name__}, not {value!r}")
                slot = next(slots)
                value = _adapt(connection, element, value)
                wrapped = type(compiled.params[slot])
                params[slot] = value if wrapped is type(value) else wrapped(value)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if compiled.converters:
            fetched = list(compiled.compiler.apply_converters(fetched, compiled.converters))
        return compiled, alias, fetched

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._run(values)[2]]

    def objects(self, **values: Any) -> list[Any]:
        compiled, alias, fetched = self._run(values)
        if not fetched:
            return []
        if not compiled.init_list:
            raise TypeError("objects() needs a queryset of model instances, not values")
        start, end = compiled.model_span
        model = compiled.compiler.klass_info["model"]
        found = []
        for row in fetched:
            obj = model.from_db(alias, compiled.init_list, row[start:end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for attr, column in compiled.annotations.items():
                setattr(obj, attr, row[column])
            found.append(obj)
        return found


_CACHE = "_tongban_prepared_reads"
# Compiled shapes kept per connection (see PreparedRead._run).
CACHE_SIZE = 256
