"""企业年度报告: the window, once per year, reminders once per round (R-CR-5)."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_credit_code
from tongban.core.models import Notification
from tongban.credit.models import AnnualReport
from tongban.credit.services.annual import (
    ABOLISHED,
    annual_report_submit,
    annual_reports_remind,
    in_window,
)
from tongban.identity.services import legal_entity_register, person_register

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (dt.date(2027, 1, 1), True),  # the first day
        (dt.date(2027, 6, 30), True),  # the last day
        (dt.date(2027, 7, 1), False),  # the day after
        (dt.date(2026, 12, 31), False),  # the day before
    ],
)
def test_the_window_is_1_january_to_30_june(day, open_):
    assert in_window(day) is open_


def test_a_report_in_the_window_once_and_a_reminder_once_to_those_who_have_not():
    person = person_register(name="张伟", id_number="11010519491231002X", phone="13800000001")
    done = legal_entity_register(
        credit_code=generate_credit_code("9132010270000001"), name="甲公司",
        legal_representative=person,
    )  # fmt: skip
    late = legal_entity_register(
        credit_code=generate_credit_code("9132010270000002"), name="乙公司",
        legal_representative=person,
    )  # fmt: skip
    with pytest.raises(DomainError) as closed:
        annual_report_submit(credit_code=done.credit_code, actor=None, now=at(dt.date(2026, 11, 2)))
    assert closed.value.code == "annual_report_closed" and "2027-01-01" in closed.value.detail
    report = annual_report_submit(
        credit_code=done.credit_code, actor=None, now=at(dt.date(2027, 3, 1))
    )
    assert report.year == 2026 and report.submitted_at is not None
    with pytest.raises(DomainError) as twice:
        annual_report_submit(credit_code=done.credit_code, actor=None, now=at(dt.date(2027, 3, 2)))
    assert twice.value.code == "annual_report_duplicate"
    assert annual_reports_remind(now=at(dt.date(2026, 11, 2)))["reminded"] == 0
    assert annual_reports_remind(now=at(dt.date(2027, 3, 3)))["reminded"] == 1
    annual_reports_remind(now=at(dt.date(2027, 3, 4)))  # the same round: no second SMS
    sent = Notification.objects.filter(purpose="annual_report")
    assert sent.count() == 1 and late.credit_code in sent.get().object_id
    assert AnnualReport.objects.get(credit_code=late.credit_code).submitted_at is None
    assert len(ABOLISHED) >= 4 and all(basis for _, _, basis in ABOLISHED)
