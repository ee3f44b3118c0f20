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
