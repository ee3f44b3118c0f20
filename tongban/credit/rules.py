"""The credit class rules (信用等级规则), versioned; docs/credit.md is their text.

Pure: a subject's counted records and whether it is black-listed in, a class,
a score and a Chinese explanation out. A new rule set gets a new ``VERSION``;
the stored history keeps the version each change was made under.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

VERSION = "2026.1"

# Records older than this no longer count (信用信息 公示期限 at most 3 years).
WINDOW_DAYS = 3 * 365
POINTS = {"positive": 5, "minor": -5, "general": -15, "serious": -40}
POSITIVE_CAP = 10
BASE = 100
# Lower bounds of each class by score; below the last, D.
BANDS = (("A", 90), ("B", 70), ("C", 50))
SEVERITY_LABEL = {
    "positive": "守信激励",
    "minor": "轻微失信",
    "general": "一般失信",
    "serious": "严重失信",
}


@dataclass(frozen=True)
class Fact:
    record_id: int
    severity: str
    occurred_on: dt.date


@dataclass(frozen=True)
class Outcome:
    credit_class: str
    score: int
    record_ids: tuple[int, ...]
    explanation: str


def counted(facts: Iterable[Fact], *, today: dt.date) -> list[Fact]:
    start = today - dt.timedelta(days=WINDOW_DAYS)
    return [f for f in facts if start <= f.occurred_on <= today]


def score_of(counts: dict[str, int]) -> int:
    bonus = min(POSITIVE_CAP, counts.get("positive", 0) * POINTS["positive"])
    malus = sum(counts.get(s, 0) * POINTS[s] for s in ("minor", "general", "serious"))
    return BASE + bonus + malus


def class_of(score: int, *, black_listed: bool, serious_last_year: bool) -> str:
    if black_listed:
        return "D"
    found = next((name for name, floor in BANDS if score >= floor), "D")
    if serious_last_year and found in ("A", "B"):
        return "C"
    return found


def classify(facts: Iterable[Fact], *, black_listed: bool, today: dt.date) -> Outcome:
    """The class of one subject by rule ``VERSION``, with the records it rests on."""
    kept = counted(facts, today=today)
    counts: dict[str, int] = {}
    for fact in kept:
        counts[fact.severity] = counts.get(fact.severity, 0) + 1
    score = score_of(counts)
    year_ago = today - dt.timedelta(days=365)
    serious_last_year = any(f.severity == "serious" and f.occurred_on >= year_ago for f in kept)
    result = class_of(score, black_listed=black_listed, serious_last_year=serious_last_year)
    parts = [f"规则 {VERSION}：基础分 {BASE}"]
    for severity in ("positive", "minor", "general", "serious"):
        if counts.get(severity):
            parts.append(
                f"{SEVERITY_LABEL[severity]} {counts[severity]} 条（每条 {POINTS[severity]:+d}）"
            )
    parts.append(f"得分 {score}")
    if black_listed:
        parts.append("在失信黑名单中，定为 D 级")
    elif serious_last_year and result == "C" and score >= BANDS[2][1]:
        parts.append("近一年有严重失信记录，最高为 C 级")
    return Outcome(
        credit_class=result,
        score=score,
        record_ids=tuple(sorted(f.record_id for f in kept)),
        explanation="；".join(parts) + f"，等级 {result}。",
    )
