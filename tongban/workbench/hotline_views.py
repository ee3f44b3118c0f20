"""The 12345 desks (issue 13 #7): operator, dispatcher, department, supervision.

Every order is read through ``hotline.selectors`` (scoped in SQL); every
action posts the version it was shown, and the transition service refuses a
stale one. Errors of the services are shown with their Chinese detail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.hotline import errors as hotline_errors
from tongban.hotline import selectors, services, stats, workflow
from tongban.hotline.models import Channel, Emergency, Kind, OrderStatus, WorkOrder
from tongban.hotline.services.intake import OrderInput, region_for_order
from tongban.org.models import Department, Role
from tongban.org.selectors import scope_q, staff_scope_for
from tongban.workbench.case_views import staff_required

DESK_ONLY = "12345 工作台仅对热线、承办单位和监察人员开放。"
# (action, button, danger): the forms shown on an order, in this order.
ACTIONS: tuple[tuple[str, str, bool], ...] = (
    ("dispatch", "派单", False),
    ("answer_directly", "直接答复并办结", False),
    ("acknowledge", "签收", False),
    ("reply", "办结答复", False),
    ("request_extension", "申请延期", False),
    ("approve_extension", "批准延期", False),
    ("refuse_extension", "不批准延期", True),
    ("return", "退单", True),
    ("revisit", "提交回访结果", False),
    ("reopen", "重办", True),
    ("archive", "归档", False),
    ("supervise", "督办", True),
    ("merge", "并入其他工单", True),
    ("hand_over", "移交应急", True),
)


def _roles(request: HttpRequest) -> frozenset[str]:
    roles = selectors.roles_for(request.user)
    if not roles & set(workflow.READ_ROLES):
        raise Http404(DESK_ONLY)
    return roles


def _page(user: Any, queue: str) -> list[WorkOrder]:
    return selectors.order_list_for_staff(user=user, queue=queue, limit=50).items


@require_GET
@staff_required
def desk(request: HttpRequest) -> HttpResponse:
    roles = _roles(request)
    q = (request.GET.get("q") or "").strip()[:100]
    context: dict[str, Any] = {
        "roles": roles,
        "is_operator": Role.HOTLINE_OPERATOR in roles,
        "is_dispatcher": Role.HOTLINE_DISPATCHER in roles,
        "is_department": bool(roles & {Role.HANDLER, Role.DEPARTMENT_HEAD}),
        "is_supervisor": bool(roles & {Role.SUPERVISOR, Role.HOTLINE_DISPATCHER}),
        "q": q,
        "articles": selectors.knowledge_search(q=q, today=clock.today()) if q else [],
        "channels": Channel.choices,
        "kinds": Kind.choices,
        "emergencies": Emergency.choices,
        "leaves": selectors.category_leaves(),
        "region_default": _home_region(request.user),
    }
    if context["is_dispatcher"]:
        context["dispatch_queue"] = _page(request.user, "dispatch")
    if context["is_department"]:
        context["department_queue"] = _page(request.user, "department")
    if context["is_operator"]:
        context["revisit_queue"] = _page(request.user, "revisit")
    if context["is_supervisor"]:
        context["alerts"] = selectors.alert_list_for_staff(user=request.user, limit=50)
    return render(request, "workbench/hotline/desk.html", context)


def _home_region(user: Any) -> str:
    grants = staff_scope_for(user=user).grants
    return grants[0].region_path.strip("/").split("/")[-1] if grants else ""


@require_POST
@staff_required
def register(request: HttpRequest) -> HttpResponseBase:
    roles = _roles(request)
    if Role.HOTLINE_OPERATOR not in roles:
        raise Http404(DESK_ONLY)
    post = request.POST
    data = OrderInput(
        channel=post.get("channel", ""),
        kind=post.get("kind", ""),
        urgency=post.get("urgency", "normal"),
        content=post.get("content", ""),
        title=post.get("title", ""),
        caller_name=post.get("caller_name", ""),
        caller_phone=post.get("caller_phone", ""),
        anonymous=post.get("anonymous") == "on",
        subject_name=post.get("subject_name", ""),
        region_code=post.get("region_code", ""),
        address=post.get("address", ""),
        category_code=post.get("category_code", ""),
        emergency=post.get("emergency", ""),
    )
    try:
        region = region_for_order(data.region_code)
        grants = staff_scope_for(user=request.user).for_roles(Role.HOTLINE_OPERATOR).grants
        if not any(region.path.startswith(g.region_path) for g in grants):
            raise DomainError(hotline_errors.LOCATION_INVALID, "诉求地点不在您的受理范围内。")
        order = services.work_order_register(data=data, actor=request.user)
    except DomainError as exc:
        messages.error(request, f"未登记：{exc.detail}")
        return redirect("workbench:hotline_desk")
    messages.success(request, f"已登记工单 {order.order_no}。")
    return redirect("workbench:hotline_order", order_no=order.order_no)


def _departments(user: Any) -> list[Department]:
    scope = staff_scope_for(user=user).for_roles(Role.HOTLINE_DISPATCHER)
    if scope.is_empty:
        return []
    return list(
        Department.objects.filter(
            scope_q(scope=scope, region_path_field="region__path", department_field="pk")
        ).order_by("region_id", "name")
    )


@require_GET
@staff_required
def order_detail(request: HttpRequest, order_no: str) -> HttpResponse:
    roles = _roles(request)
    try:
        order = selectors.order_get_for_staff(user=request.user, order_no=order_no)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    from tongban.hotline.services._common import roles_on_order

    mine = roles_on_order(request.user, order)
    actions = [
        {"action": a, "button": b, "danger": d}
        for a, b, d in ACTIONS
        if workflow.target(a, order.status) is not None
        and mine & workflow.ACTION_ROLES.get(a, frozenset())
    ]
    context = {
        "order": order,
        "actions": actions,
        "timeline": selectors.order_timeline(order),
        "duplicates": selectors.duplicates_for(order) if order.status in workflow.OPEN else [],
        "leaves": selectors.category_leaves(),
        "departments": _departments(request.user) if Role.HOTLINE_DISPATCHER in roles else [],
        "articles": selectors.knowledge_search(q=order.content[:200], today=clock.today())[:5],
        "emergencies": Emergency.choices,
        "status_label": OrderStatus(order.status).label,
    }
    return render(request, "workbench/hotline/order.html", context)


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value or "")
    except (TypeError, ValueError):
        return default


RUNNERS: dict[str, Callable[[WorkOrder, Any, int, Any], WorkOrder]] = {
    "dispatch": lambda o, u, v, p: services.work_order_dispatch(
        order_id=o.pk, actor=u, expected_version=v, department_id=_int(p.get("department_id")),
        category_code=p.get("category_code", ""), note=p.get("note", "")),
    "answer_directly": lambda o, u, v, p: services.work_order_answer_directly(
        order_id=o.pk, actor=u, expected_version=v, answer=p.get("answer", ""),
        category_code=p.get("category_code", ""), cited_articles=p.getlist("cited_articles")),
    "acknowledge": lambda o, u, v, p: services.work_order_acknowledge(
        order_id=o.pk, actor=u, expected_version=v),
    "reply": lambda o, u, v, p: services.work_order_reply(
        order_id=o.pk, actor=u, expected_version=v, answer=p.get("answer", ""),
        action_taken=p.get("action_taken", ""), cited_articles=p.getlist("cited_articles")),
    "request_extension": lambda o, u, v, p: services.work_order_request_extension(
        order_id=o.pk, actor=u, expected_version=v, working_days=_int(p.get("working_days")),
        reason=p.get("reason", "")),
    "approve_extension": lambda o, u, v, p: services.work_order_approve_extension(
        order_id=o.pk, actor=u, expected_version=v, note=p.get("note", "")),
    "refuse_extension": lambda o, u, v, p: services.work_order_refuse_extension(
        order_id=o.pk, actor=u, expected_version=v, note=p.get("note", "")),
    "return": lambda o, u, v, p: services.work_order_return(
        order_id=o.pk, actor=u, expected_version=v, reason=p.get("reason", "")),
    "revisit": lambda o, u, v, p: services.work_order_revisit(
        order_id=o.pk, actor=u, expected_version=v, solved=p.get("solved") == "yes",
        satisfaction=_int(p.get("satisfaction")), note=p.get("note", "")),
    "reopen": lambda o, u, v, p: services.work_order_reopen(
        order_id=o.pk, actor=u, expected_version=v, reason=p.get("reason", "")),
    "archive": lambda o, u, v, p: services.work_order_archive(
        order_id=o.pk, actor=u, expected_version=v),
    "supervise": lambda o, u, v, p: services.work_order_supervise(
        order_id=o.pk, actor=u, expected_version=v, reason=p.get("reason", "")),
    "hand_over": lambda o, u, v, p: services.work_order_hand_over(
        order_id=o.pk, actor=u, expected_version=v, service=p.get("service", "")),
}  # fmt: skip


def _merge(order: WorkOrder, user: Any, version: int, post: Any) -> WorkOrder:
    main = selectors.order_get_for_staff(user=user, order_no=post.get("into_order_no", ""))
    return services.work_order_merge(
        order_id=order.pk, actor=user, expected_version=version, into_order_id=main.pk
    )


@require_POST
@staff_required
def order_act(request: HttpRequest, order_no: str, action: str) -> HttpResponseBase:
    _roles(request)
    action = action.replace("-", "_")
    run = _merge if action == "merge" else RUNNERS.get(action)
    if run is None:
        raise Http404("没有该操作")
    try:
        order = selectors.order_get_for_staff(user=request.user, order_no=order_no)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    try:
        run(order, request.user, _int(request.POST.get("version"), -1), request.POST)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"已{workflow.ACTION_LABELS.get(action, action)}。")
    return redirect("workbench:hotline_order", order_no=order.order_no)


@require_GET
@staff_required
def stats_page(request: HttpRequest) -> HttpResponse:
    _roles(request)
    today = clock.today()
    try:
        start = dt.date.fromisoformat(request.GET.get("from", ""))
        end = dt.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        start, end = today - dt.timedelta(days=30), today
    try:
        result = stats.hotline_stats(user=request.user, date_from=start, date_to=end)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("workbench:hotline_desk")
    return render(request, "workbench/hotline/stats.html", {"stats": result})
