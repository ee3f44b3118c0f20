"""Counter rows: the next number of a series (办件编号, 文书编号), safe under concurrency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection, models


def counter_next(
    model: type[models.Model],
    *,
    key: dict[str, Any],
    field: str = "last",
    start: Callable[[], int] = lambda: 1,
) -> int:
    """Increment the counter of ``model`` at ``key`` (its unique fields) and return it.

    A missing row is created holding ``start()``; a concurrent creation turns
    into an increment (``ON CONFLICT``). The row stays locked until the caller's
    transaction ends; outside a transaction the statement commits at once.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(field)
    names = [connection.ops.quote_name(k) for k in key]
    where = " AND ".join(f"{n} = %s" for n in names)
    values = list(key.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = {column} + 1 WHERE {where} RETURNING {column}",  # noqa: S608  # names from the model
            values,
        )
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(names)}, {column}) "  # noqa: S608  # names from the model
                f"VALUES ({', '.join(['%s'] * (len(names) + 1))}) "
                f"ON CONFLICT ({', '.join(names)}) DO UPDATE SET {column} = {table}.{column} + 1 "
                f"RETURNING {column}",
                [*values, start()],
            )
            row = cursor.fetchone()
    return int(row[0])


def counter_take(
    model: type[models.Model],
    *,
    key: dict[str, Any],
    field: str = "last",
    start: Callable[[], int] = lambda: 1,
) -> int:
    """:func:`counter_next` committed at once, before the caller's own transaction
    (a number such as 办件编号 that the new row carries from its first insert).

    Why outside: inside the caller's transaction the counter row would stay
    locked until that transaction commits, so every submission of a county and
    day would queue behind the one before it for the whole of its commit (its
    WAL flush included; PostgreSQL cannot group commits that wait on one row).
    Outside, the row is locked for one statement. The price: a submission that
    fails after taking its number leaves a gap, as a database sequence does;
    numbers are unique and increasing, not gap-free.

    On PostgreSQL the increment is one autocommit statement whose commit does
    not wait for its WAL flush (``set_config('synchronous_commit', 'off',
    true)``: for this statement's transaction only): the row that uses the
    number is written by a later transaction whose synchronous commit flushes
    the WAL up to its own commit record, the counter's included, so a number
    that is used is always durable; after a crash only numbers that no
    committed row used can be handed out again. Called inside a transaction it
    is :func:`counter_next` (the row stays locked until that one ends).
    """
    if connection.in_atomic_block or connection.vendor != "postgresql":
        return counter_next(model, key=key, field=field, start=start)
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(field)
    where = " AND ".join(f"{connection.ops.quote_name(k)} = %s" for k in key)
    with connection.cursor() as cursor:
        sql = (
            "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)) "  # noqa: S608  # names from the model
            f"UPDATE {table} SET {column} = {column} + 1 FROM relaxed "
            f"WHERE {where} RETURNING {column}"
        )
        cursor.execute(sql, list(key.values()))
        row = cursor.fetchone()
    if row is None:  # the first of its day: created (and flushed) once
        return counter_next(model, key=key, field=field, start=start)
    return int(row[0])
