"""Several rows written in one SQL statement (PostgreSQL; issue 12, item 2).

A hot path that writes a handful of rows in one transaction pays, on
PostgreSQL, for each statement's round trip, parse, plan and executor start
far more than for its row. Here the rows are written by one statement: a
chain of data-modifying ``WITH`` parts, each an ``INSERT … SELECT`` of one
unsaved model instance (:func:`insert_select`), where the columns the
database knows first — the key of a row written earlier in the same
statement — are SQL over that earlier part (``{"case": "c.id"}``).

The rows are made by the same code as the general path's (unsaved model
instances), their values prepared as Django's own insert prepares them. A
model with ``post_save`` receivers is refused (:func:`receivers_listen`): its
caller takes the ORM's path, so that no receiver is skipped silently.
Used by the payments callbacks and the case submission.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Field, Model, signals

_LENGTH = re.compile(r"\(\d+\)$")
ONE_ROW = "(SELECT 1) AS one"


def receivers_listen(models: Iterable[type[Model]]) -> bool:
    """Whether any of ``models`` has a ``post_save`` receiver (the ORM's path then)."""
    return any(signals.post_save.has_listeners(model) for model in models)


def insert_select(obj: Model, *, source: str, computed: dict[str, str]) -> tuple[str, list[Any]]:
    """``INSERT INTO <table> (...) SELECT ... FROM <source>`` writing the unsaved
    ``obj`` once per row of ``source``: each column its value as Django's insert
    prepares it (``pre_save`` signal, ``pre_save``, ``get_db_prep_save``), cast
    to the column's type (without a length: too long a value still fails), or
    the SQL over ``source`` given in ``computed``, where ``$value`` stands for
    the prepared value. An auto primary key is left to the database. Refused
    for a model with ``post_save`` receivers (they would not run)."""
    model = type(obj)
    if signals.post_save.has_listeners(model):
        raise ValueError(f"{model.__name__} has post_save receivers")
    signals.pre_save.send(
        sender=model, instance=obj, raw=False, using=connection.alias, update_fields=None
    )
    sql, fields = _insert_plan(model, source, tuple(sorted(computed.items())))
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection=connection) for f in fields]
    return sql, values


@functools.cache
def _insert_plan(
    model: type[Model], source: str, computed: tuple[tuple[str, str], ...]
) -> tuple[str, list[Field[Any, Any]]]:
    """The statement of :func:`insert_select` and the fields whose values it takes."""
    exprs = dict(computed)
    columns: list[str] = []
    values: list[str] = []
    fields: list[Field[Any, Any]] = []
    quote = connection.ops.quote_name
    for field in model._meta.local_concrete_fields:
        if field.primary_key and field.db_returning:
            continue  # an auto key: the database's
        cast = _LENGTH.sub("", field.cast_db_type(connection) or "")
        placeholder = f"%s::{cast}" if cast else "%s"
        sql = exprs.get(field.name, placeholder)
        if "$value" in sql or field.name not in exprs:
            fields.append(field)
            sql = sql.replace("$value", placeholder)
        columns.append(quote(str(field.column)))
        values.append(sql)
    # Names from the model's metadata and SQL from this module: no input.
    table, names, selected = quote(model._meta.db_table), ",".join(columns), ",".join(values)
    return f"INSERT INTO {table}({names}) SELECT {selected} FROM {source}", fields  # noqa: S608


class Chain:
    """One statement of ``WITH`` parts, built part by part and run once.

    ``insert`` adds an unsaved instance (``RETURNING`` its auto key, if it has
    one, as ``id``); ``part`` adds SQL of the caller's own (its parameters
    given). :meth:`run` ends the chain with ``SELECT <select>`` and returns its
    one row."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._params: list[Any] = []

    def insert(
        self,
        name: str,
        obj: Model,
        *,
        source: str = ONE_ROW,
        computed: dict[str, str] | None = None,
    ) -> str:
        sql, values = insert_select(obj, source=source, computed=computed or {})
        pk = type(obj)._meta.pk
        if pk is not None and pk.db_returning:
            sql += f" RETURNING {connection.ops.quote_name(str(pk.column))} AS id"
        return self.part(name, sql, values)

    def part(self, name: str, sql: str, params: list[Any]) -> str:
        self._parts.append(f"{name} AS ({sql})")
        self._params += params
        return name

    def run(self, select: str) -> tuple[Any, ...]:
        statement = "WITH " + ",\n".join(self._parts) + "\nSELECT " + select
        with connection.cursor() as cursor:
            cursor.execute(statement, self._params)
            row = cursor.fetchone()
        assert row is not None  # a SELECT without FROM: always one row
        return tuple(row)
