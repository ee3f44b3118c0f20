"""The staff case pages: 窗口收件, 受理队列, 办件页 with its actions, downloads.

Only staff enter. Every case is read through a scoped ``cases.selectors``
function, so a case of another city is "not found" (404, CONVENTIONS 5).
Each action posts the case version it was shown (``expected_version``); the
transition service refuses a stale one and the clerk is told to refresh.
The documents a transition issues (受理通知书, 决定书 …) are issued by the
transition service itself and linked on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.cases import errors as case_errors
from tongban.cases import selectors as case_selectors
from tongban.cases import services as case_services
from tongban.cases import workflow
from tongban.cases.models import Case, CaseDocument, CaseStatus, MaterialKind
from tongban.cases.services._common import roles_on_case
from tongban.cases.services.intake import MaterialInput, missing_materials
from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.content import GuideContent
from tongban.catalog.models import ServiceItem
from tongban.catalog.situations import materials_for
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.calendar import WorkingCalendar, get_calendar
from tongban.core.errors import DomainError
from tongban.identity import errors as identity_errors
from tongban.identity import services as identity_services
from tongban.identity.models import LegalEntity, Person
from tongban.identity.selectors import legal_entity_find_by_credit_code, person_find_by_id_number
from tongban.org.models import Role
from tongban.org.selectors import staff_scope_for
from tongban.workbench.case_forms import (
    AcceptForm,
    ActionForm,
    CommitmentForm,
    DecideForm,
    DeliverForm,
    EntityLookupForm,
    ExtendForm,
    ImmediateForm,
    IntakeForm,
    PersonLookupForm,
    RefuseForm,
    StaffSearchForm,
    SupplementRequestForm,
    SuspendForm,
    attach_form_errors,
    intake_materials,
)

STAFF_ONLY = "工作台仅对政务服务工作人员开放。"
CLERKS_ONLY = "窗口收件仅对窗口人员开放。"
STALE = "办件已被他人处理，请刷新后再操作。"
PAGE_SIZE = 50
ITEM_RESULTS = 20
# 窗口收件 step 1, kept in the session: the person at the window (the applicant,
# or with SESSION_ENTITY the applying entity's 经办人) and the entity, if any.
SESSION_PERSON = "intake_person_id"
SESSION_ENTITY = "intake_entity_id"
APPLICANT_KINDS = (("person", "个人"), ("entity", "法人或其他组织"))
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

View = Callable[..., HttpResponseBase]


def staff_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if getattr(request.user, "kind", "") != "staff":
            raise PermissionDenied(STAFF_ONLY)
        return view(request, *args, **kwargs)

    return wrapped


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
        "timeline": [(entry, _detail_text(entry)) for entry in case_selectors.case_timeline(case)],
        "documents": list(case.documents.all()),
        "materials": list(case.materials.all()),
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


def document_response(document: CaseDocument) -> FileResponse:
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


# ---------------------------------------------------------------- 窗口收件


def _clerk_only(request: HttpRequest) -> None:
    if not staff_scope_for(user=request.user).has_role(Role.WINDOW_CLERK):
        raise PermissionDenied(CLERKS_ONLY)


@dataclass(frozen=True)
class Applicant:
    """Who applies at the window: a person, or a legal entity through its 经办人."""

    person: Person | None = None
    entity: LegalEntity | None = None
    agent: Person | None = None


def _intake_applicant(request: HttpRequest) -> Applicant | None:
    # The applicant this clerk found or registered in step 1 of this session
    # (persons and legal entities are not region-scoped; the ids came from the
    # clerk's own lookup).
    person_pk = request.session.get(SESSION_PERSON)
    entity_pk = request.session.get(SESSION_ENTITY)
    person = Person.objects.filter(pk=person_pk).first() if isinstance(person_pk, int) else None
    if person is None:
        return None
    if entity_pk is None:
        return Applicant(person=person)
    entity = (
        LegalEntity.objects.select_related("legal_representative").filter(pk=entity_pk).first()
        if isinstance(entity_pk, int)
        else None
    )
    # Without its entity the agent is no applicant: step 1 is asked again.
    return Applicant(entity=entity, agent=person) if entity is not None else None


def _representative_form(data: Any = None) -> PersonLookupForm:
    return PersonLookupForm(data, prefix="rep", who="法定代表人", phone_help="选填。")


@dataclass
class EntityStep:
    """Step 1 for a legal entity: its forms, and what the clerk is asked to register."""

    entity: EntityLookupForm
    agent: PersonLookupForm
    representative: PersonLookupForm = field(default_factory=_representative_form)
    register_entity: bool = False  # credit code unknown: name and 法定代表人 needed
    register_representative: bool = False
    register_agent: bool = False
    show_name: bool = False

    @property
    def registering(self) -> bool:
        return self.register_entity or self.register_representative or self.register_agent

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in (self.entity, self.representative, self.agent))


def _entity_step(data: Any = None) -> EntityStep:
    return EntityStep(
        entity=EntityLookupForm(data), agent=PersonLookupForm(data, prefix="agent", who="经办人")
    )


def _kind_tabs(request: HttpRequest) -> list[tuple[str, str, str]]:
    """申请人类型 as links that keep the chosen item, situation and search."""
    kept = {k: str(request.GET[k]) for k in ("item", "situation", "q") if request.GET.get(k)}
    base = reverse("workbench:case_intake")
    tabs = []
    for value, label in APPLICANT_KINDS:
        query = urlencode({**kept, "applicant": value} if value == "entity" else kept)
        tabs.append((value, label, f"{base}?{query}" if query else base))
    return tabs


def _intake_item(request: HttpRequest, code: str) -> ServiceItem | None:
    if not code:
        return None
    item = (
        catalog_selectors.service_item_list_for_clerk(user=request.user)
        .filter(implementation_code=code)
        .first()
    )
    if item is None:
        raise Http404("未找到该事项，或不在您的受理范围内。")
    return item


@require_http_methods(["GET", "POST"])
@staff_required
def case_intake(request: HttpRequest) -> HttpResponse:
    _clerk_only(request)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    lookup = PersonLookupForm(request.POST if step == "person" else None)
    entity_step = _entity_step(request.POST if step == "entity" else None)
    need_registration = False
    status = 200
    if step == "reset":
        request.session.pop(SESSION_PERSON, None)
        request.session.pop(SESSION_ENTITY, None)
        return redirect("workbench:case_intake")
    if step == "person":
        if lookup.is_valid():
            person, need_registration = _find_or_register(lookup)
            if person is not None:
                request.session[SESSION_PERSON] = person.pk
                request.session.pop(SESSION_ENTITY, None)
                return redirect(request.get_full_path())
        status = 422 if not need_registration else 200
    if step == "entity":
        entity, agent = _find_or_register_entity_applicant(entity_step)
        if entity is not None and agent is not None:
            request.session[SESSION_ENTITY] = entity.pk
            request.session[SESSION_PERSON] = agent.pk
            return redirect(request.get_full_path())
        status = 422 if entity_step.has_errors else 200
    if step in ("person", "entity"):
        kind = step
    else:
        kind = "entity" if request.GET.get("applicant") == "entity" else "person"
    applicant = _intake_applicant(request)
    params = request.POST if step == "submit" else request.GET
    item = _intake_item(request, str(params.get("item", "")))
    q = str(request.GET.get("q", "")).strip()[:100]
    results = (
        list(catalog_selectors.service_item_list_for_clerk(user=request.user, q=q)[:ITEM_RESULTS])
        if q
        else []
    )
    guide = GuideContent.model_validate(item.current_version.content) if item else None  # type: ignore[union-attr]  # published items have a version
    situation = str(params.get("situation", ""))
    if guide is not None and situation not in {s.code for s in guide.situations}:
        situation = ""
    form = None
    if guide is not None and item is not None:
        rows = intake_materials(guide, materials_for(guide, situation or None))
        if step == "submit":
            form = IntakeForm(request.POST, request.FILES, guide=guide, rows=rows)
            if applicant is None:
                form.is_valid()
                form.add_error(None, "请先查找或登记申请人。")
            elif form.is_valid():
                done = _intake_submit(request, item, applicant, form, situation)
                if done is not None:
                    return done
            status = 422
        else:
            form = IntakeForm(
                initial={"item": item.implementation_code, "situation": situation},
                guide=guide,
                rows=rows,
            )
    return render(
        request,
        "workbench/cases/intake.html",
        {
            "lookup": lookup,
            "need_registration": need_registration,
            "entity_step": entity_step,
            "kind": kind,
            "kind_tabs": _kind_tabs(request),
            # While step 1 is open, links and searches keep 法人 chosen.
            "keep_entity": applicant is None and kind == "entity",
            "applicant": applicant,
            "person": applicant.person if applicant else None,
            "q": q,
            "results": results,
            "searched": bool(q),
            "item": item,
            "guide": guide,
            "situation": situation,
            "form": form,
        },
        status=status,
    )


def _find_or_register(lookup: PersonLookupForm) -> tuple[Person | None, bool]:
    """The person with the ID number, or a new one when name (and phone) are given;
    ``(None, True)`` asks the clerk for the name."""
    data = lookup.cleaned_data
    found = person_find_by_id_number(data["id_number"])
    if found is not None:
        return found, False
    if not data["name"].strip():
        return None, True
    try:
        return (
            identity_services.person_register(
                name=data["name"], id_number=data["id_number"], phone=data["phone"]
            ),
            False,
        )
    except DomainError as exc:
        target = "phone" if "phone" in exc.code else "name" if "name" in exc.code else "id_number"
        lookup.add_error(target, exc.detail)
        return None, True


def _find_or_register_entity_applicant(
    step: EntityStep,
) -> tuple[LegalEntity | None, Person | None]:
    """The applying entity and its 经办人, each found or registered; what is
    still missing is asked for through ``step``."""
    entity = _find_or_register_entity(step) if step.entity.is_valid() else None
    agent = None
    if step.agent.is_valid():
        agent, step.register_agent = _find_or_register(step.agent)
    return entity, agent


def _find_or_register_entity(step: EntityStep) -> LegalEntity | None:
    """The entity with the credit code. An unknown one is registered once its
    name and 法定代表人 are given (until then ``register_entity`` asks for
    them); a name the clerk typed must agree with the register."""
    data = step.entity.cleaned_data
    code, name = data["credit_code"], data["entity_name"].strip()
    step.show_name = bool(name)
    found = legal_entity_find_by_credit_code(code)
    if found is not None and not name:
        return found
    representative = found.legal_representative if found is not None else None
    if found is None:
        step.register_entity = step.show_name = True
        posted = step.entity.data
        if (
            not name
            and not str(posted.get(step.representative.add_prefix("id_number"), "")).strip()
        ):
            return None  # the first lookup: ask for the name and the 法定代表人
        step.representative = _representative_form(posted)
        if not name:
            step.entity.add_error("entity_name", "请填写单位名称")
        if step.representative.is_valid():
            representative, step.register_representative = _find_or_register(step.representative)
    if representative is None or not name:
        return None
    try:
        return identity_services.legal_entity_register(
            credit_code=code, name=name, legal_representative=representative
        )
    except DomainError as exc:
        detail = exc.detail
        if exc.code == identity_errors.LEGAL_ENTITY_NAME_MISMATCH.code and found is not None:
            detail = f"{detail}（登记的名称为“{found.name}”）"
        places = {"credit_code": "credit_code", "name": "entity_name"}
        target = next((f for part, f in places.items() if part in exc.code), None)
        step.entity.add_error(target, detail)
        return None


def _intake_submit(
    request: HttpRequest,
    item: ServiceItem,
    applicant: Applicant,
    form: IntakeForm,
    situation: str,
) -> HttpResponse | None:
    materials = []
    for row in form.rows:
        if not row.paper:
            continue
        upload = form.cleaned_data.get(row.upload)
        if upload:
            materials.append(
                MaterialInput(
                    code=row.spec.code,
                    kind=MaterialKind.UPLOAD,
                    content=upload.read(),
                    file_name=upload.name or "",
                )
            )
        elif form.cleaned_data.get(row.paper):
            materials.append(MaterialInput(code=row.spec.code, kind=MaterialKind.PAPER))
        elif row.defer and form.cleaned_data.get(row.defer):
            materials.append(MaterialInput(code=row.spec.code, kind=MaterialKind.DEFERRED))
    try:
        case = case_services.case_submit(
            service_item=item,
            channel="window",
            applicant_person=applicant.person,
            applicant_entity=applicant.entity,
            agent_person=applicant.agent,
            form_data=form.form_data(),
            situation=situation,
            materials=materials,
            commitment=bool(form.cleaned_data.get("commitment")),
            submitted_by=request.user,
        )
    except DomainError as exc:
        if not attach_form_errors(form, exc):
            form.add_error(None, exc.detail)
        return None
    request.session.pop(SESSION_PERSON, None)
    request.session.pop(SESSION_ENTITY, None)
    messages.success(
        request,
        f"已收件，办件编号 {case.case_no}。请核对材料后受理、不予受理或一次性告知补正。",
    )
    return redirect(reverse("workbench:case_detail", args=[case.case_no]))
