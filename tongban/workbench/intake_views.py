"""窗口收件: the clerk finds or registers the applicant, picks the item and the
situation, and records the application as received (``cases.services.case_submit``).

Only window clerks enter. Persons and legal entities are found in the
identity registry by their ID number or credit code; an unknown one is
registered on the spot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tongban.appointments.cross_region_selectors import (
    intake_hall_for_clerk,
    remote_items_for_hall,
)
from tongban.cases import services as case_services
from tongban.cases.models import MaterialKind
from tongban.cases.services.intake import MaterialInput
from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.content import GuideContent
from tongban.catalog.models import ServiceItem
from tongban.catalog.situations import materials_for
from tongban.core.errors import DomainError
from tongban.identity import errors as identity_errors
from tongban.identity import services as identity_services
from tongban.identity.models import LegalEntity, Person
from tongban.identity.selectors import legal_entity_find_by_credit_code, person_find_by_id_number
from tongban.org.models import Role
from tongban.org.selectors import staff_scope_for
from tongban.workbench.access import staff_required
from tongban.workbench.case_forms import (
    EntityLookupForm,
    IntakeForm,
    PersonLookupForm,
    attach_form_errors,
    intake_materials,
    registry_answers,
)
from tongban.workbench.intake_session import (
    SESSION_ENTITY,
    SESSION_PERSON,
    Applicant,
    intake_applicant,
)

CLERKS_ONLY = "窗口收件仅对窗口人员开放。"
ITEM_RESULTS = 20
APPLICANT_KINDS = (("person", "个人"), ("entity", "法人或其他组织"))


def _clerk_only(request: HttpRequest) -> None:
    if not staff_scope_for(user=request.user).has_role(Role.WINDOW_CLERK):
        raise PermissionDenied(CLERKS_ONLY)


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
    hall = intake_hall_for_clerk(user=request.user) if item is None else None
    if item is None and hall is not None:  # 同城通办, 异地代办: the hall's 通办 list
        item = remote_items_for_hall(hall=hall).filter(implementation_code=code).first()
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
    applicant = intake_applicant(request)
    params = request.POST if step == "submit" else request.GET
    item = _intake_item(request, str(params.get("item", "")))
    q = str(request.GET.get("q", "")).strip()[:100]
    results = (
        list(catalog_selectors.service_item_list_for_clerk(user=request.user, q=q)[:ITEM_RESULTS])
        if q
        else []
    )
    hall = intake_hall_for_clerk(user=request.user) if q else None
    if hall is not None:  # other regions' items this hall takes in (同城通办, 异地代办)
        results += list(remote_items_for_hall(hall=hall, q=q)[:ITEM_RESULTS])
    guide = GuideContent.model_validate(item.current_version.content) if item else None  # type: ignore[union-attr]  # published items have a version
    situation = str(params.get("situation", ""))
    if guide is not None and situation not in {s.code for s in guide.situations}:
        situation = ""
    form = None
    if guide is not None and item is not None:
        rows = intake_materials(guide, materials_for(guide, situation or None))
        fixed = (
            registry_answers(
                guide,
                person=applicant.person,
                entity=applicant.entity,
                agent=applicant.agent,
                situation=situation,
            )
            if applicant is not None
            else []
        )
        if step == "submit":
            form = IntakeForm(request.POST, request.FILES, guide=guide, rows=rows, fixed=fixed)
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
                fixed=fixed,
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
            intake_hall=intake_hall_for_clerk(user=request.user),
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
