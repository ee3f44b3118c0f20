"""Bulk recomputation of credit classes (信用等级批量重算), batched and set-based.

Classes move with time alone: a record older than three years stops counting,
a serious record older than a year stops capping the class at C, and a list
entry past its validity stops making the subject D. Nothing happens to the
subject on that day, so the daily job (and ``tongban credit recompute`` after a
new rule version) recomputes every rated subject.

One batch at a time, in subject-code order (keyset, no OFFSET), each its own
transaction: lock the batch's rating rows (``SELECT … FOR UPDATE`` in code order,
so that the per-subject ``class_recompute`` of a listing or a repair serializes
with it), read the batch's counted records and black-list entries in one query
each, classify in Python (``rules.classify``), and write only what changed: one
``UPDATE … FROM (VALUES …)`` per 1,000 ratings and one ``bulk_create`` of the ``ClassChange``
rows that explain each change. Subjects without a rating have no records and no
entries (every service that writes one recomputes its subject), so by rule 6
they are A and need no row.
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


def _batch(
    codes: list[str], today: dt.date, moment: dt.datetime, window_start: dt.datetime
) -> tuple[list[CreditRating], list[ClassChange], dict[str, int]]:
    ratings = list(
        CreditRating.objects.select_for_update()
        .filter(subject_code__in=codes)
        .order_by("subject_code")
        .only("pk", "subject_code", "credit_class", "score", "rule_version")
    )
    facts: dict[str, list[rules.Fact]] = {}
    rows = CreditRecord.objects.filter(
        subject_code__in=codes, occurred_at__gte=window_start
    ).values_list("subject_code", "pk", "severity", "occurred_at")
    for code, pk, severity, at in rows.iterator(chunk_size=BATCH):
        facts.setdefault(code, []).append(rules.Fact(pk, severity, clock.local_date(at)))
    black = set(
        ListEntry.objects.filter(
            subject_code__in=codes,
            status=EntryStatus.ACTIVE,
            listed_on__lte=today,
            valid_until__gte=today,
            credit_list__kind=ListKind.BLACK,
            credit_list__active=True,
        ).values_list("subject_code", flat=True)
    )
    changed: list[CreditRating] = []
    changes: list[ClassChange] = []
    counts: dict[str, int] = {}
    for rating in ratings:
        code = rating.subject_code
        outcome = rules.classify(facts.get(code, ()), black_listed=code in black, today=today)
        counts[outcome.credit_class] = counts.get(outcome.credit_class, 0) + 1
        same = (rating.credit_class, rating.score, rating.rule_version) == (
            outcome.credit_class,
            outcome.score,
            rules.VERSION,
        )
        if same:
            continue
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
        rating.computed_at = moment
        changed.append(rating)
    return changed, changes, counts


def _write(changed: list[CreditRating], moment: dt.datetime) -> None:
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
        codes = list(
            CreditRating.objects.filter(subject_code__gt=cursor)
            .order_by("subject_code")
            .values_list("subject_code", flat=True)[:batch_size]
        )
        if not codes:
            break
        with transaction.atomic():
            changed, changes, counts = _batch(codes, today, moment, window_start)
            if changed:
                _write(changed, moment)
            if changes:
                ClassChange.objects.bulk_create(changes, batch_size=1000)
        result.subjects += len(codes)
        result.changed += len(changed)
        result.batches += 1
        for cls, n in counts.items():
            result.by_class[cls] = result.by_class.get(cls, 0) + n
        cursor = codes[-1]
    audit_record(
        actor="system",
        action="credit.class_recompute_all",
        object_type="credit_rating",
        object_id=rules.VERSION,
        details={"subjects": result.subjects, "changed": result.changed},
        now=moment,
    )
    return result
