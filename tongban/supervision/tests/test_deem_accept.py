"""The scheduler's deemed acceptance (行政许可法 第三十二条): cases.services.sweeps."""

from __future__ import annotations

import datetime as dt

from tongban.cases import services
from tongban.cases.models import Case, CaseEvent, CaseStatus
from tongban.cases.services import sweeps
from tongban.cases.services.sweeps import cases_deem_accept_due
from tongban.cases.tasks import cases_deem_accept_sweep
from tongban.core import scheduler
from tongban.core.models import AuditEvent


def _shanghai(day: dt.date, hour: int = 10) -> dt.datetime:
    """``hour`` o'clock in Asia/Shanghai on ``day``, as an aware UTC moment."""
    return dt.datetime(day.year, day.month, day.day, hour - 8, tzinfo=dt.UTC)


def test_an_unanswered_case_is_deemed_accepted_on_receipt_only_after_the_holiday(world):
    # Mon 28 Sep 2026; 国庆 1–7 Oct are holidays and Sat 10 Oct is a make-up
    # working day: Tue 29, Wed 30 Sep, Thu 8, Fri 9, Sat 10 Oct → deadline Sat 10 Oct.
    case = world.submit(at=_shanghai(dt.date(2026, 9, 28)))
    assert case.acceptance_deadline == dt.date(2026, 10, 10)
    # Mon 5 Oct would be the fifth weekday; in the holiday nothing happens.
    assert cases_deem_accept_due(now=_shanghai(dt.date(2026, 10, 5))) == []
    # The deadline day itself is still in time (23:00 in Shanghai, 15:00 UTC).
    assert cases_deem_accept_due(now=_shanghai(dt.date(2026, 10, 10), hour=23)) == []
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED

    # Sun 11 Oct, 00:30 in Shanghai (still Sat 10 Oct in UTC): the deadline has passed.
    done = cases_deem_accept_due(now=dt.datetime(2026, 10, 10, 16, 30, tzinfo=dt.UTC))
    assert done == [case.case_no]
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert case.deemed_accepted is True
    assert case.accepted_on == dt.date(2026, 9, 28)  # the day of receipt, not of the sweep
    # The decision clock runs from receipt: 5 working days → Sat 10 Oct.
    assert case.decision_deadline == dt.date(2026, 10, 10)
    event = CaseEvent.objects.get(case=case, action="deem_accept")
    assert event.actor_label == "system"
    assert AuditEvent.objects.filter(action="case.deem_accept", object_id=case.case_no).count() == 1


def test_the_sweep_is_idempotent(world):
    case = world.submit()  # Mon 2 Nov → deadline Mon 9 Nov
    later = world.at(days=9)  # Wed 11 Nov
    assert cases_deem_accept_due(now=later) == [case.case_no]
    assert cases_deem_accept_due(now=later) == []
    assert cases_deem_accept_due(now=world.at(days=20)) == []
    assert CaseEvent.objects.filter(case=case, action="deem_accept").count() == 1


def test_a_case_answered_in_time_is_not_deemed_accepted(world):
    noticed = world.submit()
    services.case_request_supplement(
        case_id=noticed.pk,
        actor=world.cases.clerk,
        items=[{"code": "layout", "name": "经营场所平面布局图", "reason": "图纸不清晰"}],
        now=world.at(days=1),
    )
    accepted = world.submit()
    services.case_accept(case_id=accepted.pk, actor=world.cases.clerk, now=world.at(days=1))
    refused = world.submit()
    services.case_refuse(
        case_id=refused.pk, actor=world.cases.clerk, reason="不属于本机关职权", now=world.at()
    )
    unanswered = world.submit()

    assert cases_deem_accept_due(now=world.at(days=30)) == [unanswered.case_no]
    noticed.refresh_from_db()
    assert noticed.status == CaseStatus.SUPPLEMENT_REQUESTED
    assert noticed.deemed_accepted is False
    accepted.refresh_from_db()
    assert (accepted.deemed_accepted, accepted.accepted_on) == (False, dt.date(2026, 11, 3))
    assert Case.objects.get(pk=refused.pk).status == CaseStatus.REFUSED


def test_a_case_accepted_between_query_and_transition_is_skipped(world, monkeypatch):
    """The transition refuses a case that moved on; the sweep carries on."""
    first, second = world.submit(), world.submit()
    real = services.case_deem_accept

    def clerk_was_faster(*, case_id, now=None):
        if case_id == first.pk:
            services.case_accept(case_id=first.pk, actor=world.cases.clerk, now=now)
        return real(case_id=case_id, now=now)

    monkeypatch.setattr(sweeps, "case_deem_accept", clerk_was_faster)
    assert cases_deem_accept_due(now=world.at(days=9)) == [second.case_no]
    # The clerk came late too: the law deems it accepted on receipt all the same
    # (第三十二条), recorded by the clerk's acceptance, not by the sweep.
    first = Case.objects.get(pk=first.pk)
    assert (first.deemed_accepted, first.accepted_on) == (True, first.received_on)
    assert list(first.events.values_list("action", flat=True)).count("deem_accept") == 0
    assert Case.objects.get(pk=second.pk).deemed_accepted is True


def test_the_task_runs_and_both_jobs_are_registered():
    names = {job.name: job for job in scheduler.jobs()}
    assert names["cases_deem_accept"].task_path == "tongban.cases.tasks.cases_deem_accept_sweep"
    assert names["cases_deem_accept"].every_seconds == 600
    assert names["supervision_alerts"].every_seconds == 900
    result = cases_deem_accept_sweep.enqueue()
    assert result.return_value == 0


def test_the_sweep_reads_in_pages_and_misses_none(world, monkeypatch):
    monkeypatch.setattr(sweeps, "CHUNK", 2)
    cases = [world.submit() for _ in range(5)]
    assert cases_deem_accept_due(now=world.at(days=9)) == [c.case_no for c in cases]
