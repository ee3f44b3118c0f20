"""Case selectors: scoped staff reads, applicant reads, public tracking, the clock."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import selectors, services
from tongban.cases.deadlines import AlertLevel
from tongban.cases.models import Case, MaterialKind
from tongban.cases.services.intake import MaterialInput
from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_credit_code
from tongban.identity.models import BusinessAuthorization
from tongban.identity.services import authorization_revoke, staff_account_create
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign

PDF = b"%PDF-1.4 test document"


def submit(world, *, at=0, person=None, entity=None, item=None, materials=None):
    applicant = (
        {"applicant_entity": entity, "agent_person": world.person}
        if entity is not None
        else {"applicant_person": person or world.person}
    )
    return services.case_submit(
        service_item=item or world.item,
        channel="online",
        # The applicant's own fields (a person's name, a business's credit code)
        # are filled from the registry (cases.services.forms).
        form_data=(
            {"applicant_name": "张伟"}
            if entity is not None
            else {"credit_code": generate_credit_code("9132010270000001")}
        ),
        materials=materials
        if materials is not None
        else [
            MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
            MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
        ],
        now=world.at(days=at),
        **applicant,
    )


def accept(world, case, *, at):
    return services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=at))


def not_found(call):
    with pytest.raises(DomainError) as exc:
        call()
    assert exc.value.code == "not_found"
    assert exc.value.status == 404
    assert exc.value.detail == "未找到该办件"
    return exc.value


# --- staff scope ----------------------------------------------------------------


def test_staff_of_the_department_find_the_case_and_another_city_does_not(world):
    case = submit(world)
    for user in (world.clerk, world.reviewer, world.head):
        assert selectors.case_get_for_staff(user=user, case_no=case.case_no) == case
    mine_elsewhere = not_found(
        lambda: selectors.case_get_for_staff(user=world.other_clerk, case_no=case.case_no)
    )
    nowhere = not_found(
        lambda: selectors.case_get_for_staff(user=world.clerk, case_no="320100202611029999")
    )
    assert mine_elsewhere.detail == nowhere.detail  # "not yours" looks like "does not exist"


def test_an_account_without_a_case_role_sees_no_case(world, accounts):
    case = submit(world)
    editor = staff_account_create(username="editor", display_name="编辑", password="Pw-12345678")
    nanjing = Department.objects.get(name="南京市市场监督管理局")
    staff_assign(
        user_id=editor.pk, role=Role.CATALOG_EDITOR, department=nanjing, region_scope=nanjing.region
    )
    for user in (editor, accounts.citizen):
        not_found(lambda user=user: selectors.case_get_for_staff(user=user, case_no=case.case_no))


def test_a_provincial_scope_covers_the_city_and_a_department_restriction_narrows_it(world):
    case = submit(world)
    nanjing = Department.objects.get(name="南京市市场监督管理局")
    province = Department.objects.get(name="江苏省市场监督管理局")
    overseer = staff_account_create(username="prov", display_name="省局", password="Pw-12345678")
    staff_assign(
        user_id=overseer.pk, role=Role.SUPERVISOR, department=province, region_scope=province.region
    )
    assert selectors.case_get_for_staff(user=overseer, case_no=case.case_no) == case
    narrow = staff_account_create(username="narrow", display_name="窄", password="Pw-12345678")
    other_department = Department.objects.filter(region=nanjing.region).exclude(pk=nanjing.pk)[0]
    staff_assign(
        user_id=narrow.pk,
        role=Role.REVIEWER,
        department=other_department,
        region_scope=nanjing.region,
        scope_departments=[other_department],
    )
    not_found(lambda: selectors.case_get_for_staff(user=narrow, case_no=case.case_no))


def test_a_supervisor_may_look_but_not_handle(world, accounts):
    case = submit(world)
    assert selectors.case_get_for_staff(user=accounts.supervisor, case_no=case.case_no) == case
    with pytest.raises(DomainError) as exc:
        selectors.case_get_for_handler(user=accounts.supervisor, case_no=case.case_no)
    assert exc.value.code == "permission_denied"
    assert selectors.case_get_for_handler(user=world.clerk, case_no=case.case_no) == case
    not_found(lambda: selectors.case_get_for_handler(user=world.other_clerk, case_no=case.case_no))


# --- the staff queue ------------------------------------------------------------


def _queue(world, **kwargs):
    """Five cases: e (deadline Mon 9 Nov), a (Tue 10), b (Thu 12), c and d not started."""
    a = accept(world, submit(world), at=1)  # accepted Tue 3 Nov → Tue 10 Nov
    b = accept(world, submit(world), at=3)  # accepted Thu 5 Nov → Thu 12 Nov
    c = submit(world)  # received Mon 2 Nov, clock not started
    d = submit(world, at=1)  # received Tue 3 Nov, clock not started
    e = accept(world, submit(world), at=0)  # accepted Mon 2 Nov → Mon 9 Nov
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_the_queue_puts_the_nearest_deadline_first_and_unstarted_clocks_last(world):
    cases = _queue(world)
    assert cases["e"].decision_deadline == dt.date(2026, 11, 9)
    assert cases["b"].decision_deadline == dt.date(2026, 11, 12)
    names = {c.pk: k for k, c in cases.items()}
    seen, cursor = [], None
    for expected_size in (2, 2, 1):
        page = selectors.case_list_for_staff(user=world.clerk, cursor=cursor, limit=2)
        assert len(page.items) == expected_size
        seen += [names[c.pk] for c in page.items]
        cursor = page.next_cursor
    assert cursor is None
    assert seen == ["e", "a", "b", "c", "d"]


def test_the_queue_filters_by_status_window_and_text(world):
    cases = _queue(world)
    window = selectors.case_list_for_staff(user=world.clerk, window_queue=True)
    assert {c.pk for c in window.items} == {cases["c"].pk, cases["d"].pk}
    accepted = selectors.case_list_for_staff(user=world.clerk, status="accepted")
    assert [c.pk for c in accepted.items] == [cases["e"].pk, cases["a"].pk, cases["b"].pk]
    by_number = selectors.case_list_for_staff(user=world.clerk, q=cases["d"].case_no)
    assert [c.pk for c in by_number.items] == [cases["d"].pk]
    assert len(selectors.case_list_for_staff(user=world.clerk, q="张伟").items) == 5
    assert selectors.case_list_for_staff(user=world.clerk, q="李").items == []


def test_the_queue_leaves_out_closed_cases_unless_asked(world):
    cases = _queue(world)
    services.case_refuse(
        case_id=cases["c"].pk,
        actor=world.clerk,
        reason="不属于本部门职权范围",
        now=world.at(days=1),
    )
    services.case_withdraw(case_id=cases["d"].pk, actor=None, now=world.at(days=2))
    open_ = selectors.case_list_for_staff(user=world.clerk)
    assert {c.pk for c in open_.items} == {cases[k].pk for k in "abe"}
    everything = selectors.case_list_for_staff(user=world.clerk, include_closed=True)
    assert len(everything.items) == 5
    refused = selectors.case_list_for_staff(user=world.clerk, status="refused")
    assert [c.pk for c in refused.items] == [cases["c"].pk]


def test_the_queue_of_another_city_is_empty(world):
    _queue(world)
    assert selectors.case_list_for_staff(user=world.other_clerk).items == []


def test_a_forged_queue_cursor_is_a_client_error(world):
    _queue(world)
    with pytest.raises(DomainError) as exc:
        selectors.case_list_for_staff(user=world.clerk, cursor="WyJ4IiwieSIsInoiXQ")
    assert exc.value.code == "invalid_cursor"


def test_the_queue_reads_a_page_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    _queue(world)
    # scope (2) + page (1) + suspensions (1)
    with django_assert_max_num_queries(4):
        page = selectors.case_list_for_staff(user=world.clerk, limit=10)
        rows = [(c.service_item.name, list(c.suspensions.all())) for c in page.items]
    assert len(rows) == 5


# --- applicants -----------------------------------------------------------------


def test_an_applicant_sees_their_own_and_their_entitys_cases_newest_first(world, accounts):
    own = submit(world, at=0)
    entity_case = submit(world, at=1, entity=accounts.entity)
    other_person = accounts.other_citizen.person
    others = submit(world, at=2, person=other_person)
    citizen = selectors.case_list_for_applicant(user=accounts.citizen)
    assert [c.pk for c in citizen.items] == [own.pk]
    business = selectors.case_list_for_applicant(user=accounts.business)
    # the business account's person is world.person: its own case and the entity's
    assert [c.pk for c in business.items] == [entity_case.pk, own.pk]
    assert [c.pk for c in selectors.case_list_for_applicant(user=accounts.other_citizen).items] == [
        others.pk
    ]
    assert selectors.case_get_for_applicant(user=accounts.business, case_no=entity_case.case_no)
    not_found(
        lambda: selectors.case_get_for_applicant(user=accounts.citizen, case_no=others.case_no)
    )


def test_an_account_without_a_person_sees_no_entity_cases(world, accounts):
    """``applicant_person IS NULL`` holds for every entity's case: it must never match."""
    entity_case = submit(world, entity=accounts.entity)
    assert world.clerk.person_id is None
    assert selectors.case_list_for_applicant(user=world.clerk).items == []
    not_found(
        lambda: selectors.case_get_for_applicant(user=world.clerk, case_no=entity_case.case_no)
    )


def test_a_revoked_authorization_hides_the_entitys_cases(world, accounts):
    entity_case = submit(world, entity=accounts.entity)
    authorization = BusinessAuthorization.objects.get(user=accounts.business)
    authorization_revoke(authorization=authorization)
    not_found(
        lambda: selectors.case_get_for_applicant(
            user=accounts.business, case_no=entity_case.case_no
        )
    )


def test_my_cases_read_a_page_in_a_fixed_number_of_queries(
    world, accounts, django_assert_max_num_queries
):
    for day in range(4):
        submit(world, at=day)
    submit(world, entity=accounts.entity)
    with django_assert_max_num_queries(3):  # the entities + page + suspensions
        page = selectors.case_list_for_applicant(user=accounts.business, limit=10)
        rows = [(c.service_item.name, list(c.suspensions.all())) for c in page.items]
    assert len(rows) == 5


# --- public tracking ------------------------------------------------------------


def test_tracking_needs_the_code_and_shows_no_staff_or_reasons(world):
    case = submit(world)
    services.case_refuse(
        case_id=case.pk,
        actor=world.clerk,
        reason="不属于本机关职权范围",
        now=world.at(days=1),
    )
    view = selectors.case_track_public(case_no=case.case_no, code=case.tracking_code)
    assert view.applicant_name_masked == "张*"
    assert view.item_name == "食品经营许可证核发"
    assert view.status == "refused" and view.status_label == "不予受理"
    assert view.received_on == dt.date(2026, 11, 2)
    assert [(s.action_label, s.status) for s in view.timeline] == [
        ("提交申请", "submitted"),
        ("不予受理", "refused"),
    ]
    assert "clerk" not in repr(view) and "职权" not in repr(view)
    wrong = not_found(lambda: selectors.case_track_public(case_no=case.case_no, code="ABCDEFGH"))
    unknown = not_found(
        lambda: selectors.case_track_public(case_no="nope", code=case.tracking_code)
    )
    assert wrong.detail == unknown.detail
    not_found(lambda: selectors.case_track_public(case_no=case.case_no, code=" "))
    not_found(lambda: selectors.case_track_public(case_no=case.case_no))


def test_every_case_gets_its_own_code_from_the_unambiguous_alphabet(world):
    codes = {submit(world).tracking_code for _ in range(5)}
    assert len(codes) == 5
    assert all(len(c) == 8 and not set(c) & set("01OIL") for c in codes)


# --- timeline and clock ---------------------------------------------------------


def test_the_timeline_lists_every_event_in_order_with_labels(world):
    case = accept(world, submit(world), at=1)
    timeline = selectors.case_timeline(case)
    assert [(e.action, e.action_label) for e in timeline if e.action != "deadline_change"] == [
        ("submit", "提交申请"),
        ("accept", "受理"),
    ]
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)
    change = next(e for e in timeline if e.details.get("field") == "decision_deadline")
    assert change.action_label == "期限变更" and change.details["to"] == "2026-11-10"
    accepted = next(e for e in timeline if e.action == "accept")
    assert (accepted.from_status, accepted.to_status_label) == ("submitted", "已受理")


def day(d):
    return dt.date(2026, 11, d)


def test_the_acceptance_clock_turns_yellow_then_red(world):
    case = submit(world)  # received Mon 2 Nov; accept by Mon 9 Nov
    calm = selectors.case_clock(case, day(2))
    assert (calm.phase, calm.deadline, calm.working_days_left, calm.alert) == (
        "acceptance",
        day(9),
        5,
        AlertLevel.NONE,
    )
    # Fri 6 Nov: one working day (Mon 9) left ≤ 2 → yellow
    assert selectors.case_clock(case, day(6)).alert == AlertLevel.YELLOW
    late = selectors.case_clock(case, day(10))  # Tue 10 Nov: overdue by one working day
    assert (late.working_days_left, late.alert) == (-1, AlertLevel.RED)


def test_the_decision_clock_uses_the_share_setting(world, settings):
    case = accept(world, submit(world), at=1)  # decide by Tue 10 Nov
    assert selectors.case_clock(case, day(4)).alert == AlertLevel.NONE  # 1 of 5 used
    settings.TONGBAN_ALERT_YELLOW_SHARE = 0.2
    clock = selectors.case_clock(case, day(4))
    assert (clock.phase, clock.working_days_left, clock.alert) == ("decision", 4, AlertLevel.YELLOW)


def test_a_suspension_freezes_the_days_left(world):
    case = accept(world, submit(world), at=1)  # Tue 3 Nov → Tue 10 Nov
    services.case_start_review(case_id=case.pk, actor=world.reviewer, now=world.at(days=1))
    case = services.case_suspend(
        case_id=case.pk, actor=world.reviewer, reason="testing", now=world.at(days=2)
    )  # from Wed 4 Nov
    on_the_day = selectors.case_clock(case, day(4))
    two_days_on = selectors.case_clock(case, day(6))
    assert on_the_day.stopped and two_days_on.stopped
    assert on_the_day.working_days_left == two_days_on.working_days_left == 5
    # Wed 4 – Fri 6 Nov stopped: the deadline moved to Fri 13 Nov
    assert two_days_on.deadline == day(13)


def test_closed_cases_and_awaited_supplements_have_no_clock(world):
    case = submit(world)
    services.case_withdraw(case_id=case.pk, actor=None, now=world.at(days=1))
    case = Case.objects.get(pk=case.pk)
    assert selectors.case_clock(case, day(3)).phase == "none"
    waiting = services.case_request_supplement(
        case_id=submit(world).pk,
        actor=world.clerk,
        items=[{"code": "layout", "name": "布局图"}],
        now=world.at(days=1),
    )
    assert selectors.case_clock(waiting, day(3)).working_days_left is None


def test_a_decided_case_runs_the_delivery_clock(world):
    case = accept(world, submit(world), at=1)
    case = services.case_decide(
        case_id=case.pk,
        actor=world.reviewer,
        outcome="granted",
        reason="符合条件",
        legal_basis="《食品安全法》第三十五条",
        now=world.at(days=3),
    )  # Thu 5 Nov → deliver by Thu 19 Nov
    clock = selectors.case_clock(case, day(5))
    assert (clock.phase, clock.deadline, clock.working_days_left) == ("delivery", day(19), 10)


def test_open_statuses_are_every_status_but_the_terminal_ones():
    from tongban.cases import workflow
    from tongban.cases.models import OPEN_STATUSES, CaseStatus

    assert set(OPEN_STATUSES) == set(CaseStatus.values) - workflow.TERMINAL


def test_a_counter_starts_where_told_and_counts_each_key_apart(world):
    from tongban.cases.models import CaseNumberSequence, DocumentNumberSequence
    from tongban.core.counters import counter_next

    assert counter_next(DocumentNumberSequence, key={"series": "甲"}, start=lambda: 41) == 41
    assert counter_next(DocumentNumberSequence, key={"series": "甲"}, start=lambda: 41) == 42
    assert counter_next(DocumentNumberSequence, key={"series": "乙"}) == 1
    day = dt.date(2026, 11, 23)
    assert counter_next(CaseNumberSequence, key={"region_code": "320102", "day": day}) == 1
    assert counter_next(CaseNumberSequence, key={"region_code": "320102", "day": day}) == 2
    assert DocumentNumberSequence.objects.get(series="甲").last == 42
