"""12345 for citizens and businesses (issue 13 #6): file a request online, follow
it by order number and phone, add information, and rate the answer.

Filing needs a login (the order is then the account's); following needs only
the order number and the phone given, limited per address. A rating of "not
solved" reopens the order for the same department (重办).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.core.errors import DomainError
from tongban.core.middleware.proxies import client_address
from tongban.core.ratelimit import rate_limit_hit
from tongban.hotline import selectors, services
from tongban.hotline.models import Kind, OrderStatus, WorkOrder
from tongban.hotline.services.intake import OrderInput

TRACK_LIMIT = 20
TRACK_WINDOW_SECONDS = 600
CALLER_KINDS = ("citizen", "business")
# What a caller may file online: not praise by phone, the rest as listed.
KINDS = [(v, label) for v, label in Kind.choices]
RATABLE = (OrderStatus.REPLIED, OrderStatus.ANSWERED)
OPEN = (
    OrderStatus.REGISTERED,
    OrderStatus.DISPATCHED,
    OrderStatus.ACKNOWLEDGED,
    OrderStatus.RETURNED,
)


@login_required
@require_http_methods(["GET", "POST"])
def hotline_submit(request: HttpRequest) -> HttpResponseBase:
    if getattr(request.user, "kind", "") not in CALLER_KINDS:
        messages.error(request, "请使用个人或企业账号提交诉求。")
        return redirect("portal:home")
    values: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        values = {
            k: post.get(k, "")
            for k in (
                "kind",
                "content",
                "phone",
                "region_code",
                "address",
                "subject_name",
                "company",
            )
        }
        try:
            order = services.work_order_register(
                data=OrderInput(
                    channel="web",
                    kind=values["kind"],
                    content=values["content"],
                    caller_name=getattr(request.user, "display_name", "")[:60],
                    caller_phone=values["phone"],
                    caller_company=values["company"],
                    region_code=values["region_code"],
                    address=values["address"],
                    subject_name=values["subject_name"],
                ),
                actor=request.user,
                caller_user=request.user,
            )
        except DomainError as exc:
            messages.error(request, f"未提交：{exc.detail}")
        else:
            messages.success(request, f"诉求已提交，工单编号 {order.order_no}。")
            return redirect("portal:hotline_mine")
    return render(
        request,
        "portal/hotline/submit.html",
        {
            "kinds": KINDS,
            "values": values,
            "business": getattr(request.user, "kind", "") == "business",
        },
    )


@login_required
@require_GET
def hotline_mine(request: HttpRequest) -> HttpResponse:
    page = selectors.order_list_for_caller(user=request.user, limit=50)
    return render(request, "portal/hotline/mine.html", {"orders": page.items})


def _limited(request: HttpRequest) -> bool:
    return rate_limit_hit(
        key=f"hotline-track:{client_address(request)}",
        limit=TRACK_LIMIT,
        window_seconds=TRACK_WINDOW_SECONDS,
    )


def _found(request: HttpRequest) -> WorkOrder | None:
    try:
        return selectors.order_track(
            order_no=request.POST.get("order_no", ""), phone=request.POST.get("phone", "")
        )
    except DomainError:
        return None


def _page(request: HttpRequest, order: WorkOrder | None, error: str = "") -> HttpResponse:
    context: dict[str, Any] = {
        "order": order,
        "error": error,
        "order_no": request.POST.get("order_no", ""),
        "phone": request.POST.get("phone", ""),
    }
    if order is not None:
        answer, action = selectors.public_answer(order)
        context.update(
            answer=answer,
            action=action,
            status_label=OrderStatus(order.status).label,
            may_rate=order.status in RATABLE,
            may_add=order.status in OPEN,
        )
    return render(request, "portal/hotline/track.html", context)


@require_http_methods(["GET", "POST"])
def hotline_track(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, None)
    if _limited(request):
        return _page(request, None, "查询过于频繁，请 10 分钟后再试。")
    order = _found(request)
    return _page(request, order, "" if order else "工单编号或联系电话不正确。")


@require_POST
def hotline_track_act(request: HttpRequest, action: str) -> HttpResponseBase:
    """The caller adds information or rates the answer (order number and phone again)."""
    if _limited(request):
        return _page(request, None, "操作过于频繁，请 10 分钟后再试。")
    order = _found(request)
    if order is None:
        return _page(request, None, "工单编号或联系电话不正确。")
    try:
        if action == "add":
            services.work_order_add_info(
                order_id=order.pk, actor=None, info=request.POST.get("info", "")
            )
            messages.success(request, "补充内容已提交。")
        elif action == "rate":
            solved = request.POST.get("solved") == "yes"
            try:
                satisfaction = int(request.POST.get("satisfaction", ""))
            except ValueError:
                satisfaction = 0
            order = services.work_order_revisit(
                order_id=order.pk,
                actor=None,
                solved=solved,
                satisfaction=satisfaction,
                note=request.POST.get("note", ""),
                by_caller=True,
            )
            if not solved and order.department_id is not None:
                services.work_order_reopen(
                    order_id=order.pk, actor=None, reason="来电人评价：问题未解决", by_caller=True
                )
                messages.success(request, "感谢评价。问题未解决，已退回承办单位重新办理。")
            else:
                messages.success(request, "感谢您的评价。")
        else:
            return _page(request, order, "没有该操作。")
    except DomainError as exc:
        return _page(request, _found(request), exc.detail)
    return _page(request, _found(request))
