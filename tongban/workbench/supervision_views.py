"""监察工作台 (issue 15 item 3): the supervisor's desk — cases past or near a
deadline, bad ratings awaiting rectification, 督办 still open — by region and
department; and 督办单, sent to a department with a deadline and answered by it.

Reads go through ``supervision.desk`` (scoped in SQL, "not yours" is 404);
each write is one ``supervision.instructions`` service call, whose refusal is
shown with its Chinese detail and status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.supervision import desk, instructions
from tongban.supervision.models import Instruction, InstructionSubject
from tongban.workbench.access import staff_required

ACTIONS: tuple[tuple[str, str, bool], ...] = (
    ("answer", "提交答复", False),
    ("close", "审核通过，办结", False),
    ("return", "退回重新答复", True),
)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def _desk_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    today = clock.today()
    try:
        the_desk = desk.supervisor_desk_for_staff(
            user=request.user,
            today=today,
            region_code=(request.GET.get("region") or "").strip()[:12],
            department_id=_int(request.GET.get("department")),
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.detail) from None
        raise Http404(exc.detail) from None
    return {
        "desk": the_desk,
        "today": today,
        "subjects": InstructionSubject.choices,
        "default_due": instructions.default_due(today),
        "form": {},
        **extra,
    }


@require_GET
@staff_required
def supervision_desk(request: HttpRequest) -> HttpResponse:
    context = _desk_context(request)
    # A 督办 started from a row of the desk arrives with its department and subject.
    context["form"] = {
        "department": _int(request.GET.get("to")),
        "subject_kind": request.GET.get("subject_kind", ""),
        "subject_ref": (request.GET.get("subject_ref") or "")[:40],
    }
    return render(request, "workbench/supervision/desk.html", context)


@require_POST
@staff_required
def instruction_issue(request: HttpRequest) -> HttpResponseBase:
    post = request.POST
    try:
        due_on = dt.date.fromisoformat(post.get("due_on", ""))
    except ValueError:
        due_on = dt.date.min
    try:
        instruction = instructions.instruction_issue(
            actor=request.user,
            department_id=_int(post.get("department")) or 0,
            content=post.get("content", ""),
            due_on=due_on,
            subject_kind=post.get("subject_kind", InstructionSubject.GENERAL),
            subject_ref=post.get("subject_ref", ""),
        )
    except DomainError as exc:
        context = _desk_context(request, error=exc.detail)
        context["form"] = {
            "department": _int(post.get("department")),
            "subject_kind": post.get("subject_kind", ""),
            "subject_ref": post.get("subject_ref", "")[:40],
            "content": post.get("content", "")[:1000],
            "due_on": post.get("due_on", "")[:10],
        }
        return render(request, "workbench/supervision/desk.html", context, status=exc.status)
    messages.success(request, f"已向{instruction.department.name}督办。")
    return redirect("workbench:instruction_detail", instruction_id=instruction.pk)


@require_GET
@staff_required
def instruction_list(request: HttpRequest) -> HttpResponse:
    if not desk.may_read_instructions(request.user):
        raise Http404("督办单仅对监察人员和承办部门开放。")
    show_all = request.GET.get("all") == "1"
    rows = desk.instruction_list_for_staff(user=request.user, open_only=not show_all, limit=200)
    return render(
        request,
        "workbench/supervision/instructions.html",
        {"rows": rows, "show_all": show_all, "today": clock.today()},
    )


def _instruction(request: HttpRequest, instruction_id: int) -> Instruction:
    try:
        return desk.instruction_get_for_staff(user=request.user, instruction_id=instruction_id)
    except DomainError as exc:
        raise Http404(exc.detail) from None


def _detail(request: HttpRequest, instruction: Instruction, **extra: Any) -> dict[str, Any]:
    roles = instructions.roles_on(
        request.user, region_path=instruction.region_path, department_id=instruction.department_id
    )
    actions = [
        {"action": a, "button": b, "danger": danger}
        for a, b, danger in ACTIONS
        if instructions.target(a, instruction.status) and roles & instructions.ACTION_ROLES[a]
    ]
    return {"i": instruction, "actions": actions, "today": clock.today(), **extra}


@require_GET
@staff_required
def instruction_detail(request: HttpRequest, instruction_id: int) -> HttpResponse:
    instruction = _instruction(request, instruction_id)
    return render(request, "workbench/supervision/instruction.html", _detail(request, instruction))


@require_POST
@staff_required
def instruction_act(request: HttpRequest, instruction_id: int, action: str) -> HttpResponseBase:
    instruction = _instruction(request, instruction_id)
    post = request.POST
    pk, version = instruction.pk, _int(post.get("version"))
    try:
        if action == "answer":
            instructions.instruction_answer(
                instruction_id=pk,
                actor=request.user,
                reply=post.get("reply", ""),
                expected_version=version,
            )
        elif action == "close":
            instructions.instruction_close(
                instruction_id=pk,
                actor=request.user,
                conclusion=post.get("conclusion", ""),
                expected_version=version,
            )
        elif action == "return":
            instructions.instruction_return(
                instruction_id=pk,
                actor=request.user,
                reason=post.get("reason", ""),
                expected_version=version,
            )
        else:
            raise Http404("没有该操作")
    except DomainError as exc:
        instruction = _instruction(request, instruction_id)
        context = _detail(request, instruction, error=exc.detail)
        return render(request, "workbench/supervision/instruction.html", context, status=exc.status)
    messages.success(request, f"督办单已{instructions.ACTION_LABELS[action]}。")
    return redirect("workbench:instruction_detail", instruction_id=instruction.pk)
