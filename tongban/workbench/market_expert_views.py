"""The evaluation expert pool (评标专家库) of the trading centre (issue 18): list, add,
edit, take out of the pool (出库) or back in, and record recent co-work for 回避.

The list and every expert page read ``selectors.experts_in_scope`` (the caller's
region, in SQL); phones are shown masked. Writes go through ``services.experts``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tongban.core.errors import DomainError
from tongban.intermediaries import selectors
from tongban.intermediaries.services import experts as expert_services
from tongban.workbench.access import staff_required
from tongban.workbench.market_forms import CoWorkForm, ExpertForm, attach_problem
from tongban.workbench.market_tender_views import centre_scope, region_choices

PAGE_SIZE = 50


def _given(form: ExpertForm) -> expert_services.ExpertInput:
    data = form.cleaned_data
    return expert_services.ExpertInput(
        name=data["name"],
        employer_name=data["employer_name"],
        employer_code=data["employer_code"],
        specialty=data["specialty"],
        region_code=data["region"],
        phone=data["phone"],
    )


@require_http_methods(["GET", "POST"])
@staff_required
def expert_list(request: HttpRequest) -> HttpResponse:
    """评标专家库: the region's experts (search by name, employer or specialty) and the
    form to add one."""
    scope = centre_scope(request)
    regions = region_choices(scope)
    form = ExpertForm(regions=regions)
    error = ""
    if request.method == "POST":
        form = ExpertForm(request.POST, regions=regions)
        if form.is_valid():
            try:
                expert = expert_services.expert_add(
                    given=_given(form), scope=scope, actor=request.user
                )
            except DomainError as exc:
                if not attach_problem(form, exc):
                    error = exc.detail
            else:
                messages.success(request, f"已将{expert.name}加入专家库，专家编号 {expert.code}。")
                return redirect("workbench:market_experts")
    query = " ".join(request.GET.get("q", "").split())[:50]
    experts = selectors.experts_in_scope(scope=scope).select_related("region")
    if query:
        experts = experts.filter(
            Q(name__contains=query) | Q(employer_name__contains=query) | Q(specialty=query)
        )
    page = Paginator(experts, PAGE_SIZE).get_page(request.GET.get("page"))
    failed = bool(error or form.errors)
    return render(
        request,
        "workbench/market/experts.html",
        {"form": form, "error": error, "failed": failed, "page": page, "query": query},
        status=422 if failed else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def expert_edit(request: HttpRequest, code: str) -> HttpResponse:
    """One expert of the caller's region: edit, 出库/入库, co-work for 回避."""
    scope = centre_scope(request)
    try:
        expert = selectors.expert_get_in_scope(scope=scope, code=code)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    regions = region_choices(scope)
    initial = {
        "name": expert.name,
        "specialty": expert.specialty,
        "employer_name": expert.employer_name,
        "employer_code": expert.employer_code,
        "region": expert.region.code if expert.region else "",
    }
    form = ExpertForm(initial=initial, regions=regions, editing=True, prefix="e")
    co_work = CoWorkForm(prefix="w")
    error = ""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    try:
        if action == "save":
            form = ExpertForm(request.POST, regions=regions, editing=True, prefix="e")
            if form.is_valid():
                expert_services.expert_update(
                    expert=expert, given=_given(form), scope=scope, actor=request.user
                )
                messages.success(request, "专家信息已保存。")
                return redirect("workbench:market_expert", code=expert.code)
        elif action in ("deactivate", "activate"):
            expert_services.expert_set_active(
                expert=expert, active=action == "activate", scope=scope, actor=request.user
            )
            done = "专家已重新入库。" if action == "activate" else "专家已出库，不再被抽取。"
            messages.success(request, done)
            return redirect("workbench:market_expert", code=expert.code)
        elif action == "co_work":
            co_work = CoWorkForm(request.POST, prefix="w")
            if co_work.is_valid():
                expert_services.expert_co_work_add(
                    expert=expert,
                    entity_code=co_work.cleaned_data["entity_code"],
                    until=co_work.cleaned_data["until"],
                    scope=scope,
                    actor=request.user,
                )
                messages.success(request, "已登记合作单位，该单位投标时此专家回避。")
                return redirect("workbench:market_expert", code=expert.code)
        elif action:
            error = "无法识别的操作。"
    except DomainError as exc:
        target = co_work if action == "co_work" else form
        if not attach_problem(target, exc):
            error = exc.detail
    failed = bool(error or form.errors or co_work.errors)
    return render(
        request,
        "workbench/market/expert.html",
        {
            "expert": expert,
            "form": form,
            "co_work": co_work,
            "co_works": list(expert.co_work.order_by("-until")[:50]),
            "error": error,
            "failed": failed,
        },
        status=422 if failed else 200,
    )
