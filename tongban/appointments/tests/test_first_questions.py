"""首问责任: record, hand over, answer; the owner's list, overdue ones, and every refusal's code."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tongban.appointments import standard_selectors
from tongban.appointments.models import FirstQuestion, FirstQuestionStep
from tongban.appointments.services.first_questions import (
    first_question_answer,
    first_question_hand_over,
    first_question_record,
)
from tongban.appointments.tests.conftest import at
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.services import staff_account_create
from tongban.org.models import Department, Role
from tongban.org.selectors import staff_scope_for
from tongban.org.services import staff_assign

MON = dt.date(2026, 9, 28)


def record(world, **kw):
    values = {
        "clerk": world.clerk,
        "hall_id": world.hall.pk,
        "window_id": world.a01.pk,
        "matter": "个体工商户变更经营场所需要哪些材料",
        "asker_name": "欧阳娜娜",
        "asker_phone": "13912345678",
        "key": uuid.uuid4().hex,
        "now": at(MON, 10),
    }
    values.update(kw)
    return first_question_record(**values)


def _staff(username, name, role, department_name):
    department = Department.objects.get(name=department_name)
    user = staff_account_create(username=username, display_name=name, password="Pw-12345678")
    staff_assign(user_id=user.pk, role=role, department=department, region_scope=department.region)
    return user


@pytest.fixture
def colleague(world):
    return _staff("clerk2", "赵敏", Role.WINDOW_CLERK, "南京市市场监督管理局")


@pytest.fixture
def centre_clerk(world):
    return _staff("centre_clerk", "孙丽", Role.WINDOW_CLERK, "南京市政务服务管理办公室")


@pytest.fixture
def supervisor(world):
    return _staff("hall_super", "周监察", Role.SUPERVISOR, "南京市政务服务管理办公室")


def test_the_first_clerk_records_and_owns_the_question_with_personal_data_encrypted(world):
    q = record(world)
    assert q.owner_id == world.clerk.pk and q.first_clerk_id == world.clerk.pk
    assert q.status == "open" and q.code.startswith("SW260928")
    # Mon 28 Sep + 3 working days → Thu 8 Oct 2026: 国庆 1–7 Oct is not counted.
    assert q.due_on == dt.date(2026, 10, 8)
    assert q.asker_name_masked == "欧阳**" and q.asker_phone_masked == "139****5678"
    assert "13912345678" not in q.asker_phone_enc and "娜娜" not in q.asker_name_enc
    assert list(FirstQuestionStep.objects.filter(question=q).values_list("action", flat=True)) == [
        "record"
    ]
    assert AuditEvent.objects.filter(
        action="appointments.first_question_record", object_id=q.code
    ).exists()
    assert [x.code for x in standard_selectors.questions_for_owner(staff=world.clerk)] == [q.code]


def test_the_same_form_posted_twice_records_one_question(world):
    key = uuid.uuid4().hex
    first = record(world, key=key)
    again = record(world, key=key, matter="另一个问题，但同一张表单")
    assert again.pk == first.pk and FirstQuestion.objects.filter(request_key=key).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"matter": ""}, "matter"),
        ({"matter": "  问 "}, "matter"),
        ({"asker_phone": "12345"}, "asker_phone"),
        ({"asker_name": "名" * 41}, "asker_name"),
        ({"window_id": 999999}, "window_id"),
        ({"hall_id": None}, "hall_id"),
        ({"service_item_id": 999999}, "service_item_id"),
        ({"key": "short"}, "key"),
    ],
)
def test_bad_records_are_refused_with_the_field(world, changes, field):
    with pytest.raises(DomainError) as refused:
        record(world, **changes)
    assert refused.value.code == "first_question_invalid"
    assert refused.value.fields == [{"field": field}]
    assert not FirstQuestion.objects.exists()


def test_a_clerk_of_another_region_cannot_record_at_this_hall(world):
    with pytest.raises(DomainError) as refused:
        record(world, clerk=world.other_clerk)
    assert refused.value.code == "first_question_invalid"


def test_handover_to_oneself_is_refused(world):
    q = record(world)
    with pytest.raises(DomainError) as refused:
        first_question_hand_over(
            question_id=q.pk, staff=world.clerk, note="转给自己", to_user_id=world.clerk.pk
        )
    assert refused.value.code == "first_question_handover_invalid"
    with pytest.raises(DomainError) as neither:
        first_question_hand_over(question_id=q.pk, staff=world.clerk, note="没选人")
    assert neither.value.code == "first_question_handover_invalid"


def test_handover_to_a_clerk_of_another_region_is_refused(world):
    q = record(world)
    with pytest.raises(DomainError) as refused:
        first_question_hand_over(
            question_id=q.pk, staff=world.clerk, note="转赣州", to_user_id=world.other_clerk.pk
        )
    assert refused.value.code == "first_question_handover_invalid"
    assert FirstQuestion.objects.get(pk=q.pk).owner_id == world.clerk.pk


def test_a_handover_moves_ownership_and_only_the_new_owner_answers(world, colleague):
    q = record(world)
    moved = first_question_hand_over(
        question_id=q.pk,
        staff=world.clerk,
        note="涉及登记注册，请登记窗口答复",
        to_user_id=colleague.pk,
        expected_version=1,
        now=at(MON, 11),
    )
    assert moved.owner_id == colleague.pk and moved.version == 2
    assert [x.pk for x in standard_selectors.questions_for_owner(staff=colleague)] == [q.pk]
    assert list(standard_selectors.questions_for_owner(staff=world.clerk)) == []
    step = FirstQuestionStep.objects.get(question=q, action="handover")
    assert step.to_owner_id == colleague.pk and step.note == "涉及登记注册，请登记窗口答复"
    with pytest.raises(DomainError) as not_owner:
        first_question_answer(question_id=q.pk, staff=world.clerk, answer="我来答")
    assert not_owner.value.code == "first_question_not_owner"
    with pytest.raises(DomainError) as stale:
        first_question_answer(
            question_id=q.pk, staff=colleague, answer="需要营业执照和新场所证明", expected_version=1
        )
    assert stale.value.code == "first_question_version_mismatch"
    done = first_question_answer(
        question_id=q.pk,
        staff=colleague,
        answer="需要营业执照和新场所证明",
        expected_version=2,
        now=at(MON, 15),
    )
    assert done.status == "answered" and done.answered_by_id == colleague.pk
    with pytest.raises(DomainError) as twice:
        first_question_answer(question_id=q.pk, staff=colleague, answer="再答一次")
    assert twice.value.code == "first_question_invalid_state"
    assert list(FirstQuestionStep.objects.filter(question=q).values_list("action", flat=True)) == [
        "record",
        "handover",
        "answer",
    ]
    assert AuditEvent.objects.filter(object_id=q.code).count() == 3


def test_a_question_handed_to_a_department_is_answered_by_its_staff(world, centre_clerk):
    centre = Department.objects.get(name="南京市政务服务管理办公室")
    q = record(world)
    first_question_hand_over(
        question_id=q.pk, staff=world.clerk, note="属于大厅管理", to_department_id=centre.pk
    )
    assert [x.pk for x in standard_selectors.questions_for_owner(staff=centre_clerk)] == [q.pk]
    with pytest.raises(DomainError) as again:
        first_question_hand_over(
            question_id=q.pk, staff=centre_clerk, note="还是本部门", to_department_id=centre.pk
        )
    assert again.value.code == "first_question_handover_invalid"
    with pytest.raises(DomainError) as outsider:
        first_question_answer(question_id=q.pk, staff=world.other_clerk, answer="赣州答")
    assert outsider.value.code == "first_question_not_found"
    done = first_question_answer(question_id=q.pk, staff=centre_clerk, answer="已电话告知办理流程")
    assert done.status == "answered" and done.owner_department_id == centre.pk


def test_overdue_questions_are_flagged_for_the_supervisor_only(world, supervisor):
    late = record(world, now=at(MON, 10))
    fresh = record(world, now=at(dt.date(2026, 10, 9), 10))
    scope = staff_scope_for(user=supervisor)
    # 8 Oct is the last day for the one of 28 Sep; on 9 Oct it is overdue, the new one not.
    assert [
        q.code
        for q in standard_selectors.questions_in_scope(scope, overdue_on=dt.date(2026, 10, 9))
    ] == [late.code]
    assert {q.code for q in standard_selectors.questions_in_scope(scope)} == {late.code, fresh.code}
    gz = staff_scope_for(user=world.other_clerk)
    assert list(standard_selectors.questions_in_scope(gz)) == []
