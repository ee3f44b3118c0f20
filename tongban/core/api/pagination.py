"""Cursor (keyset) pagination: stable under inserts, never counts the table."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

from tongban.core import errors
from tongban.core.errors import DomainError

M = TypeVar("M", bound=Model)
MAX_LIMIT = 200


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode(cursor: str, width: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise DomainError(errors.INVALID_CURSOR, "分页游标无效，请从第一页重新开始。") from None
    if not isinstance(values, list) or len(values) != width:
        raise DomainError(errors.INVALID_CURSOR, "分页游标无效，请从第一页重新开始。")
    return values


def paginate(
    queryset: QuerySet[M], *, ordering: tuple[str, ...], cursor: str | None, limit: int
) -> Page[M]:
    """One page of ``queryset`` ordered by ``ordering`` (unique; last field a key).

    Each field may start with ``-`` for descending. The cursor holds the values
    of the last row of the page.
    """
    limit = clamp_limit(limit)
    names = [f.lstrip("-") for f in ordering]
    qs = queryset.order_by(*ordering)
    if cursor:
        values = _decode(cursor, len(ordering))
        condition = Q()
        for i, field in enumerate(ordering):
            op = "lt" if field.startswith("-") else "gt"
            step = Q(**{f"{names[i]}__{op}": values[i]})
            for j in range(i):
                step &= Q(**{names[j]: values[j]})
            condition |= step
        try:
            qs = qs.filter(condition)
        except (ValidationError, ValueError, TypeError):
            # Well-formed JSON whose values do not fit the fields (a forged or
            # stale cursor) is the client's error, not a 500.
            raise DomainError(errors.INVALID_CURSOR, "分页游标无效，请从第一页重新开始。") from None
    return page_of(list(qs[: limit + 1]), ordering=ordering, limit=limit)


def clamp_limit(limit: int) -> int:
    """The page size :func:`paginate` uses for ``limit``."""
    return max(1, min(limit, MAX_LIMIT))


def page_of(rows: list[M], *, ordering: tuple[str, ...], limit: int) -> Page[M]:
    """The page of ``rows`` — read in ``ordering`` with ``LIMIT limit + 1`` —
    and the cursor to the next one: what :func:`paginate` returns, for a first
    page read some other way (a prepared read, ``core.prepared``)."""
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode([_value(last, f.lstrip("-")) for f in ordering])
    return Page(rows, next_cursor)


def _value(row: Model, name: str) -> Any:
    value = row
    for part in name.split("__"):
        value = getattr(value, part)
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
