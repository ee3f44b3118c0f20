"""双随机、一公开 pages of the workbench (issue 17, R-CR-2).

A department keeps its inspection item list (随机抽查事项清单) and sees its
inspector pool; the lead department makes a plan (scope over the 法人库 by region,
industry and credit class, a rate per class), publishes the seed's commitment,
draws (entities by class stratum, inspectors in a random order, assigned with
回避), replaces an inspector, and publishes the results; an inspector enters the
results of her tasks and declares 回避.

Reads go through ``supervision.inspection_selectors`` scoped in SQL; each POST is
one ``supervision.inspections`` / ``inspection_runs`` call, and a refusal shows
its detail with nothing changed (the draw is all or nothing).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tongban.core.api.pagination import paginate
from tongban.core.errors import DomainError
from tongban.org.selectors import StaffScope
from tongban.supervision import inspection_errors as errors
from tongban.supervision import inspection_selectors as sel
from tongban.supervision.inspection_models import InspectionPlan, InspectionTask, Inspector
from tongban.supervision.inspection_runs import (
    plan_draw,
    results_publish,
    task_inspector_replace,
    task_result_enter,
)
from tongban.supervision.inspections import (
    inspection_item_add,
    inspector_conflict_declare,
    plan_create,
    plan_open,
)
from tongban.workbench.access import staff_required
from tongban.workbench.inspection_forms import (
    ConflictForm,
    ItemForm,
    PlanForm,
    ReplaceForm,
    ResultForm,
)

NOT_PLAN_STAFF = "双随机抽查管理仅对部门负责人、承办人员和监察人员开放。"
TASKS_SHOWN = 100  # tasks per page of a plan, in credit-code order (keyset pages)
TASK_ORDERING = ("subject_code", "id")


def _scope(request: HttpRequest) -> StaffScope:
    scope = sel.plan_scope_for(request.user)
    if scope.is_empty:
        raise PermissionDenied(NOT_PLAN_STAFF)
    return scope


def _choices(rows: Any) -> list[tuple[int, str]]:
    return [(d.pk, d.name) for d in rows[:300]]


@require_http_methods(["GET", "POST"])
@staff_required
def inspections_home(request: HttpRequest) -> HttpResponse:
    """抽查事项清单, the inspector pool and the plans of the caller's departments."""
    inspector = sel.inspector_of(request.user)
    scope = sel.plan_scope_for(request.user)
    if scope.is_empty:
        if inspector is not None:
            return redirect("workbench:inspection_tasks")
        raise PermissionDenied(NOT_PLAN_STAFF)
    form = ItemForm(departments=_choices(sel.departments_for_staff(scope=scope)), prefix="i")
    error = ""
    if request.method == "POST":
        form = ItemForm(
            request.POST, departments=_choices(sel.departments_for_staff(scope=scope)), prefix="i"
        )
        if form.is_valid():
            data = form.cleaned_data
            department = (
                sel.departments_for_staff(scope=scope).filter(pk=data["department"]).first()
            )
            try:
                if department is None:
                    raise DomainError(errors.ITEM_INVALID, "部门不在本人数据范围内。")
                item = inspection_item_add(
                    department=department,
                    code=data["code"],
                    name=data["name"],
                    legal_basis=data["legal_basis"],
                    qualification=data["qualification"],
                    method=data["method"],
                )
            except DomainError as exc:
                error = exc.detail
            else:
                messages.success(request, f"已保存抽查事项“{item.name}”。")
                return redirect("workbench:inspections")
    return render(
        request,
        "workbench/inspections/home.html",
        {
            "form": form,
            "error": error,
            "items": list(sel.items_list_for_staff(scope=scope)[:200]),
            "inspectors": list(sel.inspectors_list_for_staff(scope=scope)[:200]),
            "plans": list(sel.plans_list_for_staff(scope=scope)[:50]),
            "is_inspector": inspector is not None,
        },
        status=422 if error or form.errors else 200,
    )


def _plan_form(request: HttpRequest, scope: StaffScope) -> PlanForm:
    return PlanForm(
        request.POST if request.method == "POST" else None,
        leads=_choices(sel.departments_for_staff(scope=scope)),
        departments=_choices(sel.departments_in_regions(scope=scope)),
        items=[
            (i.pk, f"{i.name}（{i.department.name}）")
            for i in sel.items_in_regions(scope=scope)[:300]
        ],
        prefix="plan",
    )


@require_http_methods(["GET", "POST"])
@staff_required
def plan_new(request: HttpRequest) -> HttpResponse:
    """制定抽查计划 (a draft; the seed's commitment is published on the plan's page)."""
    scope = _scope(request)
    form = _plan_form(request, scope)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lead = sel.departments_for_staff(scope=scope).filter(pk=data["lead_department"]).first()
        others = list(sel.departments_in_regions(scope=scope).filter(pk__in=data["departments"]))
        items = list(sel.items_in_regions(scope=scope).filter(pk__in=data["items"]))
        try:
            if lead is None:
                raise DomainError(errors.PLAN_INVALID, "牵头部门不在本人数据范围内。")
            plan = plan_create(
                title=data["title"],
                lead_department=lead,
                departments=[d for d in others if d.pk != lead.pk],
                items=items,
                scope_region=data["scope_region"],
                scope_industry=data["scope_industry"],
                scope_classes=data["scope_classes"],
                rates=form.rates(),
                inspectors_per_task=data["inspectors_per_task"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                actor=request.user,
            )
        except DomainError as exc:
            error = exc.detail
        else:
            messages.success(request, "已制定抽查计划。公布种子承诺后即可抽取。")
            return redirect("workbench:inspection_plan", plan_id=plan.pk)
    return render(
        request,
        "workbench/inspections/plan_new.html",
        {"form": form, "error": error},
        status=422 if error or form.errors else 200,
    )


def _plan_act(request: HttpRequest, scope: StaffScope, plan_id: int) -> str:
    plan = sel.plan_get_for_staff(scope=scope, plan_id=plan_id, lead=True)
    action = request.POST.get("action", "")
    if action == "open":
        plan_open(plan=plan, actor=request.user)
        return "已公布种子承诺值。抽取后公开种子，任何人可据此验证。"
    if action == "draw":
        drawn = plan_draw(plan=plan, actor=request.user)
        return f"已抽取 {drawn.tasks.count()} 户检查对象并分配检查人员。"
    if action == "publish":
        count = results_publish(plan=plan, actor=request.user)
        return f"已公示 {count} 户的检查结果。"
    if action == "replace":
        form = ReplaceForm(request.POST, prefix="s")
        if not form.is_valid():
            raise DomainError(errors.INSPECTOR_INVALID, "请填写检查对象和两名检查人员的执法证号。")
        data = form.cleaned_data
        task = InspectionTask.objects.filter(
            plan=plan, subject_code=data["subject_code"].strip().upper()
        ).first()
        if task is None:
            raise DomainError(errors.TASK_NOT_FOUND, "该计划没有这一检查对象。")
        pool = Inspector.objects.filter(
            certificate_no__in=[data["remove"].strip(), data["add"].strip()]
        )
        found = {i.certificate_no: i for i in pool}
        remove, add = found.get(data["remove"].strip()), found.get(data["add"].strip())
        if remove is None or add is None:
            raise DomainError(errors.INSPECTOR_INVALID, "执法证号不存在。")
        task_inspector_replace(task=task, remove=remove, add=add, actor=request.user)
        return f"已将{task.subject_name}的检查人员{remove.name}更换为{add.name}。"
    raise DomainError(errors.PLAN_INVALID, "无法识别的操作。")


@require_http_methods(["GET", "POST"])
@staff_required
def plan_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A plan: its scope and rates, both draws (commitment, then seed), the tasks."""
    scope = _scope(request)
    error = ""
    if request.method == "POST":
        try:
            messages.success(request, _plan_act(request, scope, plan_id))
            return redirect("workbench:inspection_plan", plan_id=plan_id)
        except DomainError as exc:
            error = exc.detail
    plan: InspectionPlan | None = (
        sel.plans_list_for_staff(scope=scope)
        .defer(  # the candidate lists and results can be large; the page shows the tasks
            "entity_draw__candidates",
            "entity_draw__result",
            "inspector_draw__candidates",
            "inspector_draw__result",
        )
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise Http404("抽查计划不存在。")
    leads = sel.plans_led_by_staff(scope=scope).filter(pk=plan.pk).exists()
    cursor = request.GET.get("cursor") or None
    tasks = plan.tasks.prefetch_related("inspectors").select_related("entered_by")
    try:
        page = paginate(tasks, ordering=TASK_ORDERING, cursor=cursor, limit=TASKS_SHOWN)
    except DomainError as exc:  # a forged or stale cursor: the first page, and why
        error = error or exc.detail
        cursor = None
        page = paginate(tasks, ordering=TASK_ORDERING, cursor=None, limit=TASKS_SHOWN)
    here = reverse("workbench:inspection_plan", kwargs={"plan_id": plan.pk})
    strata = list(
        plan.tasks.values("stratum")
        .annotate(n=Count("pk"), entered=Count("entered_at"))
        .order_by("stratum")
    )
    return render(
        request,
        "workbench/inspections/plan.html",
        {
            "plan": plan,
            "leads": leads,
            "error": error,
            "departments": list(plan.departments.all()),
            "items": list(plan.items.select_related("department")),
            "tasks": page.items,
            "next_url": f"{here}?cursor={page.next_cursor}#p-tasks" if page.next_cursor else "",
            "first_url": f"{here}#p-tasks" if cursor else "",
            "strata": strata,
            "task_count": sum(s["n"] for s in strata),
            "rates": sorted(plan.rates.items()),
            "spec": (plan.entity_draw.spec or {}).get("strata", {}) if plan.entity_draw else {},
            "replace": ReplaceForm(prefix="s"),
            "unpublished": sum(s["entered"] for s in strata)
            - plan.tasks.filter(published_at__isnull=False).count(),
        },
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def inspection_tasks(request: HttpRequest) -> HttpResponse:
    """我的抽查任务: enter each result once; declare 回避."""
    inspector = sel.inspector_of(request.user)
    if inspector is None:
        raise PermissionDenied("本账号不在执法检查人员库中。")
    error = ""
    bad: ResultForm | None = None
    bad_id = 0
    conflict = ConflictForm(prefix="c")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "conflict":
                conflict = ConflictForm(request.POST, prefix="c")
                if conflict.is_valid():
                    found = inspector_conflict_declare(
                        inspector=inspector,
                        subject_code=conflict.cleaned_data["subject_code"],
                        reason=conflict.cleaned_data["reason"],
                    )
                    messages.success(request, f"已申报回避：{found.subject_code}。")
                    return redirect("workbench:inspection_tasks")
            elif action == "result":
                raw = request.POST.get("task", "")
                task_id = int(raw) if raw.isdigit() and len(raw) < 10 else 0
                form = ResultForm(request.POST, prefix=f"t{task_id}")
                if form.is_valid():
                    task = task_result_enter(
                        task_id=task_id,
                        user=request.user,
                        result=form.cleaned_data["result"],
                        note=form.cleaned_data["note"],
                    )
                    messages.success(
                        request,
                        f"已录入{task.subject_name}的检查结果，"
                        f"最迟于 {task.publish_due_on:%Y年%m月%d日} 公示。",
                    )
                    return redirect("workbench:inspection_tasks")
                bad, bad_id = form, task_id
            else:
                error = "无法识别的操作。"
        except DomainError as exc:
            error = exc.detail
    rows = [
        {
            "task": t,
            "form": bad if bad is not None and bad_id == t.pk else ResultForm(prefix=f"t{t.pk}"),
        }
        for t in sel.tasks_for_inspector(inspector=inspector)[:TASKS_SHOWN]
    ]
    return render(
        request,
        "workbench/inspections/tasks.html",
        {"inspector": inspector, "rows": rows, "conflict": conflict, "error": error},
        status=422 if error or bad is not None or conflict.errors else 200,
    )
