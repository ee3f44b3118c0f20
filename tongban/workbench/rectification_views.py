"""差评整改 desk (issue 15): a department's rectifications of bad ratings, and the
supervisor's call-back, close and 督办.

Every rectification is read through ``evaluation.selectors`` (scoped in SQL,
"not yours" is 404); every action posts the version it was shown and is one
``evaluation.services`` call; a refusal is shown with its Chinese detail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.evaluation import selectors, services, workflow
from tongban.evaluation.models import RatingReason, Rectification, RectificationStatus
from tongban.workbench.access import staff_required

DESK_ONLY = "差评整改仅对办理部门和监察人员开放。"
# (action, button, danger) in the order shown.
ACTIONS: tuple[tuple[str, str, bool], ...] = (
    ("answer", "提交整改答复", False),
    ("revisit", "记录回访结果", False),
    ("close", "整改办结", False),
    ("escalate", "督办", True),
    ("appeal", "申诉（恶意或错误评价）", True),
    ("uphold_appeal", "申诉成立", False),
    ("reject_appeal", "申诉不成立，退回整改", True),
)
FILTERS = (("", "未办结"), *RectificationStatus.choices, ("all", "全部"))


def _desk_user(request: HttpRequest) -> None:
    if not selectors.may_read_rectifications(request.user):
        raise Http404(DESK_ONLY)


def _rect(request: HttpRequest, rectification_id: int) -> Rectification:
    try:
        return selectors.rectification_get_for_staff(
            user=request.user, rectification_id=rectification_id
        )
    except DomainError as exc:
        raise Http404(exc.detail) from None


@require_GET
@staff_required
def rectification_desk(request: HttpRequest) -> HttpResponse:
    _desk_user(request)
    status = request.GET.get("status", "")
    if status not in {value for value, _ in FILTERS}:
        status = ""
    try:
        page = selectors.rectification_list_for_staff(
            user=request.user,
            status=status if status in RectificationStatus.values else None,
            include_closed=status == "all",
            cursor=(request.GET.get("cursor") or None),
            limit=50,
        )
    except DomainError as exc:  # a cursor tampered with
        raise Http404(exc.detail) from None
    return render(
        request,
        "workbench/rectifications/desk.html",
        {
            "page": page,
            "status": status,
            "filters": FILTERS,
            "today": clock.today(),
        },
    )


def _actions(user: Any, rect: Rectification) -> list[dict[str, Any]]:
    roles = services.roles_on(user, rect)
    return [
        {"action": action, "button": button, "danger": danger}
        for action, button, danger in ACTIONS
        if workflow.target(action, rect.status) and roles & workflow.ACTION_ROLES[action]
    ]


def _detail(request: HttpRequest, rect: Rectification, **extra: Any) -> dict[str, Any]:
    labels = dict(RatingReason.choices)
    return {
        "rect": rect,
        "rating": rect.rating,
        "reasons": [labels.get(r, r) for r in rect.rating.reasons],
        "actions": _actions(request.user, rect),
        "today": clock.today(),
        **extra,
    }


@require_GET
@staff_required
def rectification_detail(request: HttpRequest, rectification_id: int) -> HttpResponse:
    rect = _rect(request, rectification_id)
    return render(request, "workbench/rectifications/detail.html", _detail(request, rect))


def _call(action: str, post: Any) -> Callable[..., Rectification]:
    if action == "answer":
        return lambda **kw: services.rectification_answer(
            cause=post.get("cause", ""), measures=post.get("measures", ""), **kw
        )
    if action == "revisit":
        return lambda **kw: services.rectification_revisit(
            satisfied=post.get("satisfied") == "yes", note=post.get("note", ""), **kw
        )
    if action == "close":
        return lambda **kw: services.rectification_close(outcome=post.get("outcome", ""), **kw)
    if action == "escalate":
        return lambda **kw: services.rectification_escalate(reason=post.get("reason", ""), **kw)
    if action == "appeal":
        return lambda **kw: services.rectification_appeal(reason=post.get("reason", ""), **kw)
    if action in ("uphold_appeal", "reject_appeal"):
        return lambda **kw: services.rectification_appeal_decide(
            upheld=action == "uphold_appeal", reason=post.get("reason", ""), **kw
        )
    raise Http404("没有该操作")


@require_POST
@staff_required
def rectification_act(request: HttpRequest, rectification_id: int, action: str) -> HttpResponseBase:
    rect = _rect(request, rectification_id)
    call = _call(action, request.POST)
    raw = request.POST.get("version", "")
    version = int(raw) if raw.isdigit() and len(raw) < 10 else None
    try:
        call(rectification_id=rect.pk, actor=request.user, expected_version=version)
    except DomainError as exc:
        rect = _rect(request, rectification_id)
        context = _detail(request, rect, error=exc.detail)
        return render(request, "workbench/rectifications/detail.html", context, status=exc.status)
    messages.success(request, f"已{workflow.ACTION_LABELS[action]}。")
    return redirect("workbench:rectification_detail", rectification_id=rect.pk)
