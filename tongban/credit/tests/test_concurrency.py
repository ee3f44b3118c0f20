"""Real concurrency on PostgreSQL (issue 17): on one entity, a listing, an approved
repair, a new record and the bulk recomputation at the same moment leave the
class that the rules give for what was finally committed, and the history of
class changes is one unbroken chain."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from tongban.core.errors import DomainError
from tongban.credit import rules
from tongban.credit.models import ClassChange, CreditRating, CreditRecord, ListEntry
from tongban.credit.services.lists import list_entry_add
from tongban.credit.services.recompute import class_recompute_all
from tongban.credit.services.records import credit_record_add
from tongban.credit.services.repairs import repair_apply, repair_review
from tongban.credit.tests.conftest import T0, entity_code, make_lists

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (postgres leg)"
    ),
]


def _in_threads(works: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(works))
    results: list[object] = [None] * len(works)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = works[i]()
        except DomainError as exc:
            results[i] = exc.code
        except Exception as exc:  # noqa: BLE001  (the test inspects every outcome)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _expected(code: str, today: dt.date) -> str:
    facts = [
        rules.Fact(pk, severity, at.date())
        for pk, severity, at in CreditRecord.objects.filter(subject_code=code).values_list(
            "pk", "severity", "occurred_at"
        )
    ]
    black = ListEntry.objects.filter(
        subject_code=code, status="active", credit_list__kind="black", valid_until__gte=today
    ).exists()
    return rules.classify(facts, black_listed=black, today=today).credit_class


def _chain_unbroken(code: str) -> None:
    changes = list(ClassChange.objects.filter(subject_code=code).order_by("changed_at", "pk"))
    for earlier, later in itertools.pairwise(changes):
        assert later.from_class == earlier.to_class, [(c.from_class, c.to_class) for c in changes]
    assert changes[-1].to_class == CreditRating.objects.get(subject_code=code).credit_class


def _round(world: Any, round_: int) -> str:
    """One entity: its black-list entry repaired while another list takes it, a
    record arrives and the bulk recomputation runs, all at once."""
    today = T0.date()
    code = entity_code(700 + round_)
    entry = list_entry_add(
        list_code=world.black.code, subject_kind="entity", subject_code=code,
        reason="事由", legal_basis="依据", valid_until=today + dt.timedelta(days=200),
        actor=None, now=T0,
    )  # fmt: skip
    (repair,) = repair_apply(subject_code=code, reason="已整改", evidence="报告", now=T0)
    moment = T0 + dt.timedelta(minutes=round_ + 1)

    def approve() -> object:
        return repair_review(
            repair=repair, approve=True, note="整改到位", reviewer=None, now=moment
        ).status

    def listing() -> object:
        return list_entry_add(
            list_code=world.commitment_black.code, subject_kind="entity", subject_code=code,
            reason="告知承诺不实", legal_basis="依据", valid_until=today + dt.timedelta(days=90),
            actor=None, now=moment,
        ).pk  # fmt: skip

    def record() -> object:
        return credit_record_add(
            subject_code=code, subject_kind="entity", source="penalty", ref=f"p-{round_}",
            summary="罚款", severity="general", occurred_at=moment, actor=None, now=moment,
        ).pk  # fmt: skip

    def recompute() -> object:
        return class_recompute_all(now=moment, batch_size=2).subjects

    results = _in_threads([approve, listing, record, recompute])
    assert not any(isinstance(r, Exception) for r in results), results
    entry.refresh_from_db()
    assert entry.status == "removed"
    return code


@pytest.mark.django_db(transaction=True)
def test_a_listing_a_repair_a_record_and_the_bulk_recompute_at_once_stay_consistent():
    world = make_lists()
    for round_ in range(4):
        code = _round(world, round_)
        # The second list holds it: D, whatever order the four committed in.
        assert _expected(code, T0.date()) == "D"
        rating = CreditRating.objects.get(subject_code=code)
        assert (rating.credit_class, rating.score) == ("D", 85)
        _chain_unbroken(code)


@pytest.mark.django_db(transaction=True)
def test_parallel_repairs_and_recomputes_leave_the_repaired_class():
    world = make_lists()
    today = T0.date()
    code = entity_code(800)
    list_entry_add(
        list_code=world.black.code, subject_kind="entity", subject_code=code,
        reason="事由", legal_basis="依据", valid_until=today + dt.timedelta(days=200),
        actor=None, now=T0,
    )  # fmt: skip
    credit_record_add(
        subject_code=code, subject_kind="entity", source="penalty", ref="p-800",
        summary="警告", severity="minor", occurred_at=T0, actor=None, now=T0,
    )  # fmt: skip
    (repair,) = repair_apply(subject_code=code, reason="已整改", evidence="报告", now=T0)
    moment = T0 + dt.timedelta(hours=1)
    results = _in_threads(
        [
            lambda: (
                repair_review(
                    repair=repair, approve=True, note="整改到位", reviewer=None, now=moment
                ).status
            ),
            lambda: (
                repair_review(
                    repair=repair, approve=True, note="整改到位", reviewer=None, now=moment
                ).status
            ),
            lambda: class_recompute_all(now=moment).subjects,
            lambda: class_recompute_all(now=moment).subjects,
        ]
    )
    assert sorted(str(r) for r in results[:2]) == ["approved", "credit_repair_invalid_state"]
    assert _expected(code, today) == "A"  # 100 − 5 = 95, no longer listed
    rating = CreditRating.objects.get(subject_code=code)
    assert (rating.credit_class, rating.score) == ("A", 95)
    _chain_unbroken(code)


@pytest.mark.django_db(transaction=True)
def test_a_record_committed_between_the_bulk_read_and_its_lock_is_counted(monkeypatch):
    """The bulk recomputation reads without locks, then locks only what moves. A
    record that a single-subject recompute commits after the lock-free read, and
    before the bulk takes the lock, is counted: the bulk classifies again under the
    lock instead of writing what it read, and the class history stays one chain."""
    from tongban.credit.services import recompute

    make_lists()
    code = entity_code(900)
    credit_record_add(
        subject_code=code, subject_kind="entity", source="penalty", ref="old-900",
        summary="罚款", severity="general", occurred_at=T0 - dt.timedelta(days=3 * 365 - 5),
        actor=None, now=T0,
    )  # fmt: skip
    assert CreditRating.objects.get(subject_code=code).credit_class == "B"  # 100 − 15 = 85
    later = T0 + dt.timedelta(days=10)  # the old record has aged out: A, as read unlocked
    real = recompute._outcomes
    calls: list[int] = []

    def between(*args: Any, **kwargs: Any) -> Any:
        moved = real(*args, **kwargs)
        if not calls:  # after the lock-free read: another transaction commits a record
            calls.append(len(moved))
            _in_threads(
                [
                    lambda: credit_record_add(
                        subject_code=code, subject_kind="entity", source="penalty",
                        ref="new-900", summary="吊销许可证", severity="serious",
                        occurred_at=later, actor=None, now=later,
                    ).pk
                ]
            )  # fmt: skip
        return moved

    monkeypatch.setattr(recompute, "_outcomes", between)
    result = class_recompute_all(now=later)
    assert calls == [1]  # the unlocked read saw the subject move to A
    # 100 − 40 = 60 and a serious record within the year: C, not the A read unlocked.
    rating = CreditRating.objects.get(subject_code=code)
    assert (rating.credit_class, rating.score) == ("C", 60) == (_expected(code, later.date()), 60)
    assert result.changed == 0 and result.by_class == {"C": 1}
    _chain_unbroken(code)
