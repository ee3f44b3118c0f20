"""Operations tasks on the supervision desk: next year's holiday notice (ADR-0006)."""

from __future__ import annotations

import datetime as dt

from tongban.supervision.selectors import operations_tasks_for_staff

# Mon 28 Dec 2026, 10:00 in Shanghai: a submission's acceptance deadline
# (Tue 5 Jan 2027) is counted on the provisional 2027.
DEC28 = dt.datetime(2026, 12, 28, 2, 0, tzinfo=dt.UTC)


def test_the_notice_task_counts_the_provisional_cases_in_scope(world):
    world.submit(at=DEC28)
    world.submit(at=DEC28)
    world.submit(item=world.gz_item, at=DEC28)  # 赣州: not in 南京's scope

    tasks = operations_tasks_for_staff(user=world.supervisor, today=dt.date(2026, 12, 28))
    gz_tasks = operations_tasks_for_staff(user=world.gz_supervisor, today=dt.date(2026, 12, 28))

    assert [(t.code, t.cases) for t in tasks] == [("calendar_notice_due", 2)]
    assert "2027" in tasks[0].title
    assert [t.cases for t in gz_tasks] == [1]


def test_no_task_for_a_clerk_or_before_november(world):
    world.submit(at=DEC28)

    assert operations_tasks_for_staff(user=world.cases.clerk, today=dt.date(2026, 12, 28)) == []
    assert operations_tasks_for_staff(user=world.supervisor, today=dt.date(2026, 10, 31)) == []
