"""在线申请: the situation walk, then the application form generated from the
guide, submitted once per one-time token through ``cases.services.case_submit``.

Every problem is shown in one round, files that passed are kept with the
draft (``staging``), and what the applicant already told the platform (their
registered identity, the situation answered) is not asked again (issue 20,
items 2 and 3).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tongban.cases import errors as case_errors
from tongban.cases import services as case_services
from tongban.cases.models import MaterialKind
from tongban.cases.services.forms import applicant_values, mask_value
from tongban.cases.services.intake import MaterialInput
from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.content import Audience, FieldType, GuideContent
from tongban.catalog.models import ServiceItem
from tongban.catalog.situations import materials_for, situation_walk
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.identity.errors import AUTHORIZATION_ITEM_FORBIDDEN
from tongban.identity.selectors import legal_entities_for_user
from tongban.portal import staging
from tongban.portal.case_forms import (
    ApplicationForm,
    FixedAnswer,
    attach_domain_errors,
    material_rows,
    upload_limit_text,
)
from tongban.portal.case_views import _applicant_only, _not_found

# 网办深度 Ⅲ级 (网上受理) and above accept applications online; Ⅰ–Ⅱ do not.
ONLINE_ACCEPTANCE_DEPTH = 3
SESSION_TOKENS = "case_apply_tokens"
TOKENS_KEPT = 20
IN_FLIGHT_SECONDS = 120
# 两个免于提交 look-ups shown on the form, kept this long in the session.
SESSION_LOOKUPS = "case_apply_lookups"
LOOKUP_SECONDS = 600


# ---------------------------------------------------------------- 在线申请


def _tokens(request: HttpRequest) -> dict[str, str]:
    tokens = request.session.get(SESSION_TOKENS)
    return dict(tokens) if isinstance(tokens, dict) else {}


def _new_token(request: HttpRequest) -> str:
    """A one-time token for one rendering of the form, kept in the session:
    "" while unused, then the number of the case it created."""
    tokens = _tokens(request)
    token = secrets.token_urlsafe(18)
    tokens[token] = ""
    request.session[SESSION_TOKENS] = dict(list(tokens.items())[-TOKENS_KEPT:])
    return token


def _token_used(request: HttpRequest, token: str, case_no: str) -> None:
    tokens = _tokens(request)
    tokens[token] = case_no
    request.session[SESSION_TOKENS] = dict(list(tokens.items())[-TOKENS_KEPT:])


def _guide(item: ServiceItem) -> GuideContent:
    assert item.current_version is not None  # the public selector returns published items
    return GuideContent.model_validate(item.current_version.content)


@dataclass(frozen=True)
class SituationChoice:
    asked: list[tuple[Any, str, str]]  # (question, chosen option, query name)
    finished: bool
    situation_code: str
    situation_name: str
    query: str  # the answers as a query string


def _situation(guide: GuideContent, params: dict[str, str]) -> SituationChoice:
    answers = {k[2:]: v for k, v in params.items() if k.startswith("q_")}
    walk = situation_walk(guide, answers)
    if not guide.questions:
        return SituationChoice([], True, "", "", "")
    kept = {f"q_{a.question.code}": a.chosen for a in walk.asked if a.chosen}
    return SituationChoice(
        [(a.question, a.chosen, f"q_{a.question.code}") for a in walk.asked],
        walk.finished,
        walk.situation.code if walk.situation else "",
        walk.situation.name if walk.situation else "",
        urlencode(kept),
    )


def _entities(request: HttpRequest) -> list[tuple[str, str]] | None:
    if getattr(request.user, "kind", "") != "business":
        return None
    return [
        (str(e.pk), f"{e.name}（{e.credit_code}）")
        for e in legal_entities_for_user(user=request.user)  # type: ignore[arg-type]  # identity's User
    ]


def _lookups(
    request: HttpRequest,
    item: ServiceItem,
    materials: list[Any],
    entities: list[tuple[str, str]] | None,
) -> dict[str, dict[str, Any]] | None:
    """两个免于提交, before submission: look the government-issued materials up
    for this applicant (a person, or a business account's only entity; with
    several entities the choice is made on the form, so intake looks up).
    Kept in the session for the form's token, so a refused submission does not
    read the registries again; intake checks once more at submission."""
    user: Any = request.user
    entity = None
    if entities is not None:
        if len(entities) != 1:
            return None
        entity = legal_entities_for_user(user=user).filter(pk=entities[0][0]).first()
        if entity is None:
            return None
    person = None if entity is not None else getattr(user, "person", None)
    if entity is None and person is None:
        return None
    codes = ",".join(sorted(m.code for m in materials))
    key = f"{item.implementation_code}:{entity.pk if entity else ''}:{codes}"
    kept: dict[str, Any] = request.session.get(SESSION_LOOKUPS, {})
    found = kept.get(key)
    if found is not None and found.get("at", 0) > clock.now().timestamp() - LOOKUP_SECONDS:
        return dict(found["records"])
    records = case_services.exemptions_preview(
        materials=list(materials),
        department=item.department,
        applicant_person=person,
        applicant_entity=entity,
        actor=user,
    )
    request.session[SESSION_LOOKUPS] = {
        **dict(list(kept.items())[-4:]),
        key: {"at": clock.now().timestamp(), "records": records},
    }
    return records


def _material_inputs(form: ApplicationForm) -> list[MaterialInput]:
    inputs = []
    committed = bool(form.cleaned_data.get("commitment"))
    for row in form.rows:
        upload = form.cleaned_data.get(row.upload) if row.upload else None
        kept = form.kept(row) if row.upload else None
        if upload:
            upload.seek(0)
            inputs.append(
                MaterialInput(
                    code=row.spec.code,
                    kind=MaterialKind.UPLOAD,
                    content=upload.read(),
                    file_name=upload.name or "",
                )
            )
        elif kept is not None:
            inputs.append(
                MaterialInput(
                    code=row.spec.code,
                    kind=MaterialKind.UPLOAD,
                    content=staging.staged_upload_content(kept),
                    file_name=kept.file_name,
                )
            )
        elif row.defer and form.cleaned_data.get(row.defer) and not committed:
            inputs.append(MaterialInput(code=row.spec.code, kind=MaterialKind.DEFERRED))
    return inputs


def _stage_uploads(request: HttpRequest, form: ApplicationForm, token: str) -> None:
    """Keep every file that passed its checks, whatever else was wrong, and drop
    the ones the applicant chose to delete (issue 20, item 2)."""
    cleaned = getattr(form, "cleaned_data", {})
    for row in form.rows:
        if not row.upload:
            continue
        upload = cleaned.get(row.upload)
        if upload and row.upload not in form.errors:
            upload.seek(0)
            try:
                staging.staged_upload_put(
                    user=request.user,
                    token=token,
                    code=row.spec.code,
                    content=upload.read(),
                    file_name=upload.name or "",
                    fallback=row.spec.name,
                )
            except DomainError as exc:
                form.add_error(row.upload, exc.detail.split("：", 1)[-1])
        elif row.spec.code in form.staged and form.kept(row) is None:
            staging.staged_upload_remove(user=request.user, token=token, code=row.spec.code)
    form.staged = staging.staged_uploads_for(user=request.user, token=token)


def _fixed_answers(
    guide: GuideContent, user: Any, entities: list[tuple[str, str]] | None, choice: SituationChoice
) -> list[FixedAnswer]:
    """The fields of the guide's form the applicant is not asked again (R-PL-2):
    their own registered identity, and what the situation walk answered."""
    fixed: list[FixedAnswer] = []
    if entities is None:
        registered = applicant_values(user.person, None)
        for spec in guide.form:
            if spec.code in registered:
                value = registered[spec.code]
                shown = mask_value(spec, value) if spec.personal else value
                fixed.append(FixedAnswer(spec.code, spec.label, shown, "实名认证信息"))
    else:
        for spec in guide.form:
            if spec.code in ("entity_name", "credit_code"):
                fixed.append(
                    FixedAnswer(spec.code, spec.label, "按所选申请单位自动填写", "法人登记信息")
                )
    labels = {
        question.code: next((o.label for o in question.options if o.code == chosen), "")
        for question, chosen, _name in choice.asked
    }
    for spec in guide.form:
        label = labels.get(spec.question or "", "")
        if label and (spec.type != FieldType.SELECT or label in spec.options):
            fixed.append(FixedAnswer(spec.code, spec.label, label, "您选择的情形", value=label))
    return fixed


def _bound(user: Any, entities: list[tuple[str, str]] | None) -> Any:
    """The applicant's registered identity for the chosen entity (or the person)."""

    def values(entity_id: str) -> dict[str, str]:
        if entities is None:
            return applicant_values(user.person, None)
        entity = (
            legal_entities_for_user(user=user).filter(pk=entity_id).first()
            if entity_id.isdigit()
            else None
        )
        return applicant_values(None, entity) if entity is not None else {}

    return values


@require_http_methods(["GET", "POST"])
@login_required
def case_apply(request: HttpRequest, code: str) -> HttpResponse:
    _applicant_only(request)
    try:
        item = catalog_selectors.service_item_get_public(code)
    except DomainError as exc:
        raise _not_found(exc) from None
    guide = _guide(item)
    wanted = Audience.LEGAL_ENTITY if request.user.kind == "business" else Audience.PERSON  # type: ignore[union-attr]  # logged in
    if wanted not in guide.audience:
        who = "法人" if wanted == Audience.PERSON else "个人"
        messages.info(request, f"该事项面向{who}，请使用{who}账号申请或到窗口办理。")
        return redirect("portal:service_guide", code=item.implementation_code)
    if guide.online_depth < ONLINE_ACCEPTANCE_DEPTH:
        messages.info(request, "该事项暂不支持网上申请，请按办事指南到窗口办理。")
        return redirect("portal:service_guide", code=item.implementation_code)
    params = request.POST if request.method == "POST" else request.GET
    choice = _situation(guide, {k: str(params.get(k, "")) for k in params})
    entities = _entities(request)
    status = 200
    form: ApplicationForm | None = None
    if choice.finished:
        wanted_materials = materials_for(guide, choice.situation_code or None)
        lookups = _lookups(request, item, wanted_materials, entities)
        rows = material_rows(guide, wanted_materials, lookups)
        options: dict[str, Any] = {
            "guide": guide,
            "rows": rows,
            "entities": entities,
            "fixed": _fixed_answers(guide, request.user, entities, choice),
            "bound": _bound(request.user, entities),
            "today": clock.today(),
        }
        if request.method == "POST":
            token = str(request.POST.get("token", ""))
            tokens = _tokens(request)
            if tokens.get(token):
                messages.info(request, "该申请已经提交过，无需重复提交。")
                return redirect("portal:my_case", case_no=tokens[token])
            data = request.POST.copy()
            expired = token not in tokens
            if expired:
                fresh = _new_token(request)
                data["token"] = fresh
                staging.staged_uploads_move(user=request.user, old=token, new=fresh)
                token = fresh
            staged = staging.staged_uploads_for(user=request.user, token=token)
            form = ApplicationForm(data, request.FILES, staged=staged, **options)
            valid = form.is_valid()
            _stage_uploads(request, form, token)
            if expired:
                form.add_error(None, "页面已过期，请核对后重新提交。")
            elif valid and not form.errors:
                done = _submit(request, item, guide, form, token, choice.situation_code)
                if done is not None:
                    staging.staged_uploads_discard(user=request.user, token=token)
                    return done
            status = 422
        else:
            form = ApplicationForm(
                initial={"token": _new_token(request), "situation": choice.situation_code},
                **options,
            )
    return render(
        request,
        "portal/cases/apply.html",
        {
            "item": item,
            "guide": guide,
            "choice": choice,
            "form": form,
            "upload_limit": upload_limit_text(),
            "no_entities": entities == [],
        },
        status=status,
    )


def _submit(
    request: HttpRequest,
    item: ServiceItem,
    guide: GuideContent,
    form: ApplicationForm,
    token: str,
    situation: str,
) -> HttpResponse | None:
    """Submit once per token: a second request with the same token while the
    first is running waits for nothing and is told so."""
    in_flight = f"tongban:case-apply:{token}"
    if not cache.add(in_flight, "1", IN_FLIGHT_SECONDS):
        form.add_error(None, "申请正在提交，请勿重复点击；稍后可在“我的办件”中查看。")
        return None
    user: Any = request.user
    entity = None
    if "entity" in form.fields:
        entity = legal_entities_for_user(user=user).filter(pk=form.cleaned_data["entity"]).first()
        if entity is None:
            form.add_error("entity", "请选择您有权代为办理的单位")
            cache.delete(in_flight)
            return None
    try:
        case = case_services.case_submit(
            service_item=item,
            channel="online",
            applicant_person=None if entity else user.person,
            applicant_entity=entity,
            agent_person=user.person if entity else None,
            form_data=form.form_data(),
            situation=situation,
            materials=_material_inputs(form),
            commitment=bool(form.cleaned_data.get("commitment")),
            submitted_by=user,
        )
    except DomainError as exc:
        cache.delete(in_flight)
        if exc.code == AUTHORIZATION_ITEM_FORBIDDEN.code:  # an agent limited to named items
            form.add_error("entity", exc.detail)
            return None
        order = [m.code for m in guide.materials]
        if not attach_domain_errors(form, exc, material_order=order) or exc.code not in (
            case_errors.FORM_INVALID.code,
            case_errors.UPLOAD_INVALID.code,
        ):
            form.add_error(None, exc.detail)
        return None
    _token_used(request, token, case.case_no)
    messages.success(request, f"申请已提交，办件编号 {case.case_no}。请留意短信和本页的办理进度。")
    return redirect("portal:my_case", case_no=case.case_no)
