"""The six rules of the 行政许可法 that the clock follows, on the services.

Table-driven, with the dates of the 2026 notice (国办发明电〔2025〕7号): November
2026 has no holiday, so every weekday counts. The case is received on
Mon 2 Nov 2026 (``world.at(0)``); its acceptance deadline is the fifth working
day after it, Mon 9 Nov (第三十二条).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import services
from tongban.cases.models import Case, CaseEvent, CaseStatus
from tongban.cases.services.intake import MaterialInput
from tongban.cases.tests.test_services import PDF, submit
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core.errors import DomainError
from tongban.org.models import Department

D = dt.date


def twenty_day_item(code: str = "010000000199"):
    """A licence whose promised limit is the statutory 20 working days."""
    basic = basic_item_create(
        code=code,
        name="公共场所卫生许可",
        item_type="01",
        legal_basis="《公共场所卫生管理条例》第八条",
        levels="234",
    )
    return guide_load_published(
        basic_item=basic,
        department=Department.objects.get(name="南京市市场监督管理局"),
        content=valid_guide(
            name="公共场所卫生许可", promised_limit={"value": 20, "unit": "working_days"}
        ),
    )


def _refused(call, code: str) -> DomainError:
    with pytest.raises(DomainError) as exc:
        call()
    assert exc.value.code == code
    return exc.value


# --- 1. Deemed acceptance is a fact, not a sweep (第三十二条) ------------------------

ACCEPT_ROWS = [
    # (accepted on day, accepted_on, deemed, decision deadline of a 20-day item)
    # Mon 9 Nov, the last of the five days: accepted that day; +20 → Mon 7 Dec.
    pytest.param(7, D(2026, 11, 9), False, D(2026, 12, 7), id="on-the-fifth-day"),
    # Tue 10 Nov, one day late: deemed accepted on receipt; 2 Nov +20 → Mon 30 Nov.
    pytest.param(8, D(2026, 11, 2), True, D(2026, 11, 30), id="one-day-late"),
    # Thu 12 Nov (the example): still from receipt, 2 Nov → Mon 30 Nov.
    pytest.param(10, D(2026, 11, 2), True, D(2026, 11, 30), id="received-11-02-accepted-11-12"),
]


@pytest.mark.parametrize(("day", "accepted_on", "deemed", "decision"), ACCEPT_ROWS)
def test_a_late_acceptance_records_deemed_acceptance_from_receipt(
    world, day, accepted_on, deemed, decision
):
    case = submit(world, item=twenty_day_item())

    case = services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=day))

    assert case.status == CaseStatus.ACCEPTED
    assert case.accepted_on == accepted_on
    assert case.deemed_accepted is deemed
    assert case.decision_deadline == decision
    event = CaseEvent.objects.get(case=case, action="accept")
    assert event.details.get("deemed", False) is deemed


def test_the_sweep_and_a_late_clerk_reach_the_same_dates(world):
    item = twenty_day_item()
    by_clerk = submit(world, item=item)
    by_sweep = submit(world, item=item)

    by_clerk = services.case_accept(case_id=by_clerk.pk, actor=world.clerk, now=world.at(days=10))
    by_sweep = services.case_deem_accept(case_id=by_sweep.pk, now=world.at(days=8))

    assert (by_clerk.accepted_on, by_clerk.decision_deadline) == (
        by_sweep.accepted_on,
        by_sweep.decision_deadline,
    )


def test_a_late_refusal_to_accept_is_refused_since_the_application_is_accepted(world):
    case = submit(world)

    error = _refused(
        lambda: services.case_refuse(
            case_id=case.pk, actor=world.clerk, reason="不属本部门", now=world.at(days=8)
        ),
        "refusal_too_late",
    )

    assert "2026年11月9日" in error.detail
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


# --- 2. A late 补正 notice cannot restart the clock ---------------------------------

SUPPLEMENT_ROWS = [
    # (request on day, allowed)
    pytest.param(0, True, id="on-receipt"),
    pytest.param(7, True, id="mon-11-09-the-fifth-working-day"),
    pytest.param(8, False, id="tue-11-10-too-late"),
    pytest.param(12, False, id="sat-11-14-too-late"),
]


@pytest.mark.parametrize(("day", "allowed"), SUPPLEMENT_ROWS)
def test_a_supplement_notice_only_within_five_working_days(world, day, allowed):
    case = submit(world)

    def request():
        return services.case_request_supplement(
            case_id=case.pk,
            actor=world.clerk,
            items=[{"code": "layout", "name": "经营场所平面布局图", "reason": "未标明比例"}],
            now=world.at(days=day),
        )

    if allowed:
        assert request().status == CaseStatus.SUPPLEMENT_REQUESTED
        return
    error = _refused(request, "supplement_too_late")
    assert "即为受理" in error.detail
    after = Case.objects.get(pk=case.pk)
    assert after.status == CaseStatus.SUBMITTED
    assert after.supplement_requested_on is None
    assert not CaseEvent.objects.filter(case=case, action="request_supplement").exists()


# --- 3. 一次性告知 means once ------------------------------------------------------------


def test_a_second_supplement_request_is_refused_before_and_after_the_supplement(world):
    case = submit(world)
    items = [{"code": "layout", "name": "经营场所平面布局图", "reason": "未标明比例"}]
    case = services.case_request_supplement(
        case_id=case.pk, actor=world.clerk, items=items, now=world.at(days=1)
    )

    _refused(
        lambda: services.case_request_supplement(
            case_id=case.pk, actor=world.clerk, items=items, now=world.at(days=2)
        ),
        "supplement_already_requested",
    )
    case = services.case_supplement(
        case_id=case.pk,
        actor=None,
        materials=[MaterialInput(code="layout", kind="upload", content=PDF)],
        now=world.at(days=3),
    )
    error = _refused(
        lambda: services.case_request_supplement(
            case_id=case.pk, actor=world.clerk, items=items, now=world.at(days=3)
        ),
        "supplement_already_requested",
    )

    assert "不予受理" in error.detail  # the clerk is told what may be done instead
    assert CaseEvent.objects.filter(case=case, action="request_supplement").count() == 1
    # … and accepting is still open: the clock starts on the day of the supplement.
    case = services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=4))
    assert case.status == CaseStatus.ACCEPTED


# --- 4. An extension is decided within the period (第四十二条) ----------------------

EXTEND_ROWS = [
    # world.item: promised 5 working days. Accepted Tue 3 Nov → decide by Tue 10 Nov.
    # (extend on day, allowed, decision deadline after)
    pytest.param(7, True, D(2026, 11, 13), id="mon-11-09-within"),
    pytest.param(8, True, D(2026, 11, 13), id="tue-11-10-the-last-day"),
    pytest.param(9, False, D(2026, 11, 10), id="wed-11-11-overdue"),
]


@pytest.mark.parametrize(("day", "allowed", "deadline"), EXTEND_ROWS)
def test_an_extension_must_be_decided_before_the_deadline_passes(world, day, allowed, deadline):
    case = submit(world)
    case = services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=1))
    assert case.decision_deadline == D(2026, 11, 10)

    def extend():
        return services.case_extend(
            case_id=case.pk, actor=world.head, days=3, reason="需现场核查", now=world.at(days=day)
        )

    if allowed:
        case = extend()
        assert case.extension_days == 3
    else:
        _refused(extend, "extension_too_late")
        case = Case.objects.get(pk=case.pk)
        assert case.extension_days == 0
    assert case.decision_deadline == deadline


# --- 5. Joint handling: 45 working days, +15 (第四十二条第二款) -----------------------

JOINT_ROWS = [
    # (joint, days, allowed)
    pytest.param(False, 10, True, id="single-10"),
    pytest.param(False, 11, False, id="single-11-beyond-ten"),
    pytest.param(True, 15, True, id="joint-15"),
    pytest.param(True, 16, False, id="joint-16-beyond-fifteen"),
]


@pytest.mark.parametrize(("joint", "days", "allowed"), JOINT_ROWS)
def test_joint_handling_has_its_own_bound(world, joint, days, allowed):
    case = submit(world, item=twenty_day_item(), joint=joint)
    case = services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=1))
    assert case.rules["legal_limit"] == {"value": 45 if joint else 20, "unit": "working_days"}

    def extend():
        return services.case_extend(
            case_id=case.pk, actor=world.head, days=days, reason="联合踏勘", now=world.at(days=2)
        )

    if allowed:
        assert extend().extension_days == days
    else:
        error = _refused(extend, "case_extension_not_allowed")
        assert f"不得超过{15 if joint else 10}日" in error.detail


# --- 6. No extension past the statutory limit plus its bound ------------------------

TOTAL_ROWS = [
    # Promised limits as the case's snapshot holds them, statutory 20 + 10.
    # (promised, unit, extension, allowed)
    pytest.param(5, "working_days", 10, True, id="promised-5-plus-10"),
    pytest.param(28, "working_days", 2, True, id="28-plus-2-is-the-lawful-30"),
    pytest.param(28, "working_days", 3, False, id="28-plus-3-outruns-30"),
    # Natural days against working days, compared as dates from Mon 2 Nov:
    # statutory 20+10 working days end Mon 14 Dec. 30+10 natural days end Sat
    # 12 Dec → Mon 14 Dec (a period ending on a rest day): allowed; 35+10 end
    # Thu 17 Dec: refused.
    pytest.param(30, "natural_days", 10, True, id="30-natural-plus-10"),
    pytest.param(35, "natural_days", 10, False, id="35-natural-plus-10"),
]


@pytest.mark.parametrize(("promised", "unit", "days", "allowed"), TOTAL_ROWS)
def test_an_extension_never_outruns_the_statutory_limit_and_its_extension(
    world, promised, unit, days, allowed
):
    case = submit(world)
    rules = {**case.rules, "promised_limit": {"value": promised, "unit": unit}}
    Case.objects.filter(pk=case.pk).update(rules=rules)  # as if the lint were bypassed
    case = services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=0))

    def extend():
        return services.case_extend(
            case_id=case.pk, actor=world.head, days=days, reason="专家评审", now=world.at(days=1)
        )

    if allowed:
        assert extend().extension_days == days
    else:
        error = _refused(extend, "case_extension_not_allowed")
        assert "不得晚于法定期限" in error.detail
        assert Case.objects.get(pk=case.pk).extension_days == 0
