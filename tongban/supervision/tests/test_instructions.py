"""督办: a supervisor's instruction to a department, answered by it, closed or sent
back; every allowed and forbidden transition, who may act, the desk and its pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tongban.core import clock
from tongban.core.audit import AuditEvent
from tongban.core.errors import DomainError
from tongban.org.models import Department
from tongban.supervision import desk, instructions
from tongban.supervision.models import Instruction, InstructionEvent, InstructionStatus

S = InstructionStatus
DUE = dt.date(2026, 11, 9)  # T0 is Mon 2 Nov 2026; five working days on


def _market() -> Department:
    return Department.objects.get(name="南京市市场监督管理局")


def _issue(world: Any, **kw: Any) -> Instruction:
    args: dict[str, Any] = {
        "actor": world.supervisor,
        "department_id": _market().pk,
        "content": "请说明食品经营许可证办件逾期原因并限期办结。",
        "due_on": DUE,
        "now": world.at(),
    }
    args.update(kw)
    return instructions.instruction_issue(**args)


def _code(call: Any) -> str:
    with pytest.raises(DomainError) as exc:
        call()
    return exc.value.code


def test_an_instruction_goes_from_issue_through_a_return_to_closed(world):
    head = world.cases.head
    i = _issue(world)
    assert (i.status, i.region_path, i.due_on) == (S.SENT, _market().region.path, DUE)
    assert instructions.default_due(dt.date(2026, 11, 2)) == DUE
    i = instructions.instruction_answer(
        instruction_id=i.pk, actor=head, reply="已督促审查人员限期办结。", now=world.at(days=3)
    )
    assert (i.status, i.on_time) == (S.ANSWERED, True)
    i = instructions.instruction_return(
        instruction_id=i.pk, actor=world.supervisor, reason="未说明逾期原因。", now=world.at(days=4)
    )
    assert i.status == S.SENT
    # Answered again after the deadline: on_time stays what the first answer made it.
    i = instructions.instruction_answer(
        instruction_id=i.pk, actor=head, reply="原因是材料核验等待。", now=world.at(days=10)
    )
    assert (i.status, i.on_time) == (S.ANSWERED, True)
    i = instructions.instruction_close(
        instruction_id=i.pk,
        actor=world.supervisor,
        conclusion="答复属实，办结。",
        now=world.at(days=11),
    )
    assert (i.status, i.conclusion, i.version) == (S.CLOSED, "答复属实，办结。", 5)
    actions = list(InstructionEvent.objects.filter(instruction=i).values_list("action", flat=True))
    assert actions == ["issue", "answer", "return", "answer", "close"]
    audited = AuditEvent.objects.filter(object_type="supervision.Instruction", object_id=str(i.pk))
    assert sorted(audited.values_list("action", flat=True)) == sorted(
        f"supervision.instruction_{a}" for a in actions
    )


def test_a_late_first_answer_is_not_on_time(world):
    i = _issue(world)
    i = instructions.instruction_answer(
        instruction_id=i.pk, actor=world.cases.head, reply="已办结。", now=world.at(days=8)
    )
    assert i.on_time is False  # Tue 10 Nov > Mon 9 Nov


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.SENT, "close"),
        (S.SENT, "return"),
        (S.ANSWERED, "answer"),
        (S.CLOSED, "answer"),
        (S.CLOSED, "close"),
        (S.CLOSED, "return"),
    ],
)
def test_a_forbidden_transition_is_refused_and_changes_nothing(world, status, action):
    i = _issue(world)
    Instruction.objects.filter(pk=i.pk).update(status=status)
    actor = world.cases.head if action == "answer" else world.supervisor
    call = {
        "answer": lambda: instructions.instruction_answer(
            instruction_id=i.pk, actor=actor, reply="x"
        ),
        "close": lambda: instructions.instruction_close(
            instruction_id=i.pk, actor=actor, conclusion="x"
        ),
        "return": lambda: instructions.instruction_return(
            instruction_id=i.pk, actor=actor, reason="x"
        ),
    }[action]
    assert _code(call) == "instruction_invalid_transition"
    assert Instruction.objects.get(pk=i.pk).version == 1
    assert InstructionEvent.objects.filter(instruction=i).count() == 1


def test_only_the_department_answers_and_only_a_supervisor_closes(world):
    i = _issue(world)
    assert (
        _code(
            lambda: instructions.instruction_answer(
                instruction_id=i.pk, actor=world.supervisor, reply="x"
            )
        )
        == "permission_denied"
    )
    assert (
        _code(
            lambda: instructions.instruction_answer(
                instruction_id=i.pk, actor=world.gz_supervisor, reply="x"
            )
        )
        == "permission_denied"
    )
    instructions.instruction_answer(instruction_id=i.pk, actor=world.cases.clerk, reply="已办理。")
    assert (
        _code(
            lambda: instructions.instruction_close(
                instruction_id=i.pk, actor=world.cases.head, conclusion="x"
            )
        )
        == "permission_denied"
    )


def test_a_department_outside_the_scope_is_not_found_and_nothing_is_written(world):
    ganzhou = Department.objects.get(name="赣州市市场监督管理局")
    assert (
        _code(lambda: _issue(world, department_id=ganzhou.pk))
        == "instruction_department_out_of_scope"
    )
    assert (
        _code(lambda: _issue(world, actor=world.cases.head))
        == "instruction_department_out_of_scope"
    )
    assert (
        _code(lambda: _issue(world, department_id=10**9)) == "instruction_department_out_of_scope"
    )
    assert not Instruction.objects.exists()


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"due_on": dt.date(2026, 11, 2)}, "instruction_due_invalid"),  # today
        ({"due_on": dt.date(2027, 2, 1)}, "instruction_due_invalid"),  # > 90 days
        ({"content": "  "}, "instruction_text_required"),
        ({"subject_kind": "case", "subject_ref": "NOPE"}, "validation_failed"),
        ({"subject_kind": "alien"}, "validation_failed"),
    ],
)
def test_bad_input_is_refused_with_its_code(world, kw, code):
    assert _code(lambda: _issue(world, **kw)) == code
    assert not Instruction.objects.exists()


def test_an_instruction_about_a_case_links_the_case(world):
    case = world.submit()
    i = _issue(world, subject_kind="case", subject_ref=case.case_no)
    assert i.case_id == case.pk


def test_a_stale_version_is_refused(world):
    i = _issue(world)
    code = _code(
        lambda: instructions.instruction_answer(
            instruction_id=i.pk, actor=world.cases.head, reply="x", expected_version=7
        )
    )
    assert code == "instruction_version_mismatch"


# --- the desk -----------------------------------------------------------------------


def test_the_desk_shows_only_what_is_in_scope(world):
    i = _issue(world)
    mine = desk.supervisor_desk_for_staff(user=world.supervisor, today=dt.date(2026, 11, 2))
    assert [x.pk for x in mine.instructions] == [i.pk]
    theirs = desk.supervisor_desk_for_staff(user=world.gz_supervisor, today=dt.date(2026, 11, 2))
    assert theirs.instructions == []
    with pytest.raises(DomainError) as exc:
        desk.supervisor_desk_for_staff(
            user=world.supervisor, today=dt.date(2026, 11, 2), region_code="360700"
        )
    assert exc.value.code == "not_found"
    with pytest.raises(DomainError) as exc:
        desk.supervisor_desk_for_staff(user=world.cases.clerk, today=dt.date(2026, 11, 2))
    assert exc.value.code == "permission_denied"
    with pytest.raises(DomainError):
        desk.instruction_get_for_staff(user=world.gz_supervisor, instruction_id=i.pk)


def test_the_desk_page_lists_alerts_ratings_and_instructions(
    client, world, django_assert_max_num_queries
):
    from tongban.evaluation.models import Rating
    from tongban.evaluation.services.rectification import rectification_open
    from tongban.supervision.services import alerts_sweep

    _issue(world)
    case = world.submit()
    alerts_sweep(today=dt.date(2026, 11, 20), now=world.at(days=18))
    rating = Rating.objects.create(
        subject_kind="case",
        subject_no=case.case_no,
        case=case,
        channel="online",
        level="very_dissatisfied",
        score=1,
        is_bad=True,
        rater=world.cases.clerk,
        department_id=case.department_id,
        region_path=case.region_path,
        rated_at=world.at(),
    )
    rectification_open(rating, now=world.at())
    client.force_login(world.supervisor)
    with django_assert_max_num_queries(25):
        response = client.get("/workbench/supervision/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "逾期和临近期限的办件" in body and "待整改的差评" in body
    assert "请说明食品经营许可证办件逾期原因" in body
    assert body.count(case.case_no) >= 2  # its alert and its bad rating
    assert "非常不满意" in body and "红色预警" in body
    client.force_login(world.cases.clerk)
    assert client.get("/workbench/supervision/").status_code == 403


def test_a_supervisor_issues_and_the_department_answers_through_the_pages(client, world):
    client.force_login(world.supervisor)
    response = client.post(
        "/workbench/supervision/instructions/new/",
        {
            "department": _market().pk,
            "subject_kind": "general",
            "content": "窗口排队过长，请提出改进措施。",
            "due_on": (clock.today() + dt.timedelta(days=7)).isoformat(),
        },
    )
    i = Instruction.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/instructions/{i.pk}/")
    bad = client.post(
        "/workbench/supervision/instructions/new/",
        {"department": _market().pk, "content": "", "due_on": "2099-01-01"},
    )
    assert bad.status_code == 422 and Instruction.objects.count() == 1
    client.force_login(world.cases.head)
    page = client.get(f"/workbench/supervision/instructions/{i.pk}/").content.decode()
    assert "提交答复" in page and "审核通过" not in page
    answered = client.post(
        f"/workbench/supervision/instructions/{i.pk}/answer/",
        {"version": "1", "reply": "已增设两个综合受理窗口。"},
    )
    assert answered.status_code == 302
    i.refresh_from_db()
    assert (i.status, i.reply) == (S.ANSWERED, "已增设两个综合受理窗口。")
    assert "窗口排队过长" in client.get("/workbench/supervision/instructions/").content.decode()
    client.force_login(world.gz_supervisor)
    assert client.get(f"/workbench/supervision/instructions/{i.pk}/").status_code == 404


def test_the_admin_shows_an_instruction_with_its_history_read_only(client, world):
    from tongban.identity.models import User

    i = _issue(world)
    client.force_login(User.objects.create_superuser("root", "root-password-1"))
    assert "督办" in client.get("/admin/supervision/instruction/").content.decode()
    page = client.get(f"/admin/supervision/instruction/{i.pk}/change/").content.decode()
    assert "请说明食品经营许可证办件逾期原因" in page and "issue" in page
    assert client.get("/admin/supervision/instruction/add/").status_code == 403
