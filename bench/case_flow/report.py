"""Phase 4: the tables printed for docs/performance.md."""

from __future__ import annotations

import re
from collections import Counter


def summarize_statements(statements: list[str]) -> str:
    kinds: Counter[str] = Counter()
    for sql in statements:
        match = re.match(
            r'\s*(INSERT INTO|UPDATE|SELECT .*? FROM|SAVEPOINT|RELEASE|DELETE FROM)\s*"?(\w*)', sql
        )
        verb = (match.group(1).split()[0] if match else sql.split()[0]).upper()
        table = match.group(2) if match else ""
        kinds[f"{verb} {table}".strip()] += 1
    return ", ".join(f"{k} ×{n}" for k, n in kinds.items())
