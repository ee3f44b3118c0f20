"""Bulk recomputation of credit classes (issue 17): classes that move with time
alone are recomputed batch by batch, each change explained once; a second run
changes nothing; the command prints what it did."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command

from tongban.credit.models import ClassChange, CreditRating, ListEntry
from tongban.credit.services.lists import list_entry_add
from tongban.credit.services.recompute import class_recompute_all
from tongban.credit.services.records import credit_record_add
from tongban.credit.tests.conftest import T0, entity_code


def _record(code: str, severity: str, days_ago: int, ref: str) -> None:
    credit_record_add(
        subject_code=code, subject_kind="entity", ref=ref,
        source="commendation" if severity == "positive" else "penalty",
        summary="测试记录", severity=severity, occurred_at=T0 - dt.timedelta(days=days_ago),
        actor=None, now=T0,
    )  # fmt: skip


def test_classes_that_move_with_time_are_recomputed_in_batches_and_explained(world):
    ageing, capped, listed, steady = (entity_code(n) for n in (1, 2, 3, 4))
    _record(ageing, "general", 3 * 365 - 10, "old-1")  # counts for ten more days: B
    _record(capped, "serious", 300, "serious-1")  # 100 − 40 + 2 × 5 = 70 (B) …
    _record(capped, "positive", 10, "praise-1")
    _record(capped, "positive", 9, "praise-2")  # … but a serious record within a year: C
    _record(steady, "minor", 10, "minor-1")  # 95: A
    list_entry_add(
        list_code=world.black.code, subject_kind="entity", subject_code=listed,
        reason="事由", legal_basis="依据", valid_until=dt.date(2026, 11, 30), actor=None, now=T0,
    )  # fmt: skip
    before = {r.subject_code: r.credit_class for r in CreditRating.objects.all()}
    assert before == {ageing: "B", capped: "C", listed: "D", steady: "A"}
    changes = ClassChange.objects.count()
    # Sixty-six days on: the old record has aged out, the serious one is over a year
    # old, the entry's validity has ended (nothing swept it). Batches of two.
    later = T0 + dt.timedelta(days=66)
    result = class_recompute_all(now=later, batch_size=2)
    assert (result.subjects, result.batches, result.changed) == (4, 2, 3)
    assert result.by_class == {"A": 3, "B": 1}
    after = {r.subject_code: r.credit_class for r in CreditRating.objects.all()}
    assert after == {ageing: "A", capped: "B", listed: "A", steady: "A"}
    new = ClassChange.objects.filter(changed_at=later)
    assert new.count() == 3  # the steady one is not touched
    aged = new.get(subject_code=ageing)
    assert (aged.from_class, aged.to_class, aged.record_ids) == ("B", "A", [])
    uncapped = new.get(subject_code=capped)
    assert (uncapped.from_class, uncapped.to_class, uncapped.score) == ("C", "B", 70)
    assert ClassChange.objects.count() == changes + 3
    assert ListEntry.objects.get(subject_code=listed).status == "active"  # not swept, just over
    again = class_recompute_all(now=later, batch_size=3)
    assert again.changed == 0 and ClassChange.objects.count() == changes + 3


def test_the_command_recomputes_and_reports(world):
    _record(entity_code(9), "general", 5, "cmd-1")
    out = StringIO()
    call_command("credit", "recompute", "--batch-size", "500", stdout=out)
    assert "subjects=1 changed=0 batches=1 B=1" in out.getvalue()
