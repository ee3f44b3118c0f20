"""Bulk recomputation of credit classes (信用等级批量重算), batched and set-based.

Classes move with time alone: a record older than three years stops counting,
a serious record older than a year stops capping the class at C, and a list
entry past its validity stops making the subject D. Nothing happens to the
subject on that day, so the daily job (and ``tongban credit recompute`` after a
new rule version) recomputes every rated subject.

One batch at a time, in subject-code order (keyset, no OFFSET). The batch is
first read **without locks**: its ratings (the keyset query itself), its counted
records and its black-list entries in force, one query each over the batch's
code range, and classified in Python (``rules.classify``). Most subjects keep
their class and score, and for them nothing more happens. Only the ratings that
would change are then locked (``SELECT … FOR UPDATE`` in code order, in one
transaction per batch), their records and entries read again under the lock and
classified again, and only those still changing are written: one ``UPDATE …
FROM (VALUES …)`` per 1,000 ratings and one ``bulk_create`` of the
``ClassChange`` rows that explain each change, ``from`` the class read under the
lock. The per-subject ``class_recompute`` of a listing, a record or a repair
locks the same row before it reads, so the two serialize wherever they would
both write, and under READ COMMITTED whichever locks second classifies what the
first committed. A subject the lock-free read saw as unchanged is left to the
per-subject recompute that is changing it. Subjects without a rating have no
records and no entries (every service that writes one recomputes its subject),
so by rule 6 they are A and need no row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.credit import rules
from tongban.credit.models import (
    ClassChange,
    CreditRating,
    CreditRecord,
    EntryStatus,
    ListEntry,
    ListKind,
)

BATCH = 5000


@dataclass
class Recount:
    subjects: int = 0
    changed: int = 0
    batches: int = 0
    by_class: dict[str, int] = field(default_factory=dict)


_RATING_COLUMNS = ("pk", "subject_code", "credit_class", "score", "rule_version")


@dataclass(slots=True)
class _Rating:
    """A rating row as tuples give it: a model instance per row cost more than its
    classification."""

    pk: int
    subject_code: str
    credit_class: str
    score: int
    rule_version: str


def _ratings(qs: Any) -> list[_Rating]:
    return [_Rating(*row) for row in qs.values_list(*_RATING_COLUMNS)]


def _facts(
    codes: list[str], lo: str, hi: str, today: dt.date, window_start: dt.datetime
) -> tuple[dict[str, list[rules.Fact]], set[str]]:
    """The counted records and the black-list entries in force of ``codes``.

    Many codes (a batch) are read by their range ``lo < code ≤ hi`` on the code
    indexes, which is cheaper than thousands of bound values; a few by ``IN``.
    """
    if len(codes) > 200:
        where: dict[str, Any] = {"subject_code__gt": lo, "subject_code__lte": hi}
    else:
        where = {"subject_code__in": codes}
    facts: dict[str, list[rules.Fact]] = {}
    rows = CreditRecord.objects.filter(occurred_at__gte=window_start, **where).values_list(
        "subject_code", "pk", "severity", "occurred_at"
    )
    for code, pk, severity, at in rows:
        facts.setdefault(code, []).append(rules.Fact(pk, severity, clock.local_date(at)))
    black = set(
        ListEntry.objects.filter(
            status=EntryStatus.ACTIVE,
            listed_on__lte=today,
            valid_until__gte=today,
            credit_list__kind=ListKind.BLACK,
            credit_list__active=True,
            **where,
        ).values_list("subject_code", flat=True)
    )
    return facts, black


def _outcomes(
    ratings: list[_Rating],
    facts: dict[str, list[rules.Fact]],
    black: set[str],
    today: dt.date,
) -> list[tuple[_Rating, rules.Outcome]]:
    """The ratings whose class, score or rule version the rules change, with the outcome."""
    moved = []
    for rating in ratings:
        code = rating.subject_code
        outcome = rules.classify(facts.get(code, ()), black_listed=code in black, today=today)
        if (rating.credit_class, rating.score, rating.rule_version) != (
            outcome.credit_class,
            outcome.score,
            rules.VERSION,
        ):
            moved.append((rating, outcome))
    return moved


def _batch(
    ratings: list[_Rating],
    lo: str,
    today: dt.date,
    moment: dt.datetime,
    window_start: dt.datetime,
) -> tuple[int, int, dict[str, int]]:
    """Classify a batch read without locks; then, in one transaction, lock,
    re-check and write only the ratings that move.

    Returns the ratings written, the class changes written and the classes of
    the whole batch (as written, else as read).
    """
    codes = [r.subject_code for r in ratings]
    facts, black = _facts(codes, lo, codes[-1], today, window_start)
    moving = _outcomes(ratings, facts, black, today)
    moving_pks = {r.pk for r, _ in moving}
    counts: dict[str, int] = {}
    for rating in ratings:
        if rating.pk not in moving_pks:
            counts[rating.credit_class] = counts.get(rating.credit_class, 0) + 1
    if not moving:
        return 0, 0, counts
    with transaction.atomic():
        # Under the lock: the rows as committed now, their facts read again.
        locked = _ratings(
            CreditRating.objects.select_for_update()
            .filter(pk__in=sorted(moving_pks))
            .order_by("subject_code")
        )
        if not locked:
            return 0, 0, counts
        locked_codes = [r.subject_code for r in locked]
        facts, black = _facts(locked_codes, lo, locked_codes[-1], today, window_start)
        changed: list[_Rating] = []
        changes: list[ClassChange] = []
        for rating, outcome in _outcomes(locked, facts, black, today):
            code = rating.subject_code
            if rating.credit_class != outcome.credit_class:
                changes.append(
                    ClassChange(
                        subject_code=code,
                        from_class=rating.credit_class,
                        to_class=outcome.credit_class,
                        score=outcome.score,
                        rule_version=rules.VERSION,
                        record_ids=list(outcome.record_ids),
                        explanation=outcome.explanation,
                        changed_at=moment,
                    )
                )
            rating.credit_class = outcome.credit_class
            rating.score = outcome.score
            rating.rule_version = rules.VERSION
            changed.append(rating)
        for rating in locked:  # as written, or as committed by the one that changed it first
            counts[rating.credit_class] = counts.get(rating.credit_class, 0) + 1
        if changed:
            _write(changed, moment)
        if changes:
            ClassChange.objects.bulk_create(changes, batch_size=1000)
    return len(changed), len(changes), counts


def _write(changed: list[_Rating], moment: dt.datetime) -> None:
    """One ``UPDATE … FROM (VALUES …)`` per thousand ratings (PostgreSQL, SQLite ≥ 3.33):
    ``bulk_update``'s ``CASE WHEN id = … THEN`` costs rows × branches, which at a
    thousand rows a statement was most of the recomputation's time."""
    table = CreditRating._meta.db_table
    at = connection.ops.adapt_datetimefield_value(moment)
    with connection.cursor() as cursor:
        for start in range(0, len(changed), 1000):
            chunk = changed[start : start + 1000]
            rows = ", ".join(["(%s, %s, %s)"] * len(chunk))
            params: list[Any] = [rules.VERSION, at]
            for rating in chunk:
                params.extend((rating.pk, rating.credit_class, rating.score))
            cursor.execute(
                f"UPDATE {table} SET credit_class = v.column2, score = v.column3, "  # noqa: S608  (table name from the model, values bound)
                f"rule_version = %s, computed_at = %s FROM (VALUES {rows}) AS v "
                f"WHERE {table}.id = v.column1",
                params,
            )


def class_recompute_all(
    *, now: dt.datetime | None = None, batch_size: int = BATCH, after: str = ""
) -> Recount:
    """Recompute the class of every rated subject by the current rules, batch by batch."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    # Rule 1: records older than the window no longer count (rules.counted).
    window_start = dt.datetime.combine(
        today - dt.timedelta(days=rules.WINDOW_DAYS), dt.time(), tzinfo=clock.SHANGHAI
    )
    result = Recount()
    cursor = after
    while True:
        ratings = _ratings(
            CreditRating.objects.filter(subject_code__gt=cursor).order_by("subject_code")[
                :batch_size
            ]
        )
        if not ratings:
            break
        changed, _, counts = _batch(ratings, cursor, today, moment, window_start)
        result.subjects += len(ratings)
        result.changed += changed
        result.batches += 1
        for cls, n in counts.items():
            if n:
                result.by_class[cls] = result.by_class.get(cls, 0) + n
        cursor = ratings[-1].subject_code
    audit_record(
        actor="system",
        action="credit.class_recompute_all",
        object_type="credit_rating",
        object_id=rules.VERSION,
        details={"subjects": result.subjects, "changed": result.changed},
        now=moment,
    )
    return result
