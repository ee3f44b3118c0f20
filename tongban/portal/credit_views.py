"""Public credit information (信用信息公示, R-CR-1/2): the red and black lists in
force, a legal entity's class, lists and penalties, and the published results of
双随机 inspections. No login; a natural person's name is masked and the number
never shown (R-SC-1)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code
from tongban.core.masking import mask_name
from tongban.credit import selectors
from tongban.credit.models import ListKind, SubjectKind
from tongban.credit.services.annual import ABOLISHED, report_window
from tongban.supervision.inspection_api import plans_public


def _shown(entries):  # type: ignore[no-untyped-def]  # rows of a template table
    return [
        {
            "entry": e,
            "name": mask_name(e.subject_name)
            if e.subject_kind == SubjectKind.PERSON
            else e.subject_name,
            "code": "" if e.subject_kind == SubjectKind.PERSON else e.subject_code,
        }
        for e in entries
    ]


@require_GET
def credit_home(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("code") or "").strip()
    error = ""
    if query:
        try:
            code = validate_credit_code(query)
        except DomainError as exc:
            error = exc.detail
        else:
            return subject_page(request, code)
    return render(
        request,
        "portal/credit/home.html",
        {
            "lists": list(selectors.credit_lists()),
            "black": _shown(selectors.entries_public(kind=ListKind.BLACK)[:100]),
            "red": _shown(selectors.entries_public(kind=ListKind.RED)[:100]),
            "query": query,
            "error": error,
            "abolished": ABOLISHED,
            "window": report_window(clock.today().year),
        },
    )


def subject_page(request: HttpRequest, code: str) -> HttpResponse:
    rating = selectors.rating_of(code)
    return render(
        request,
        "portal/credit/subject.html",
        {
            "code": code,
            "rating": rating,
            "credit_class": rating.credit_class if rating else "A",
            "entries": _shown(selectors.entries_public_of(code)),
            "penalties": selectors.penalties_public_of(code),
            "changes": selectors.class_history(code, limit=10),
        },
    )


@require_GET
def inspections(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/credit/inspections.html",
        {"plans": list(plans_public().prefetch_related("departments", "items")[:30])},
    )


@require_GET
def inspection_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plans_public().filter(pk=plan_id).first()
    if plan is None:
        raise Http404("没有该抽查计划")
    tasks = plan.tasks.filter(published_at__isnull=False).order_by("subject_code")
    return render(request, "portal/credit/inspection.html", {"plan": plan, "tasks": list(tasks)})
