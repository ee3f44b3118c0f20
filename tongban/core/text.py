"""Text stored before the input boundary refused what cannot be shown.

Until issue 9 #1, a lone UTF-16 surrogate (``"a\\ud800b"`` as a JSON escape)
could be stored in a JSON column on SQLite, which keeps it escaped
(PostgreSQL's jsonb refuses it, and no text column can bind it), and every
page that showed the row then failed to encode (a 500). :func:`scrub`
replaces such code points with U+FFFD and drops C0/C1 controls other than
tab and newlines, in strings and inside JSON values; a migration applies it
to the JSON columns that hold what people typed.
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def scrub(value: Any) -> Any:
    """``value`` with unpaired surrogates replaced and stray controls removed."""
    if isinstance(value, str):
        return _CONTROL.sub("", _SURROGATE.sub("\ufffd", value))
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def scrub_rows(model: Any, fields: list[str], *, chunk: int = 1000) -> int:
    """Scrub ``fields`` of every row of ``model`` (a migration's historical model
    is fine); the number of rows changed. Rows are read in primary-key pages."""
    changed = 0
    last = 0
    while True:
        page = list(
            model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:chunk]
        )
        if not page:
            return changed
        last = page[-1][0]
        for pk, *values in page:
            clean = [scrub(v) for v in values]
            if clean != values:
                model.objects.filter(pk=pk).update(**dict(zip(fields, clean, strict=True)))
                changed += 1
