"""一件事 in the workbench: the bundle counter (主题叫号、前台一窗受理、后台分发流转、
窗口统一出件) and the lead department's desk with every member case and its clock.

The counter takes the applicant found or registered in 窗口收件 step 1, the
bundle's one form and one material list, and submits once through
``bundles.services``: member cases go to each department's own queue in
dependency order. Every read is scoped in SQL by ``bundles.selectors`` (the
application's region, and a member's or a lead department); "not yours" is 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.bundles import selectors as bundle_selectors
from tongban.bundles.models import ApplicationStatus, Bundle, BundleApplication
from tongban.bundles.outputs import application_out, detail_out
from tongban.bundles.services.applications import MaterialGiven, bundle_application_submit
from tongban.bundles.services.delivery import (
    bundle_application_deliver,
    bundle_application_extend,
)
from tongban.cases.services.forms import applicant_values
from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.org.models import Role
from tongban.org.selectors import staff_scope_for
from tongban.supervision.bundles import bundle_alert_list_for_staff
from tongban.workbench.access import staff_required
from tongban.workbench.bundle_forms import BundleDeliverForm, BundleExtendForm, CounterForm
from tongban.workbench.case_views import clock_view
from tongban.workbench.intake_session import intake_applicant

PAGE_SIZE = 50
ALERT_LABELS = {"yellow": "黄色预警", "red": "红色预警"}
STATUS_TABS = [
    ("", "全部"),
    (ApplicationStatus.IN_PROGRESS, "办理中"),
    (ApplicationStatus.READY, "待统一出件"),
    (ApplicationStatus.CONCLUDED, "已办结"),
    (ApplicationStatus.STOPPED, "已终止"),
]


def _is_clerk(request: HttpRequest) -> bool:
    return staff_scope_for(user=request.user).has_role(Role.WINDOW_CLERK)


@require_GET
@staff_required
def bundle_desk(request: HttpRequest) -> HttpResponse:
    """一件事 applications in the caller's scope, newest first, with their clocks."""
    status = str(request.GET.get("status", ""))
    if status not in {value for value, _ in STATUS_TABS}:
        status = ""
    cursor = request.GET.get("cursor") or None
    try:
        page = bundle_selectors.application_list_for_staff(
            user=request.user, status=status or None, cursor=cursor, limit=PAGE_SIZE
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("workbench:bundle_desk")
    cal = get_calendar()
    rows = [(a, bundle_selectors.application_clock(a, clock.today(), cal)) for a in page.items]
    tabs = [
        (value, label, "?" + urlencode({"status": value}) if value else "?")
        for value, label in STATUS_TABS
    ]
    clerk = _is_clerk(request)
    bundles = bundle_selectors.bundle_list_public(limit=100).items if clerk else []
    return render(
        request,
        "workbench/bundles/desk.html",
        {
            "rows": [(a, c, ALERT_LABELS.get(c.alert or "", "")) for a, c in rows],
            "tabs": tabs,
            "status": status,
            "bundles": bundles,
            # The lead department's desk: the bundles' and their members' alerts.
            "alerts": bundle_alert_list_for_staff(user=request.user, limit=50),
            "next_url": "?" + urlencode({"status": status, "cursor": page.next_cursor})
            if page.next_cursor
            else "",
        },
    )


def _bundle(code: str) -> Bundle:
    try:
        return bundle_selectors.bundle_get_public(code)
    except DomainError as exc:
        raise Http404(exc.detail) from None


@require_http_methods(["GET", "POST"])
@staff_required
def bundle_counter(request: HttpRequest, code: str) -> HttpResponse:
    """前台一窗受理: one intake at the window for every member of the bundle."""
    if not _is_clerk(request):
        raise PermissionDenied("一件事窗口收件仅对窗口人员开放。")
    bundle = _bundle(code)
    view = bundle_selectors.bundle_view(bundle)
    applicant = intake_applicant(request)
    form = None
    status = 200
    if applicant is not None and view.available:
        bound = applicant_values(applicant.person, applicant.entity)
        form = CounterForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            merge=view.merge,
            bound=bound,
        )
        if request.method == "POST":
            if form.is_valid():
                done = _take(request, bundle, form, applicant)
                if done is not None:
                    return done
            status = 422
    return render(
        request,
        "workbench/bundles/counter.html",
        {"detail": detail_out(view), "applicant": applicant, "form": form},
        status=status,
    )


def _take(
    request: HttpRequest, bundle: Bundle, form: CounterForm, applicant: Any
) -> HttpResponse | None:
    who: dict[str, Any] = (
        {"applicant_entity": applicant.entity, "agent_person": applicant.agent}
        if applicant.entity is not None
        else {"applicant_person": applicant.person}
    )
    try:
        application = bundle_application_submit(
            bundle=bundle,
            channel="window",
            form_data=form.form_data(),
            materials=[
                MaterialGiven(key=key, content=content, file_name=name)
                for key, content, name in form.files_given()
            ],
            submitted_by=request.user,
            **who,
        )
    except DomainError as exc:
        if form.attach(exc.fields) < len(exc.fields) or not exc.fields:
            form.add_error(None, exc.detail)
        return None
    messages.success(
        request,
        f"已受理一件事申请 {application.application_no}，各事项已分发至各部门办理。",
    )
    try:
        bundle_selectors.application_get_for_staff(
            user=request.user, application_no=application.application_no
        )
    except DomainError:
        return redirect("workbench:bundle_desk")
    return redirect("workbench:bundle_application", application_no=application.application_no)


def _scoped(request: HttpRequest, application_no: str) -> BundleApplication:
    try:
        return bundle_selectors.application_get_for_staff(
            user=request.user, application_no=application_no
        )
    except DomainError as exc:
        raise Http404(exc.detail) from None


def _detail_page(
    request: HttpRequest,
    application: BundleApplication,
    deliver: BundleDeliverForm | None,
    extend: BundleExtendForm | None = None,
) -> HttpResponse:
    out = application_out(application, staff=True)
    cal = get_calendar()
    names = {row["key"]: row["name"] for row in out["members"]}
    members = [
        (
            row,
            "、".join(names.get(key, key) for key in row["depends_on"]),
            clock_view(m.case, cal) if m.case is not None else None,
        )
        for m, row in zip(application.members.all(), out["members"], strict=True)
    ]
    if deliver is None and application.status == ApplicationStatus.READY:
        deliver = BundleDeliverForm(initial={"version": application.version, "method": "window"})
    # 第四十二条第二款: a jointly handled bundle's 45 working days, extended once.
    if (
        extend is None
        and application.legal_deadline is not None
        and not application.extension_days
        and application.status in (ApplicationStatus.IN_PROGRESS, ApplicationStatus.READY)
    ):
        extend = BundleExtendForm(initial={"version": application.version})
    return render(
        request,
        "workbench/bundles/application.html",
        {
            "a": out,
            "members": members,
            "alert_label": ALERT_LABELS.get(out["alert"] or "", ""),
            "deliver": deliver,
            "extend": extend,
            "desk_url": reverse("workbench:bundle_desk"),
        },
        status=422 if any(f is not None and f.errors for f in (deliver, extend)) else 200,
    )


@require_GET
@staff_required
def bundle_application(request: HttpRequest, application_no: str) -> HttpResponse:
    """The lead department's view: every member case with its own clock."""
    return _detail_page(request, _scoped(request, application_no), None)


@require_POST
@staff_required
def bundle_application_deliver_view(request: HttpRequest, application_no: str) -> HttpResponse:
    """窗口统一出件: every result handed out together."""
    application = _scoped(request, application_no)
    form = BundleDeliverForm(request.POST)
    if form.is_valid():
        try:
            bundle_application_deliver(
                application=application,
                actor=request.user,
                method=form.cleaned_data["method"],
                tracking_no=form.cleaned_data["tracking_no"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, "已统一出件，各事项办件一并送达、办结。")
            return redirect("workbench:bundle_application", application_no=application_no)
    return _detail_page(request, _scoped(request, application_no), form)


@require_POST
@staff_required
def bundle_application_extend_view(request: HttpRequest, application_no: str) -> HttpResponse:
    """延长统一办理期限: 45 working days + at most 15, with the head's approval."""
    application = _scoped(request, application_no)
    form = BundleExtendForm(request.POST)
    if form.is_valid():
        try:
            bundle_application_extend(
                application=application,
                actor=request.user,
                days=form.cleaned_data["days"],
                reason=form.cleaned_data["reason"],
                approver=form.cleaned_data["approver"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, "已延长统一办理期限。")
            return redirect("workbench:bundle_application", application_no=application_no)
    return _detail_page(request, _scoped(request, application_no), None, form)
