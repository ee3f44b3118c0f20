"""好差评 services: one rating per case per channel, and the rectification loop."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.evaluation import services, workflow
from tongban.evaluation.models import (
    Rating,
    Rectification,
    RectificationEvent,
    RectificationStatus,
)


def rate(ew, case, level="very_satisfied", reasons=(), text="", days=1):
    return services.rating_submit_for_case(
        case_id=case.pk,
        rater=ew.citizen,
        level=level,
        reasons=list(reasons),
        text=text,
        now=ew.at(days=days),
    )


def bad(ew):
    case = ew.concluded_case()
    rating, _ = rate(ew, case, level="dissatisfied", reasons=["slow"], text="等了很久")
    return rating.rectification


def test_a_good_rating_is_stored_once_and_opens_no_rectification(ew):
    case = ew.concluded_case()
    rating, created = rate(ew, case, reasons=["fast", "fast", "friendly"])
    assert created
    assert (rating.score, rating.is_bad, rating.reasons) == (5, False, ["fast", "friendly"])
    assert rating.department_id == case.department_id
    assert rating.service_item_id == case.service_item_id
    assert rating.region_path == case.region_path
    assert not Rectification.objects.exists()
    assert AuditEvent.objects.filter(action="rating.submit", object_id=case.case_no).count() == 1


def test_submitting_the_same_rating_again_returns_the_stored_one(ew):
    case = ew.concluded_case()
    first, _ = rate(ew, case, level="satisfied", reasons=["fast"])
    again, created = rate(ew, case, level="satisfied", reasons=["fast"], days=2)
    assert not created and again.pk == first.pk
    assert Rating.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(action="rating.submit").count() == 1


def test_a_different_second_rating_is_refused(ew):
    case = ew.concluded_case()
    rate(ew, case, level="satisfied")
    with pytest.raises(DomainError) as exc:
        rate(ew, case, level="very_dissatisfied", reasons=["attitude"])
    assert exc.value.code == "rating_exists"
    assert Rating.objects.get(case=case).level == "satisfied"
    assert not Rectification.objects.exists()


def test_the_same_case_may_be_rated_once_per_channel(ew):
    case = ew.concluded_case()
    rate(ew, case)
    _, created = services.rating_submit_for_case(
        case_id=case.pk, rater=ew.citizen, level="satisfied", channel="window", now=ew.at(days=1)
    )
    assert created
    assert Rating.objects.filter(case=case).count() == 2
    with pytest.raises(DomainError) as exc:
        services.rating_submit_for_case(
            case_id=case.pk, rater=ew.citizen, level="satisfied", channel="hotline"
        )
    assert exc.value.code == "rating_channel_invalid"


def test_a_case_still_being_handled_cannot_be_rated(ew):
    case = ew.open_case()
    with pytest.raises(DomainError) as exc:
        rate(ew, case)
    assert exc.value.code == "rating_not_open"
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("level", "reasons", "text", "code"),
    [
        ("great", [], "", "rating_level_invalid"),
        ("", [], "", "rating_level_invalid"),
        ("satisfied", ["bribes"], "", "rating_reason_invalid"),
        # 51号文: a bad rating says what went wrong.
        ("dissatisfied", [], "   ", "rating_reason_required"),
        ("satisfied", [], "字" * 501, "validation_failed"),
    ],
)
def test_bad_rating_input_is_refused_with_its_code(ew, level, reasons, text, code):
    case = ew.concluded_case()
    with pytest.raises(DomainError) as exc:
        rate(ew, case, level=level, reasons=reasons, text=text)
    assert exc.value.code == code
    assert not Rating.objects.exists()


def test_a_bad_rating_opens_a_rectification_due_in_15_working_days(ew):
    rect = bad(ew)
    assert rect.status == RectificationStatus.OPEN
    # Rated Tue 3 Nov 2026 + 15 working days → Tue 24 Nov 2026 (no holiday between).
    assert rect.due_on == dt.date(2026, 11, 24)
    assert rect.limit_working_days == 15
    assert rect.department_id == rect.rating.department_id
    assert list(rect.events.values_list("action", "to_status")) == [("open", "open")]
    assert AuditEvent.objects.filter(action="rectification.open").count() == 1


def test_a_bad_rating_goes_through_to_a_closed_outcome(ew):
    w = ew.cases
    rect = bad(ew)
    rect = services.rectification_answer(
        rectification_id=rect.pk,
        actor=w.head,
        cause="审查环节积压",
        measures="增加审查人员，已向申请人说明。",
        expected_version=rect.version,
        now=ew.at(days=3),
    )
    assert (rect.status, rect.on_time) == ("answered", True)
    rect = services.rectification_revisit(
        rectification_id=rect.pk, actor=ew.citizen, satisfied=True, note="满意", now=ew.at(days=4)
    )
    assert (rect.status, rect.revisit_satisfied) == ("revisited", True)
    rect = services.rectification_close(
        rectification_id=rect.pk,
        actor=ew.supervisor,
        outcome="已整改，申请人认可。",
        now=ew.at(days=4, hours=1),
    )
    assert rect.status == "closed" and rect.closed_at is not None
    assert list(rect.events.values_list("action", flat=True)) == [
        "open",
        "answer",
        "revisit",
        "close",
    ]
    assert AuditEvent.objects.filter(object_type="rectification").count() == 4


def test_an_unsatisfied_revisit_is_escalated_and_answered_again(ew):
    w = ew.cases
    rect = bad(ew)
    services.rectification_answer(
        rectification_id=rect.pk, actor=w.clerk, cause="原因", measures="说明", now=ew.at(days=2)
    )
    services.rectification_revisit(
        rectification_id=rect.pk, actor=ew.supervisor, satisfied=False, note="仍不满意"
    )
    rect = services.rectification_escalate(
        rectification_id=rect.pk, actor=ew.supervisor, reason="请当面向申请人说明。"
    )
    assert (rect.status, rect.escalations) == ("escalated", 1)
    rect = services.rectification_answer(
        rectification_id=rect.pk, actor=w.head, cause="原因", measures="已当面说明。"
    )
    assert rect.status == "answered"


def test_closing_without_an_outcome_is_refused_and_changes_nothing(ew):
    w = ew.cases
    rect = bad(ew)
    services.rectification_answer(rectification_id=rect.pk, actor=w.head, cause="c", measures="m")
    services.rectification_revisit(rectification_id=rect.pk, actor=ew.citizen, satisfied=True)
    with pytest.raises(DomainError) as exc:
        services.rectification_close(rectification_id=rect.pk, actor=ew.supervisor, outcome="  ")
    assert exc.value.code == "rectification_outcome_required"
    assert Rectification.objects.get(pk=rect.pk).status == "revisited"


def test_only_the_right_roles_in_scope_act(ew):
    w = ew.cases
    rect = bad(ew)
    for actor, action in [
        (w.other_clerk, "answer"),  # 赣州: not in scope
        (ew.supervisor, "answer"),  # supervisors do not answer for the department
        (ew.accounts.other_citizen, "answer"),
    ]:
        with pytest.raises(DomainError) as exc:
            services.rectification_answer(
                rectification_id=rect.pk, actor=actor, cause="c", measures="m"
            )
        assert exc.value.code == "permission_denied", (actor, action)
    services.rectification_answer(
        rectification_id=rect.pk, actor=w.reviewer, cause="c", measures="m"
    )
    for actor in (w.clerk, ew.accounts.other_citizen):
        with pytest.raises(DomainError) as exc:
            services.rectification_revisit(rectification_id=rect.pk, actor=actor, satisfied=True)
        assert exc.value.code == "permission_denied"
    assert Rectification.objects.get(pk=rect.pk).status == "answered"


def test_a_stale_version_is_refused(ew):
    rect = bad(ew)
    with pytest.raises(DomainError) as exc:
        services.rectification_answer(
            rectification_id=rect.pk,
            actor=ew.cases.head,
            cause="c",
            measures="m",
            expected_version=rect.version + 1,
        )
    assert exc.value.code == "rectification_version_mismatch"


CALLS: dict[str, tuple[Any, dict[str, Any]]] = {
    "answer": (services.rectification_answer, {"cause": "c", "measures": "m"}),
    "revisit": (services.rectification_revisit, {"satisfied": True}),
    "close": (services.rectification_close, {"outcome": "o"}),
    "escalate": (services.rectification_escalate, {"reason": "r"}),
    "appeal": (services.rectification_appeal, {"reason": "r"}),
    "uphold_appeal": (services.rectification_appeal_decide, {"upheld": True, "reason": "r"}),
    "reject_appeal": (services.rectification_appeal_decide, {"upheld": False, "reason": "r"}),
}


@pytest.mark.parametrize("status", RectificationStatus.values)
@pytest.mark.parametrize("action", list(workflow.TRANSITIONS))
def test_every_transition_of_the_table(ew, action, status):
    rect = bad(ew)
    Rectification.objects.filter(pk=rect.pk).update(status=status)  # set up the state
    target = workflow.target(action, status)
    call, args = CALLS[action]
    if target is None:
        with pytest.raises(DomainError) as exc:
            call(rectification_id=rect.pk, actor=None, **args)
        assert exc.value.code == "rectification_invalid_transition"
        assert Rectification.objects.get(pk=rect.pk).status == status
        assert RectificationEvent.objects.filter(rectification=rect).count() == 1
    else:
        assert call(rectification_id=rect.pk, actor=None, **args).status == target
        assert RectificationEvent.objects.filter(rectification=rect).count() == 2


def test_an_overdue_rectification_is_escalated_once_and_counts_late(ew):
    rect = bad(ew)
    # Due Tue 24 Nov: on that day nothing happens, on Wed 25 Nov it is escalated.
    assert services.rectifications_overdue_sweep(now=ew.at(days=22)) == 0
    assert services.rectifications_overdue_sweep(now=ew.at(days=23)) == 1
    assert services.rectifications_overdue_sweep(now=ew.at(days=24)) == 0
    rect = Rectification.objects.get(pk=rect.pk)
    assert (rect.status, rect.escalations) == ("escalated", 1)
    assert [e.actor_label for e in rect.events.all()][-1] == "system"
    rect = services.rectification_answer(
        rectification_id=rect.pk, actor=ew.cases.head, cause="c", measures="m", now=ew.at(days=24)
    )
    assert rect.on_time is False


def test_a_concluded_case_invites_its_applicant_to_rate_it_once(ew):
    from tongban.core import events
    from tongban.core.models import Notification, OutboxMessage

    case = ew.concluded_case()
    message = OutboxMessage.objects.get(
        event="case.handle_immediately",
        subscriber="tongban.evaluation.subscribers.on_case_concluded",
        payload__case_no=case.case_no,
    )
    assert events.outbox_deliver(message_id=message.pk, now=ew.at(hours=2)) == "delivered"
    invites = Notification.objects.filter(purpose="evaluation.invite", object_id=case.case_no)
    assert invites.count() == 1 and "好差评" in invites.get().body
    assert services.rating_invite(case_no=case.case_no)  # again: the stored one, no second SMS
    assert invites.count() == 1
    # A case in handling, or already rated, is not invited.
    assert not services.rating_invite(case_no=ew.open_case().case_no)
    rated = ew.concluded_case()
    rate(ew, rated)
    assert not services.rating_invite(case_no=rated.case_no)
    assert not services.rating_invite(case_no="nope")


@pytest.fixture
def admin(ew):
    from tongban.cases.tests.conftest import _staff
    from tongban.org.models import Department, Role

    nanjing = Department.objects.get(name="南京市市场监督管理局")
    return _staff("platform_admin", Role.PLATFORM_ADMIN, nanjing)


def test_an_upheld_appeal_closes_the_rectification_and_the_rating_stops_counting(ew, admin):
    from tongban.evaluation.selectors import rating_figures_for_staff

    rect = bad(ew)
    with pytest.raises(DomainError) as exc:  # a clerk does not appeal, a supervisor not decide
        services.rectification_appeal(rectification_id=rect.pk, actor=ew.cases.clerk, reason="r")
    assert exc.value.code == "permission_denied"
    with pytest.raises(DomainError) as exc:
        services.rectification_appeal(rectification_id=rect.pk, actor=ew.cases.head, reason=" ")
    assert exc.value.code == "rectification_text_required"
    rect = services.rectification_appeal(
        rectification_id=rect.pk, actor=ew.cases.head, reason="评价人办理的是其他部门的事项"
    )
    assert (rect.status, rect.appeal_reason) == ("appealed", "评价人办理的是其他部门的事项")
    with pytest.raises(DomainError) as exc:
        services.rectification_appeal_decide(
            rectification_id=rect.pk, actor=ew.supervisor, upheld=True, reason="r"
        )
    assert exc.value.code == "permission_denied"
    rect = services.rectification_appeal_decide(
        rectification_id=rect.pk, actor=admin, upheld=True, reason="经核实为误评"
    )
    assert (rect.status, rect.appeal_upheld, rect.outcome) == (
        "closed",
        True,
        "申诉成立：经核实为误评",
    )
    assert Rating.objects.get(pk=rect.rating_id).excluded
    assert rating_figures_for_staff(user=ew.supervisor, today=dt.date(2026, 12, 1)) == []


def test_a_rejected_appeal_sends_the_rectification_back_to_the_department(ew, admin):
    rect = bad(ew)
    services.rectification_appeal(rectification_id=rect.pk, actor=ew.cases.head, reason="恶意差评")
    rect = services.rectification_appeal_decide(
        rectification_id=rect.pk, actor=admin, upheld=False, reason="评价属实，请整改"
    )
    assert (rect.status, rect.appeal_upheld) == ("open", False)
    assert not Rating.objects.get(pk=rect.rating_id).excluded
    assert list(rect.events.values_list("action", flat=True)) == [
        "open",
        "appeal",
        "reject_appeal",
    ]


def test_a_rating_is_changed_once_within_the_window(ew):
    case = ew.concluded_case()
    rate(ew, case, level="satisfied")  # Tue 3 Nov
    rating = services.rating_change(
        case_id=case.pk,
        rater=ew.citizen,
        level="dissatisfied",
        reasons=["slow"],
        now=ew.at(days=8),  # Tue 10 Nov: the 7th day after, the last one
    )
    assert (rating.level, rating.previous_level, rating.is_bad) == (
        "dissatisfied",
        "satisfied",
        True,
    )
    assert Rectification.objects.get(rating=rating).status == "open"
    with pytest.raises(DomainError) as exc:
        services.rating_change(case_id=case.pk, rater=ew.citizen, level="satisfied")
    assert exc.value.code == "rating_change_used"
    assert AuditEvent.objects.filter(action="rating.change").count() == 1


def test_a_rating_cannot_be_changed_after_the_window_or_by_someone_else(ew):
    case = ew.concluded_case()
    rate(ew, case, level="satisfied")
    with pytest.raises(DomainError) as exc:
        services.rating_change(
            case_id=case.pk, rater=ew.citizen, level="very_satisfied", now=ew.at(days=9)
        )
    assert exc.value.code == "rating_change_closed"
    with pytest.raises(DomainError) as exc:
        services.rating_change(
            case_id=case.pk, rater=ew.accounts.other_citizen, level="very_satisfied"
        )
    assert exc.value.code == "not_found"
    assert Rating.objects.get(case=case).level == "satisfied"
