"""The staff case pages: 受理队列, 办件页 with its actions, downloads
(窗口收件 is in ``intake_views``).

Only staff enter. Every case is read through a scoped ``cases.selectors``
function, so a case of another city is "not found" (404, CONVENTIONS 5).
Each action posts the case version it was shown (``expected_version``); the
transition service refuses a stale one and the clerk is told to refresh.
The documents a transition issues (受理通知书, 决定书 …) are issued by the
transition service itself and linked on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tongban.cases import errors as case_errors
from tongban.cases import selectors as case_selectors
from tongban.cases import services as case_services
from tongban.cases import workflow
from tongban.cases.models import Case, CaseDocument, CaseStatus, MaterialKind
from tongban.cases.notices.issue import document_ready
from tongban.cases.services._common import roles_on_case
from tongban.cases.services.intake import missing_materials
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.calendar import WorkingCalendar, get_calendar
from tongban.core.errors import DomainError
from tongban.org.models import Role
from tongban.org.selectors import staff_scope_for
from tongban.workbench.access import staff_required
from tongban.workbench.case_forms import (
    AcceptForm,
    ActionForm,
    CommitmentForm,
    DecideForm,
    DeliverForm,
    ExtendForm,
    ImmediateForm,
    RefuseForm,
    StaffSearchForm,
    SupplementRequestForm,
    SuspendForm,
)

STALE = "办件已被他人处理，请刷新后再操作。"
PAGE_SIZE = 50
ALERT_LABELS = {"yellow": "黄色预警", "red": "红色预警"}
PHASE_LABELS = {"acceptance": "受理期限", "decision": "办结期限", "delivery": "送达期限"}

# 受理队列 filters: (value, label, selector arguments)
STATUS_FILTERS: list[tuple[str, str, dict[str, Any]]] = [
    ("", "在办", {}),
    ("waiting", "待受理", {"window_queue": True}),
    ("under_review", "审查中", {"status": CaseStatus.UNDER_REVIEW}),
    ("suspended", "已中止", {"status": CaseStatus.SUSPENDED}),
    ("decided", "待送达", {"status": CaseStatus.DECIDED}),
    ("all", "全部（含已办结）", {"include_closed": True}),
]

ACTION_ROLES = workflow.ACTION_ROLES
# The order of the action forms on the page.
ACTION_ORDER = tuple(ACTION_ROLES)
BUTTONS = {
    "accept": "受理",
    "refuse": "不予受理",
    "request_supplement": "出具一次性告知书",
    "handle_immediately": "当场办结",
    "grant_on_commitment": "按告知承诺准予许可",
    "start_review": "开始审查",
    "suspend": "中止（特别程序）",
    "resume": "恢复审查",
    "decide": "作出决定",
    "extend": "延长期限",
    "deliver": "确认送达",
    "conclude": "办结",
}
DONE = {
    "accept": "已受理，受理通知书已出具。",
    "refuse": "已作出不予受理决定，决定书已出具。",
    "request_supplement": "已一次性告知补正，补正材料通知书已出具。",
    "handle_immediately": "已当场办结。",
    "grant_on_commitment": "已按告知承诺作出准予决定，事后核查已登记。",
    "start_review": "已开始审查。",
    "suspend": "已中止，办理期限暂停计算。",
    "resume": "已恢复审查，办理期限继续计算。",
    "decide": "已作出决定，决定书已出具。",
    "extend": "已延长办理期限。",
    "deliver": "已送达。",
    "conclude": "已办结。",
}


def _roles_on_case(user: Any, case: Case) -> set[str]:
    return roles_on_case(user, case)


@dataclass(frozen=True)
class ClockView:
    phase: str
    deadline: Any
    days_left: int | None
    alert: str
    alert_label: str
    stopped: bool


def clock_view(case: Case, cal: WorkingCalendar | None = None) -> ClockView:
    c = case_selectors.case_clock(case, clock.today(), cal=cal)
    alert = c.alert.value if c.alert is not None and c.alert.value != "none" else ""
    return ClockView(
        phase=PHASE_LABELS.get(c.phase, ""),
        deadline=c.deadline,
        days_left=c.working_days_left,
        alert=alert,
        alert_label=ALERT_LABELS.get(alert, ""),
        stopped=c.stopped,
    )


# ---------------------------------------------------------------- 受理队列


@require_GET
@staff_required
def case_queue(request: HttpRequest) -> HttpResponse:
    search_form = StaffSearchForm(request.GET or None)
    q = search_form.cleaned_data["q"].strip() if search_form.is_valid() else ""
    chosen = request.GET.get("status", "")
    filters = {value: args for value, _label, args in STATUS_FILTERS}
    if chosen not in filters:
        chosen = ""
    cursor = request.GET.get("cursor") or None
    try:
        page = case_selectors.case_list_for_staff(
            user=request.user, q=q or None, cursor=cursor, limit=PAGE_SIZE, **filters[chosen]
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("workbench:case_queue")
    kept = {k: v for k, v in {"status": chosen, "q": q}.items() if v}
    cal = get_calendar()  # once per page, not once per row
    return render(
        request,
        "workbench/cases/queue.html",
        {
            "rows": [(case, clock_view(case, cal)) for case in page.items],
            "search_form": search_form,
            "q": q,
            "status": chosen,
            "tabs": [
                (value, label, "?" + urlencode({**({"q": q} if q else {}), "status": value}))
                for value, label, _args in STATUS_FILTERS
            ],
            "next_url": "?" + urlencode({**kept, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
            "first_url": "?" + urlencode(kept) if cursor else "",
            "may_intake": staff_scope_for(user=request.user).has_role(Role.WINDOW_CLERK),
        },
    )


# ---------------------------------------------------------------- 办件页


@dataclass(frozen=True)
class Answer:
    """One answer of the application form; a personal one is shown masked and
    revealed only with a stated purpose (``reveal_views``)."""

    code: str
    label: str
    value: str
    masked: bool


def _case(request: HttpRequest, case_no: str) -> Case:
    try:
        return case_selectors.case_get_for_staff(user=request.user, case_no=case_no)
    except DomainError as exc:
        raise Http404(exc.detail) from None


def _guide_of(case: Case) -> dict[str, Any]:
    content = case.guide_version.content
    return content if isinstance(content, dict) else {}


def _applicable_materials(case: Case) -> list[dict[str, Any]]:
    return [
        m
        for m in case.rules.get("materials", [])
        if not m["situations"] or case.situation in m["situations"]
    ]


def _action_form(
    action: str, case: Case, data: Any = None, missing: list[dict[str, Any]] | None = None
) -> forms.Form:
    initial = {"version": case.version}
    kwargs: dict[str, Any] = {"data": data, "initial": initial, "prefix": action}
    if action == "accept":
        deferring = "deferred_materials" in case.rules.get("modes", [])
        rules = {m["code"]: m for m in case.rules.get("materials", [])}
        choices = [
            (m["code"], m["name"])
            for m in (missing if missing is not None else missing_materials(case))
            if deferring and rules.get(m["code"], {}).get("deferrable") and not m["deferred"]
        ]
        return AcceptForm(deferrable=choices, **kwargs)
    if action == "request_supplement":
        gone = missing if missing is not None else missing_materials(case)
        return SupplementRequestForm(
            materials=[(m["code"], m["name"]) for m in _applicable_materials(case)],
            missing=[m["code"] for m in gone],
            **kwargs,
        )
    if action in ("decide", "handle_immediately"):
        bases = _guide_of(case).get("legal_bases", [])
        basis = "；".join(f"{b.get('title', '')}{b.get('article', '')}" for b in bases)
        form_class = DecideForm if action == "decide" else ImmediateForm
        kwargs["initial"] = {**initial, "legal_basis": basis}
        return form_class(**kwargs)
    simple: dict[str, type[forms.Form]] = {
        "grant_on_commitment": CommitmentForm,
        "refuse": RefuseForm,
        "suspend": SuspendForm,
        "extend": ExtendForm,
        "deliver": DeliverForm,
    }
    return simple.get(action, ActionForm)(**kwargs)


def _allowed_actions(case: Case, roles: set[str]) -> list[str]:
    actions = []
    immediate = case.rules.get("handling") == "immediate"
    for action in ACTION_ORDER:
        if workflow.target(action, case.status) is None or not roles & ACTION_ROLES[action]:
            continue
        if immediate and action == "accept":
            continue  # 即办件: one step, 当场办结
        if action == "handle_immediately" and not immediate:
            continue
        if action == "grant_on_commitment" and not case.commitment:
            continue
        actions.append(action)
    return actions


@dataclass(frozen=True)
class ActionPanel:
    action: str
    title: str
    button: str
    form: forms.Form
    danger: bool


def _case_context(
    request: HttpRequest, case: Case, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    roles = _roles_on_case(request.user, case)
    missing = missing_materials(case)
    panels = []
    for action in _allowed_actions(case, roles):
        form = (bound or {}).get(action) or _action_form(action, case, missing=missing)
        panels.append(
            ActionPanel(
                action=action,
                title=workflow.ACTION_LABELS[action],
                button=BUTTONS[action],
                form=form,
                danger=action == "refuse",
            )
        )
    guide = _guide_of(case)
    labels = {f["code"]: f["label"] for f in guide.get("form", [])}
    sealed = set(case.form_secret or {})
    answers = [
        Answer(
            code=code,
            label=labels.get(code, code),
            value="是" if v is True else "否" if v is False else str(v),
            masked=code in sealed,
        )
        for code, v in case.form_data.items()
    ]
    situations = {s["code"]: s["name"] for s in guide.get("situations", [])}
    return {
        "case": case,
        "person": case.applicant_person,
        "entity": case.applicant_entity,
        "agent": case.agent_person,
        "clock": clock_view(case),
        "timeline": [
            (entry, _detail_text(entry)) for entry in case_selectors.case_timeline_for_staff(case)
        ],
        "documents": list(case.documents.all()),
        "materials": list(case.materials.all()),
        # Exempted materials the 电子证照库 provided: the clerk can open the certificate.
        "from_certificates": {
            e["code"]
            for e in case.exemptions or []
            if e.get("found") and e.get("source") == "certificates"
        },
        "missing": missing,
        "suspensions": list(case.suspensions.all()),
        "answers": answers,
        "situation_name": situations.get(case.situation, ""),
        "panels": panels,
        "may_act": bool(roles & workflow.ANY_HANDLER),
        "is_head": Role.DEPARTMENT_HEAD in roles,
    }


DEADLINE_LABELS = {
    "acceptance_deadline": "受理期限",
    "decision_deadline": "办结期限",
    "delivery_deadline": "送达期限",
}


def _detail_text(entry: case_selectors.TimelineEntry) -> str:
    """A deadline change in words: "办结期限：2026-11-27 → 2026-12-04"."""
    if entry.action != "deadline_change":
        return ""
    details = entry.details
    name = DEADLINE_LABELS.get(str(details.get("field")), str(details.get("field")))
    return f"{name}：{details.get('from') or '—'} → {details.get('to') or '—'}"


@require_GET
@staff_required
def case_detail(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _case(request, case_no)
    return render(request, "workbench/cases/case.html", _case_context(request, case))


def _run(action: str, case: Case, form: forms.Form, actor: Any) -> Case:
    data = form.cleaned_data
    common = {"case_id": case.pk, "actor": actor, "expected_version": data["version"]}
    if action == "accept":
        return case_services.case_accept(deferred_codes=data.get("deferred") or [], **common)
    if action == "refuse":
        return case_services.case_refuse(
            reason=data["reason"], legal_basis=data["legal_basis"], **common
        )
    if action == "request_supplement":
        assert isinstance(form, SupplementRequestForm)
        return case_services.case_request_supplement(items=form.items(), **common)
    if action == "suspend":
        return case_services.case_suspend(reason=data["reason"], note=data["note"], **common)
    if action == "extend":
        return case_services.case_extend(days=data["days"], reason=data["reason"], **common)
    if action == "decide":
        return case_services.case_decide(
            outcome=data["outcome"],
            reason=data["reason"],
            legal_basis=data["legal_basis"],
            **common,
        )
    if action == "handle_immediately":
        return case_services.case_handle_immediately(
            outcome=data["outcome"],
            reason=data["reason"],
            legal_basis=data["legal_basis"],
            **common,
        )
    if action == "grant_on_commitment":
        return case_services.case_grant_on_commitment(legal_basis=data["legal_basis"], **common)
    if action == "deliver":
        return case_services.case_deliver(
            method=data["method"], tracking_no=data["tracking_no"], **common
        )
    simple: dict[str, Callable[..., Case]] = {
        "start_review": case_services.case_start_review,
        "resume": case_services.case_resume,
        "conclude": case_services.case_conclude,
    }
    return simple[action](**common)


@require_POST
@staff_required
def case_act(request: HttpRequest, case_no: str, action: str) -> HttpResponse:
    try:
        case = case_selectors.case_get_for_handler(user=request.user, case_no=case_no)
    except DomainError as exc:
        if exc.code == core_errors.PERMISSION_DENIED.code:
            raise PermissionDenied(exc.detail) from None
        raise Http404(exc.detail) from None
    if action not in ACTION_ROLES:
        raise Http404("没有这项操作")
    if not _roles_on_case(request.user, case) & ACTION_ROLES[action]:
        raise PermissionDenied(f"您的岗位不能{workflow.ACTION_LABELS[action]}。")
    form = _action_form(action, case, data=request.POST)
    if form.is_valid():
        if form.cleaned_data["version"] != case.version:
            messages.error(request, STALE)
            return redirect("workbench:case_detail", case_no=case.case_no)
        try:
            _run(action, case, form, request.user)
        except DomainError as exc:
            if exc.code == case_errors.VERSION_MISMATCH.code:
                messages.error(request, STALE)
                return redirect("workbench:case_detail", case_no=case.case_no)
            form.add_error(None, exc.detail)
        else:
            messages.success(request, DONE[action])
            return redirect("workbench:case_detail", case_no=case.case_no)
    context = _case_context(request, case, bound={action: form})
    context["failed_action"] = action
    return render(request, "workbench/cases/case.html", context, status=422)


def _file_response(file: Any, content_type: str, name: str, *, inline: bool) -> FileResponse:
    response = FileResponse(file.open("rb"), content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@staff_required
def case_material(request: HttpRequest, case_no: str, code: str) -> HttpResponseBase:
    case = _case(request, case_no)
    material = case.materials.filter(code=code, kind=MaterialKind.UPLOAD).first()
    if material is None or not material.file:
        raise Http404("未找到该材料文件")
    inline = material.content_type in ("application/pdf", "image/jpeg", "image/png")
    return _file_response(
        material.file,
        material.content_type or "application/octet-stream",
        material.file_name or material.code,
        inline=inline,
    )


@require_GET
@staff_required
def case_material_certificate(request: HttpRequest, case_no: str, code: str) -> HttpResponseBase:
    """An exempted material the 电子证照库 provided: its certificate's PDF, the
    read logged against this case (``exempted_certificate_open``)."""
    case = _case(request, case_no)
    try:
        certificate = case_services.exempted_certificate_open(
            case=case, code=code, actor=request.user
        )
    except DomainError as exc:
        raise Http404(exc.detail) from None
    if not certificate.pdf:
        raise Http404("该电子证照没有版式文件")
    return _file_response(
        certificate.pdf,
        "application/pdf",
        f"{certificate.certificate_type.name}-{certificate.identifier[-16:]}.pdf",
        inline=True,
    )


def document_response(document: CaseDocument) -> FileResponse:
    document = document_ready(document)  # sealed by the worker, or now
    name = f"{document.get_kind_display()}-{document.case.case_no}.pdf"
    return _file_response(document.file, "application/pdf", name, inline=True)


@require_GET
@staff_required
def case_document(request: HttpRequest, case_no: str, number: str) -> HttpResponseBase:
    case = _case(request, case_no)
    document = case.documents.filter(number=number).first()
    if document is None:
        raise Http404("未找到该文书")
    return document_response(document)
