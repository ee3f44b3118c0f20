"""Staff pages of data sharing: the catalogue, applications on both sides, verification.

Applications are read through ``sharing.selectors`` scoped in SQL by the
staff member's region and department scope; one outside it is "not found".
Acting needs the role *in* the acting department (``sharing.workflow``):
the consumer's 部门负责人 applies and withdraws, the provider's approves,
refuses and revokes. Each action posts the version it was shown.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.sharing import selectors, services, workflow
from tongban.sharing.models import AccessGrant, GrantStatus, SharingType
from tongban.sharing.selectors import Side
from tongban.sharing.subjects import SubjectRef
from tongban.sharing.verification import SERVICES
from tongban.workbench.sharing_forms import (
    ApplyForm,
    ApproveForm,
    ReasonForm,
    VerifyForm,
    WithdrawForm,
    default_valid_until,
)

STAFF_ONLY = "工作台仅对政务服务工作人员开放。"
PAGE_SIZE = 50
SIDES = {"consumer": "本部门的申请（使用方）", "provider": "待本部门审核（提供方）"}

View = Callable[..., HttpResponseBase]


def staff_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if getattr(request.user, "kind", "") != "staff":
            raise PermissionDenied(STAFF_ONLY)
        return view(request, *args, **kwargs)

    return wrapped


@staff_required
def sharing_index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:50]
    kind = request.GET.get("type", "")
    resources = list(selectors.resource_list(q=q, sharing_type=kind)[:200])
    return render(
        request,
        "workbench/sharing/index.html",
        {
            "resources": resources,
            "q": q,
            "type": kind,
            "types": SharingType.choices,
            "services": SERVICES.values(),
            "sides": SIDES,
        },
    )


def _resource(code: str) -> Any:
    try:
        return selectors.resource_get(code)
    except DomainError as exc:
        raise Http404(exc.detail) from None


@staff_required
@require_http_methods(["GET", "POST"])
def resource_detail(request: HttpRequest, code: str) -> HttpResponse:
    resource = _resource(code)
    fields = selectors.resource_fields(resource)
    heads = selectors.departments_acting_for(request.user, workflow.APPLY_ROLES).exclude(
        pk=resource.provider_id
    )
    may_apply = resource.sharing_type == SharingType.CONDITIONAL and heads.exists()
    form = None
    if may_apply:
        form = ApplyForm(request.POST or None, departments=heads, fields=fields)
        if request.method == "POST" and form.is_valid():
            try:
                grant = services.access_grant_request(
                    resource=resource,
                    consumer_department=form.cleaned_data["consumer"],
                    purpose=form.cleaned_data["purpose"],
                    legal_basis=form.cleaned_data["legal_basis"],
                    field_codes=form.cleaned_data["field_codes"],
                    requested_until=form.cleaned_data["requested_until"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, "共享申请已提交，提供部门应在 10 个工作日内答复。")
                return redirect("workbench:sharing_grant", grant_id=grant.pk)
    elif request.method == "POST":
        raise PermissionDenied("只有使用部门的部门负责人可以申请有条件共享的数据资源。")
    return render(
        request,
        "workbench/sharing/resource.html",
        {"resource": resource, "fields": fields, "form": form},
    )


@staff_required
def grant_list(request: HttpRequest) -> HttpResponse:
    side: Side = "provider" if request.GET.get("side") == "provider" else "consumer"
    status = request.GET.get("status", "")
    cursor = request.GET.get("cursor") or None
    try:
        page = selectors.grant_list_for_staff(
            user=request.user,
            side=side,
            status=status,
            cursor=cursor,
            limit=PAGE_SIZE,
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect(f"{reverse('workbench:sharing_grants')}?side={side}")
    base = {"side": side, **({"status": status} if status else {})}
    return render(
        request,
        "workbench/sharing/grants.html",
        {
            "grants": page.items,
            "side": side,
            "sides": SIDES,
            "status": status,
            "statuses": GrantStatus.choices,
            "today": clock.today(),
            "next_url": "?" + urlencode({**base, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
            "first_url": "?" + urlencode(base) if cursor else "",
        },
    )


def _grant(request: HttpRequest, grant_id: int) -> AccessGrant:
    try:
        return selectors.grant_get_for_staff(user=request.user, grant_id=grant_id)
    except DomainError as exc:
        raise Http404(exc.detail) from None


def _panels(
    request: HttpRequest, grant: AccessGrant, bound: dict[str, Any]
) -> list[dict[str, Any]]:
    """The action forms this user may use on this application now."""
    user = request.user
    is_provider = (
        selectors.departments_acting_for(user, workflow.DECIDE_ROLES)
        .filter(pk=grant.resource.provider_id)
        .exists()
    )
    is_consumer = (
        selectors.departments_acting_for(user, workflow.APPLY_ROLES)
        .filter(pk=grant.consumer_id)
        .exists()
    )
    version = {"expected_version": grant.version}
    panels: list[dict[str, Any]] = []
    if grant.status == GrantStatus.REQUESTED and is_provider:
        requested = list(grant.requested_fields.order_by("position", "id"))
        initial = {
            **version,
            "field_codes": [f.code for f in requested],
            "valid_until": default_valid_until(grant.requested_until, clock.today()),
        }
        panels.append({
            "action": "approve", "title": "批准", "button": "批准共享",
            "form": bound.get("approve") or ApproveForm(initial=initial, requested=requested),
        })  # fmt: skip
        panels.append({
            "action": "refuse", "title": "拒绝（须说明理由）", "button": "拒绝", "danger": True,
            "form": bound.get("refuse") or ReasonForm(initial=version, prefix="refuse"),
        })  # fmt: skip
    if grant.status == GrantStatus.APPROVED and is_provider:
        panels.append({
            "action": "revoke", "title": "撤销授权（须说明理由）", "button": "撤销授权",
            "danger": True,
            "form": bound.get("revoke") or ReasonForm(initial=version, prefix="revoke"),
        })  # fmt: skip
    if grant.status == GrantStatus.REQUESTED and is_consumer:
        panels.append({
            "action": "withdraw", "title": "撤回申请", "button": "撤回申请", "danger": True,
            "form": bound.get("withdraw") or WithdrawForm(initial=version, prefix="withdraw"),
        })  # fmt: skip
    return panels


def _status_label(status: str) -> str:
    return str(GrantStatus(status).label) if status in GrantStatus.values else ""


def _render_grant(
    request: HttpRequest, grant: AccessGrant, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "workbench/sharing/grant.html",
        {
            "grant": grant,
            "requested": list(grant.requested_fields.order_by("position", "id")),
            "granted": list(grant.granted_fields.order_by("position", "id")),
            "events": [
                (e, workflow.ACTION_LABELS.get(e.action, e.action), _status_label(e.to_status))
                for e in selectors.grant_events(grant)
            ],
            "panels": _panels(request, grant, bound or {}),
            "failed_action": next(iter(bound or {}), ""),
            "today": clock.today(),
        },
        status=status,
    )


@staff_required
def grant_detail(request: HttpRequest, grant_id: int) -> HttpResponse:
    return _render_grant(request, _grant(request, grant_id))


DONE = {
    "approve": "已批准，使用部门自即日起可在授权范围内调用。",
    "refuse": "已拒绝，理由已告知使用部门。",
    "revoke": "已撤销授权，此后的调用将被拒绝。",
    "withdraw": "已撤回申请。",
}


@staff_required
@require_POST
def grant_act(request: HttpRequest, grant_id: int, action: str) -> HttpResponse:
    grant = _grant(request, grant_id)
    form: Any
    if action == "approve":
        requested = list(grant.requested_fields.order_by("position", "id"))
        form = ApproveForm(request.POST, requested=requested)
    elif action in ("refuse", "revoke"):
        form = ReasonForm(request.POST, prefix=action)
    elif action == "withdraw":
        form = WithdrawForm(request.POST, prefix=action)
    else:
        raise Http404("没有该操作")
    if not form.is_valid():
        return _render_grant(request, grant, {action: form}, status=422)
    data = form.cleaned_data
    common = {"grant": grant, "actor": request.user, "expected_version": data["expected_version"]}
    try:
        if action == "approve":
            services.access_grant_approve(
                field_codes=data["field_codes"], valid_until=data["valid_until"],
                reason=data["reason"], **common,
            )  # fmt: skip
        elif action == "refuse":
            services.access_grant_refuse(reason=data["reason"], **common)
        elif action == "revoke":
            services.access_grant_revoke(reason=data["reason"], **common)
        else:
            services.access_grant_withdraw(reason=data["reason"], **common)
    except DomainError as exc:
        form.add_error(None, exc.detail)
        return _render_grant(request, grant, {action: form}, status=exc.status)
    messages.success(request, DONE[action])
    return redirect("workbench:sharing_grant", grant_id=grant.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, service: str) -> HttpResponse:
    spec = SERVICES.get(service)
    if spec is None:
        raise Http404("没有该核验服务")
    departments = selectors.departments_acting_for(request.user, workflow.USE_ROLES)
    form = VerifyForm(request.POST or None, service=spec, departments=departments)
    answer = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = (
            SubjectRef.person(data["identifier"])
            if data["subject_kind"] == "person"
            else SubjectRef.entity(data["identifier"])
        )
        try:
            answer = services.sharing_verify(
                consumer_department=data["consumer"], staff_user=request.user, service=spec.code,
                subject=subject, purpose=data["purpose"], case_no=data["case_no"],
                params=form.params(), channel="workbench",
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, f"{exc.detail}（{exc.code}）")
            status = exc.status
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "workbench/sharing/verify.html",
        {"service": spec, "form": form, "answer": answer, "has_department": departments.exists()},
        status=status,
    )
