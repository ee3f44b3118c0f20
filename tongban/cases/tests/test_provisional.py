"""Work at the year's end (ADR-0006): 2027 has no State Council notice yet.

With the clock on Mon 28 Dec 2026, a 20-working-day licence is submitted,
accepted and decided; its dates fall in 2027, are counted on the provisional
year and marked so. Importing the 2027 notice (the test fixture of the core
calendar tests, which differs from the provisional year by its 调休 days)
recounts them, with a history row and an SMS where one moved.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tongban.cases import services
from tongban.cases.models import Case, CaseEvent
from tongban.cases.services.recount import cases_recount_provisional
from tongban.cases.tests.test_clock_law import twenty_day_item
from tongban.cases.tests.test_services import submit
from tongban.core import calendar, clock
from tongban.core.calendar import get_calendar
from tongban.core.models import AuditEvent, Notification
from tongban.core.services import (
    calendar_notice_import,
    calendar_notice_parse,
    calendar_override_set,
)

D = dt.date
NOTICE = Path(calendar.__file__).parent / "tests" / "data" / "calendar-2027.yaml"
# Mon 28 Dec 2026, 10:00 in Shanghai.
DEC28 = dt.datetime(2026, 12, 28, 2, 0, tzinfo=dt.UTC)
RECOUNT = "依据 2027 年放假通知调整"


def at(days: int) -> dt.datetime:
    return DEC28 + dt.timedelta(days=days)


@pytest.fixture(autouse=True)
def _clock_in_late_january(monkeypatch):
    """The outbox and its tasks read the clock: Wed 27 Jan 2027 for them."""
    monkeypatch.setattr(clock, "now", lambda: at(30))


def _import_notice(capture, moment: dt.datetime) -> None:
    notice = calendar_notice_parse(NOTICE.read_text(encoding="utf-8"), filename=NOTICE.name)
    with capture(execute=True):
        calendar_notice_import(notice=notice, actor="test", now=moment)


def _decided_at_the_year_end(world) -> Case:
    """Submitted and accepted Mon 28 Dec 2026, decided Tue 26 Jan 2027."""
    case = submit(world, item=twenty_day_item(), now=at(0))
    case = services.case_accept(case_id=case.pk, actor=world.clerk, now=at(0))
    # Tue 29 … Thu 31 Dec (3); 1 Jan 元旦 and the weekend; 4–8 Jan (8),
    # 11–15 (13), 18–22 (18), Mon 25 (19), Tue 26 Jan 2027 (20).
    assert case.decision_deadline == D(2027, 1, 26)
    assert case.provisional_year == 2027
    return services.case_decide(
        case_id=case.pk,
        actor=world.reviewer,
        outcome="granted",
        reason="符合卫生要求",
        legal_basis="《公共场所卫生管理条例》第八条",
        now=at(29),
    )


def test_a_case_at_the_year_end_is_received_accepted_and_decided(world):
    case = _decided_at_the_year_end(world)

    assert case.status == "decided"
    cal = get_calendar()
    # Decided Tue 26 Jan: 27–29 Jan (3), 1–4 Feb (7), 5–10 Feb 春节 and its
    # provisional 补假, 11, 12 (9), Mon 15 Feb 2027 (10) — 第四十四条.
    assert case.delivery_deadline == D(2027, 2, 15)
    assert cal.is_provisional(case.delivery_deadline)
    assert cal.is_provisional(case.acceptance_deadline)  # Tue 5 Jan 2027
    assert case.provisional_year == 2027


def test_importing_the_notice_recounts_the_dates_with_history_and_tells_the_applicant(
    world, django_capture_on_commit_callbacks
):
    decided = _decided_at_the_year_end(world)
    waiting = submit(world, item=twenty_day_item("010000000198"), now=at(0))
    assert waiting.acceptance_deadline == D(2027, 1, 5)

    _import_notice(django_capture_on_commit_callbacks, at(30))

    decided.refresh_from_db()
    waiting.refresh_from_db()
    # The notice makes Sun 31 Jan a working day and rests 5–13 Feb: Mon 16 Feb.
    assert decided.delivery_deadline == D(2027, 2, 16)
    assert decided.provisional_year is None
    change = CaseEvent.objects.get(case=decided, action="deadline_change", reason=RECOUNT)
    assert change.details == {
        "field": "delivery_deadline",
        "from": "2027-02-15",
        "to": "2027-02-16",
    }
    sms = Notification.objects.get(purpose="case.deadline_recount")
    assert "送达期限调整为2027年2月16日" in sms.body
    assert RECOUNT in sms.body
    # 5 Jan does not move under the notice: no history row, no message, and
    # the date is no longer provisional.
    assert waiting.acceptance_deadline == D(2027, 1, 5)
    assert waiting.provisional_year is None
    assert not CaseEvent.objects.filter(case=waiting, reason=RECOUNT).exists()
    assert AuditEvent.objects.filter(action="case.deadlines_recounted").count() == 1


def test_a_second_recount_changes_nothing(world, django_capture_on_commit_callbacks):
    decided = _decided_at_the_year_end(world)
    _import_notice(django_capture_on_commit_callbacks, at(30))
    history = CaseEvent.objects.filter(case=decided).count()

    result = cases_recount_provisional(now=at(31))

    assert result.checked == 0
    assert CaseEvent.objects.filter(case=decided).count() == history


def test_a_corrected_provisional_day_recounts_that_years_cases(
    world, django_capture_on_commit_callbacks
):
    decided = _decided_at_the_year_end(world)

    # Before the notice, an administrator marks Thu 11 Feb 2027 as a rest day.
    with django_capture_on_commit_callbacks(execute=True):
        calendar_override_set(
            date=D(2027, 2, 11), working=False, name="春节", source="预告", actor="admin",
            now=at(30),
        )  # fmt: skip

    decided.refresh_from_db()
    assert decided.delivery_deadline == D(2027, 2, 16)
    assert decided.provisional_year == 2027  # still no notice
    assert CaseEvent.objects.filter(case=decided, reason="依据 2027 年日历调整").exists()
