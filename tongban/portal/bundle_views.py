"""一件事 in the portal: the list, a bundle's guide (what is merged and why), the
one merged application form, 我的一件事 with one status, one deadline and one
timeline, and the one combined supplement notice.

Reads go through ``bundles.selectors`` (public, or scoped to the applicant:
another person's application is 404); writes through ``bundles.services``.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.bundles import selectors as bundle_selectors
from tongban.bundles.merge import MergeResult
from tongban.bundles.models import Bundle, BundleApplication
from tongban.bundles.outputs import application_out, detail_out
from tongban.bundles.services.applications import MaterialGiven, bundle_application_submit
from tongban.bundles.services.delivery import bundle_application_withdraw
from tongban.bundles.services.supplements import bundle_supplement_submit
from tongban.cases.services.forms import applicant_values
from tongban.core.errors import DomainError
from tongban.identity.selectors import legal_entities_for_user
from tongban.portal import staging
from tongban.portal.bundle_forms import (
    BundleApplicationForm,
    BundleSupplementForm,
    BundleWithdrawForm,
    attach_bundle_errors,
    staged_code,
)
from tongban.portal.case_forms import material_field, upload_limit_text
from tongban.portal.case_views import _applicant_only, _not_found

SESSION_TOKENS = "bundle_apply_tokens"
TOKENS_KEPT = 20
IN_FLIGHT_SECONDS = 120
PAGE_SIZE = 20
ALERT_LABELS = {"yellow": "黄色预警", "red": "红色预警"}
CATEGORY_LABELS = {"flagship": "精品一件事", "provincial": "省定标准", "local": "地方探索"}


def _bundle(code: str) -> Bundle:
    try:
        return bundle_selectors.bundle_get_public(code)
    except DomainError as exc:
        raise _not_found(exc) from None


@require_GET
def bundle_index(request: HttpRequest) -> HttpResponse:
    page = bundle_selectors.bundle_list_public(limit=100)
    rows = [
        {
            "bundle": b,
            "category": CATEGORY_LABELS.get(b.category, ""),
            "limit": (
                f"{b.promised_days} 个{'工作日' if b.promised_unit == 'working_days' else '自然日'}"
                if b.promised_days
                else ""
            ),
        }
        for b in page.items
    ]
    return render(request, "portal/bundles/index.html", {"rows": rows})


@require_GET
def bundle_guide(request: HttpRequest, code: str) -> HttpResponse:
    view = bundle_selectors.bundle_view(_bundle(code))
    detail = detail_out(view)
    layers = [
        [m for m in detail["members"] if m["layer"] == i + 1] for i in range(len(view.layers))
    ]
    return render(
        request,
        "portal/bundles/guide.html",
        {
            "detail": detail,
            "layers": layers,
            "category": CATEGORY_LABELS.get(detail["category"], ""),
            "available": view.available,
        },
    )


# ---------------------------------------------------------------- 一表申请


def _tokens(request: HttpRequest) -> dict[str, str]:
    tokens = request.session.get(SESSION_TOKENS)
    return dict(tokens) if isinstance(tokens, dict) else {}


def _token_set(request: HttpRequest, token: str, value: str) -> None:
    tokens = _tokens(request)
    tokens[token] = value
    request.session[SESSION_TOKENS] = dict(list(tokens.items())[-TOKENS_KEPT:])


def _entities(request: HttpRequest) -> list[tuple[str, str]] | None:
    if getattr(request.user, "kind", "") != "business":
        return None
    return [
        (str(e.pk), f"{e.name}（{e.credit_code}）")
        for e in legal_entities_for_user(user=request.user)  # type: ignore[arg-type]  # identity's User
    ]


@require_http_methods(["GET", "POST"])
@login_required
def bundle_apply(request: HttpRequest, code: str) -> HttpResponse:
    _applicant_only(request)
    bundle = _bundle(code)
    view = bundle_selectors.bundle_view(bundle)
    if not view.available:
        messages.info(request, "该一件事的部分事项暂未发布办事指南，暂不能在线申请。")
        return redirect("portal:bundle_guide", code=bundle.code)
    user: Any = request.user
    entities = _entities(request)
    bound = applicant_values(None if entities is not None else user.person, None)
    if entities is not None:
        bound = {"entity_name": "", "credit_code": ""}
    options: dict[str, Any] = {"merge": view.merge, "bound": bound, "entities": entities}
    status = 200
    if request.method == "POST":
        token = str(request.POST.get("token", ""))
        tokens = _tokens(request)
        if tokens.get(token):
            messages.info(request, "该申请已经提交过，无需重复提交。")
            return redirect("portal:my_bundle", application_no=tokens[token])
        data = request.POST.copy()
        expired = token not in tokens
        if expired:
            fresh = secrets.token_urlsafe(18)
            data["token"] = fresh
            _token_set(request, fresh, "")
            staging.staged_uploads_move(user=request.user, old=token, new=fresh)
            token = fresh
        form = BundleApplicationForm(
            data, request.FILES, staged=_staged(request, view.merge, token), **options
        )
        valid = form.is_valid()
        _stage_uploads(request, form, token)
        if expired:
            form.add_error(None, "页面已过期，请核对后重新提交。")
        elif valid and not form.errors:
            done = _submit(request, bundle, form, token)
            if done is not None:
                staging.staged_uploads_discard(user=request.user, token=token)
                return done
        status = 422
    else:
        token = secrets.token_urlsafe(18)
        _token_set(request, token, "")
        form = BundleApplicationForm(initial={"token": token}, **options)
    return render(
        request,
        "portal/bundles/apply.html",
        {
            "detail": detail_out(view),
            "form": form,
            "upload_limit": upload_limit_text(),
            "no_entities": entities == [],
        },
        status=status,
    )


def _staged(request: HttpRequest, merge: MergeResult, token: str) -> dict[str, Any]:
    """The files staged with this draft, by merged material key."""
    staged = staging.staged_uploads_for(user=request.user, token=token)
    return {
        m.key: staged[staged_code(m.key)]
        for m in merge.materials_to_submit
        if staged_code(m.key) in staged
    }


def _stage_uploads(request: HttpRequest, form: BundleApplicationForm, token: str) -> None:
    """Keep every file that passed its checks, whatever else was wrong, and drop
    the ones the applicant chose to delete (as ``apply_views._stage_uploads``)."""
    chosen = dict(form.new_uploads())
    for material in form.uploads:
        code = staged_code(material.key)
        upload = chosen.get(material.key)
        if upload is not None:
            upload.seek(0)
            try:
                staging.staged_upload_put(
                    user=request.user,
                    token=token,
                    code=code,
                    content=upload.read(),
                    file_name=upload.name or "",
                    fallback=material.spec.name,
                )
            except DomainError as exc:
                form.add_error(material_field(material.key), exc.detail.split("：", 1)[-1])
        elif material.key in form.staged and form.kept(material.key) is None:
            staging.staged_upload_remove(user=request.user, token=token, code=code)
    form.stage(_staged(request, form.merge, token))


def _submit(
    request: HttpRequest, bundle: Bundle, form: BundleApplicationForm, token: str
) -> HttpResponse | None:
    in_flight = f"tongban:bundle-apply:{token}"
    if not cache.add(in_flight, "1", IN_FLIGHT_SECONDS):
        form.add_error(None, "申请正在提交，请勿重复点击；稍后可在“我的一件事”中查看。")
        return None
    user: Any = request.user
    who: dict[str, Any] = {"applicant_person": user.person}
    if "entity" in form.fields:
        chosen = str(form.cleaned_data.get("entity") or "")
        entity = (
            legal_entities_for_user(user=user).filter(pk=int(chosen)).first()
            if chosen.isdigit()
            else None
        )
        if entity is None:
            form.add_error("entity", "请选择您有权代为办理的单位")
            cache.delete(in_flight)
            return None
        who = {"applicant_entity": entity, "agent_person": user.person}
    try:
        application = bundle_application_submit(
            bundle=bundle,
            channel="online",
            form_data=form.form_data(),
            materials=[
                MaterialGiven(key=key, content=content, file_name=name)
                for key, content, name in form.files_given(staging.staged_upload_content)
            ],
            submitted_by=user,
            **who,
        )
    except DomainError as exc:
        cache.delete(in_flight)
        if attach_bundle_errors(form, exc.fields) < len(exc.fields) or not exc.fields:
            form.add_error(None, exc.detail)
        return None
    _token_set(request, token, application.application_no)
    messages.success(
        request,
        f"一件事申请已提交，申请编号 {application.application_no}。各部门的办理进度在本页查看。",
    )
    return redirect("portal:my_bundle", application_no=application.application_no)


# ---------------------------------------------------------------- 我的一件事


@require_GET
@login_required
def my_bundles(request: HttpRequest) -> HttpResponse:
    _applicant_only(request)
    cursor = request.GET.get("cursor") or None
    try:
        page = bundle_selectors.application_list_for_applicant(
            user=request.user, cursor=cursor, limit=PAGE_SIZE
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("portal:my_bundles")
    return render(
        request,
        "portal/bundles/mine.html",
        {
            "applications": page.items,
            "next_url": "?" + urlencode({"cursor": page.next_cursor}) if page.next_cursor else "",
            "first_url": reverse("portal:my_bundles") if cursor else "",
        },
    )


def _mine(request: HttpRequest, application_no: str) -> BundleApplication:
    _applicant_only(request)
    try:
        return bundle_selectors.application_get_for_applicant(
            user=request.user, application_no=application_no
        )
    except DomainError as exc:
        raise _not_found(exc) from None


def _page(
    request: HttpRequest,
    application: BundleApplication,
    form: BundleSupplementForm | None,
    withdraw: BundleWithdrawForm | None = None,
) -> HttpResponse:
    out = application_out(application, staff=False)
    decided = any(m["status"] == "result" for m in out["members"])
    if withdraw is None and out["status"] == "in_progress" and not decided:
        withdraw = BundleWithdrawForm(initial={"version": application.version})
    notice = next((n for n in out["notices"] if n["status"] == "open"), None)
    if notice is not None and form is None:
        form = BundleSupplementForm(items=notice["items"])
    return render(
        request,
        "portal/bundles/application.html",
        {
            "a": out,
            "notice": notice,
            "form": form,
            "alert_label": ALERT_LABELS.get(out["alert"] or "", ""),
            "upload_limit": upload_limit_text(),
            "withdraw": withdraw,
        },
        status=422 if any(f is not None and f.errors for f in (form, withdraw)) else 200,
    )


@require_GET
@login_required
def my_bundle(request: HttpRequest, application_no: str) -> HttpResponse:
    return _page(request, _mine(request, application_no), None)


@require_POST
@login_required
def my_bundle_supplement(request: HttpRequest, application_no: str) -> HttpResponse:
    application = _mine(request, application_no)
    notice = application.supplement_notices.filter(status="open").first()
    if notice is None:
        messages.info(request, "没有待补正的材料。")
        return redirect("portal:my_bundle", application_no=application.application_no)
    form = BundleSupplementForm(request.POST, request.FILES, items=notice.items)
    if form.is_valid():
        try:
            bundle_supplement_submit(
                application=application, files=form.given_files(), actor=request.user
            )
        except DomainError as exc:
            for problem in exc.fields:
                name = "s_" + str(problem.get("field", "")).removeprefix("files.")
                form.add_error(name if name in form.fields else None, str(problem["message"]))
            if not exc.fields:
                form.add_error(None, exc.detail)
        else:
            messages.success(request, "补正材料已一次提交，已转交提出要求的各部门。")
            return redirect("portal:my_bundle", application_no=application.application_no)
    return _page(request, _mine(request, application_no), form)


@require_POST
@login_required
def my_bundle_withdraw(request: HttpRequest, application_no: str) -> HttpResponse:
    application = _mine(request, application_no)
    form = BundleWithdrawForm(request.POST)
    if form.is_valid():
        try:
            bundle_application_withdraw(
                application=application,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, "一件事申请已撤回，正在办理的各事项一并撤回。")
            return redirect("portal:my_bundle", application_no=application.application_no)
    return _page(request, _mine(request, application_no), None, form)
