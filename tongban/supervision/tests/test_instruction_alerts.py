"""督办 notices and the overdue alert (supervision.instruction_alerts): the
department's heads are told of a new instruction, an unanswered one past its
deadline is marked once and its people told, and the workbench home counts
what waits, within the caller's scope."""

from __future__ import annotations

from typing import Any

from stdnum.cn import ric

from tongban.core.audit import AuditEvent
from tongban.core.models import Notification
from tongban.identity.services.persons import person_register
from tongban.supervision import instructions
from tongban.supervision.instruction_alerts import (
    instruction_counts_for_staff,
    instructions_overdue_sweep,
)
from tongban.supervision.models import InstructionEvent
from tongban.supervision.tests.test_instructions import DUE, _issue


def _give_phone(user: Any, phone: str, serial: str) -> None:
    base = f"32010219800101{serial}"
    person = person_register(
        name="王强", id_number=base + ric.calc_check_digit(base + "0"), phone=phone
    )
    user.person = person
    user.save(update_fields=["person"])


def _sent(purpose: str) -> list[str]:
    return sorted(
        Notification.objects.filter(purpose=purpose).values_list("recipient_masked", flat=True)
    )


def test_the_department_heads_are_told_of_a_new_instruction_once(world):
    _give_phone(world.cases.head, "13700000011", "001")
    instruction = _issue(world)
    assert _sent("instruction_issued") == ["137****0011"]
    note = Notification.objects.get(purpose="instruction_issued")
    assert f"第 {instruction.pk} 号" in note.body and "2026年11月09日" in note.body


def test_an_unanswered_instruction_past_its_deadline_is_marked_once_and_told(world):
    _give_phone(world.cases.head, "13700000012", "002")
    _give_phone(world.supervisor, "13700000013", "003")
    late = _issue(world)
    answered = _issue(world)
    instructions.instruction_answer(
        instruction_id=answered.pk, actor=world.cases.head, reply="已办结。", now=world.at(days=2)
    )
    # On the deadline itself nothing is overdue yet.
    assert instructions_overdue_sweep(now=world.at(days=7)).overdue == 0
    result = instructions_overdue_sweep(now=world.at(days=8))
    assert result.as_dict() == {"overdue": 1, "notified": 2}
    events = InstructionEvent.objects.filter(action="overdue")
    assert [e.instruction_id for e in events] == [late.pk]
    assert events.get().action_label == "逾期提醒"
    assert _sent("instruction_overdue") == ["137****0012", "137****0013"]
    assert AuditEvent.objects.filter(
        action="supervision.instruction_overdue", object_id=str(late.pk)
    ).exists()
    # Again: nothing more.
    assert instructions_overdue_sweep(now=world.at(days=9)).overdue == 0
    assert InstructionEvent.objects.filter(action="overdue").count() == 1


def test_the_home_page_counts_what_waits_within_the_scope(client, world):
    _issue(world)
    answered = _issue(world)
    instructions.instruction_answer(
        instruction_id=answered.pk, actor=world.cases.head, reply="已办结。", now=world.at(days=2)
    )
    late_day = DUE.replace(day=DUE.day + 1)
    head = instruction_counts_for_staff(user=world.cases.head, today=late_day)
    assert (head.to_answer, head.to_answer_overdue, head.to_review) == (1, 1, 0)
    supervisor = instruction_counts_for_staff(user=world.supervisor, today=late_day)
    assert (supervisor.to_review, supervisor.overdue_in_scope) == (1, 1)
    # A clerk of another city's department sees none of it.
    other = instruction_counts_for_staff(user=world.cases.other_clerk, today=late_day)
    assert not other.any
    client.force_login(world.cases.head)
    page = client.get("/workbench/").content.decode()
    assert "本部门待答复督办单 1 件" in page
