"""The applicant's case pages: 我的办件, one case, documents, 办件查询
(在线申请 is in ``apply_views``).

Views are thin (CONVENTIONS 2): the application form is checked, then one
``cases.services`` call writes; every read goes through a ``cases.selectors``
function that is scoped to the caller (CONVENTIONS 5), so another person's
case or document is "not found" (404), never "forbidden".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

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
from tongban.cases.api.common import TRACK_WINDOW_SECONDS, track_limited
from tongban.cases.models import Case, CaseDocument, CaseStatus, MaterialKind
from tongban.cases.notices.issue import document_ready
from tongban.cases.services.intake import MaterialInput, missing_materials
from tongban.core import clock
from tongban.core.calendar import WorkingCalendar, get_calendar
from tongban.core.errors import DomainError
from tongban.core.middleware.proxies import client_address
from tongban.portal.case_forms import (
    SupplementForm,
    TrackForm,
    WithdrawForm,
    material_field,
    upload_limit_text,
)

PAGE_SIZE = 20
ALERT_LABELS = {"yellow": "黄色预警", "red": "红色预警"}
PHASE_LABELS = {"acceptance": "受理期限", "decision": "办结期限", "delivery": "送达期限"}
WITHDRAWABLE = workflow.TRANSITIONS["withdraw"][0]


def _applicant_only(request: HttpRequest) -> None:
    kind = getattr(request.user, "kind", "")
    if kind not in ("citizen", "business"):
        raise PermissionDenied("网上申请和“我的办件”仅对个人和法人用户开放。")
    if getattr(request.user, "person_id", None) is None:
        raise PermissionDenied("您的账号尚未完成实名认证，暂不能在线申请。")


def _not_found(exc: DomainError) -> Http404:
    return Http404(exc.detail)


# ---------------------------------------------------------------- 我的办件


@dataclass(frozen=True)
class ClockView:
    phase: str
    deadline: Any
    days_left: int | None
    alert: str  # "", "yellow", "red"
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


@require_GET
@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    _applicant_only(request)
    cursor = request.GET.get("cursor") or None
    try:
        page = case_selectors.case_list_for_applicant(
            user=request.user, cursor=cursor, limit=PAGE_SIZE
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("portal:my_cases")
    cal = get_calendar()  # once per page, not once per row
    rows = [(case, clock_view(case, cal)) for case in page.items]
    return render(
        request,
        "portal/cases/my_cases.html",
        {
            "rows": rows,
            "next_url": "?" + urlencode({"cursor": page.next_cursor}) if page.next_cursor else "",
            "first_url": reverse("portal:my_cases") if cursor else "",
        },
    )


def _my_case(request: HttpRequest, case_no: str) -> Case:
    _applicant_only(request)
    try:
        return case_selectors.case_get_for_applicant(user=request.user, case_no=case_no)
    except DomainError as exc:
        raise _not_found(exc) from None


def _supplement_items(case: Case) -> list[dict[str, str]]:
    """What the last 一次性告知 asked for, as upload rows (materials of the item)."""
    event = case.events.filter(action="request_supplement").order_by("-at", "-id").first()
    known = {m["code"]: m["name"] for m in case.rules.get("materials", [])}
    items = [i for i in (event.details.get("items", []) if event else []) if i.get("code") in known]
    if not items:
        items = [
            {"code": m["code"], "name": m["name"], "reason": ""} for m in missing_materials(case)
        ]
    return items


def form_answers(case: Case) -> list[tuple[str, str]]:
    guide = case.guide_version.content
    labels = {f["code"]: f["label"] for f in guide.get("form", [])}
    rows = []
    for code, value in case.form_data.items():
        shown = "是" if value is True else "否" if value is False else str(value)
        rows.append((labels.get(code, code), shown))
    return rows


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


def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    supplement = None
    if case.status == CaseStatus.SUPPLEMENT_REQUESTED:
        supplement = SupplementForm(
            initial={"version": case.version}, items=_supplement_items(case)
        )
    return {
        "case": case,
        "clock": clock_view(case),
        "timeline": [
            (entry, _detail_text(entry))
            for entry in case_selectors.case_timeline_for_applicant(case)
        ],
        "documents": list(case.documents.all()),
        "materials": list(case.materials.all()),
        "answers": form_answers(case),
        "supplement_form": supplement,
        "supplement_reasons": [i for i in _supplement_items(case) if i.get("reason")]
        if supplement
        else [],
        "withdraw_form": WithdrawForm(initial={"version": case.version})
        if case.status in WITHDRAWABLE
        else None,
        "upload_limit": upload_limit_text(),
    }


@require_GET
@login_required
def my_case(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _my_case(request, case_no)
    return render(request, "portal/cases/case.html", _case_context(request, case))


def _stale(request: HttpRequest, case: Case) -> HttpResponse:
    messages.error(request, "办件已被他人处理，请刷新后查看最新状态。")
    return redirect("portal:my_case", case_no=case.case_no)


@require_POST
@login_required
def my_case_supplement(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _my_case(request, case_no)
    if case.status != CaseStatus.SUPPLEMENT_REQUESTED:
        return _stale(request, case)
    items = _supplement_items(case)
    form = SupplementForm(request.POST, request.FILES, items=items)
    if form.is_valid():
        inputs = []
        for item in items:
            upload = form.cleaned_data.get(material_field(item["code"]))
            if upload:
                inputs.append(
                    MaterialInput(
                        code=item["code"],
                        kind=MaterialKind.UPLOAD,
                        content=upload.read(),
                        file_name=upload.name or "",
                    )
                )
        try:
            case_services.case_supplement(
                case_id=case.pk,
                actor=request.user,
                materials=inputs,
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            if exc.code == case_errors.VERSION_MISMATCH.code:
                return _stale(request, case)
            form.add_error(None, exc.detail)
        else:
            messages.success(request, "补正材料已提交，工作人员将尽快审核。")
            return redirect("portal:my_case", case_no=case.case_no)
    context = _case_context(request, case)
    context["supplement_form"] = form
    return render(request, "portal/cases/case.html", context, status=422)


@require_POST
@login_required
def my_case_withdraw(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _my_case(request, case_no)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _stale(request, case)
    try:
        case_services.case_withdraw(
            case_id=case.pk,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        if exc.code == case_errors.VERSION_MISMATCH.code:
            return _stale(request, case)
        messages.error(request, exc.detail)
    else:
        messages.success(request, "申请已撤回。")
    return redirect("portal:my_case", case_no=case.case_no)


def document_response(document: CaseDocument) -> FileResponse:
    """The PDF of a document, opened in the browser, named by its number."""
    document = document_ready(document)  # sealed by the worker, or now
    handle = document.file.open("rb")
    response = FileResponse(handle, content_type="application/pdf")
    name = f"{document.get_kind_display()}-{document.case.case_no}.pdf"
    response["Content-Disposition"] = (
        f"inline; filename=\"{document.case.case_no}.pdf\"; filename*=UTF-8''{quote(name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def my_case_document(request: HttpRequest, case_no: str, number: str) -> HttpResponseBase:
    case = _my_case(request, case_no)
    document = case.documents.filter(number=number).first()
    if document is None:
        raise Http404("未找到该文书")
    return document_response(document)


# ---------------------------------------------------------------- 办件查询


@require_http_methods(["GET", "POST"])
def case_track(request: HttpRequest) -> HttpResponse:
    """办件查询: a POSTed form, so that no number or code lands in a URL (logs,
    history, referrers); limited per address and per case number."""
    form = TrackForm(request.POST or None)
    result = None
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        refusal = track_limited(
            address=client_address(request), case_no=form.cleaned_data["case_no"]
        )
        if refusal:
            error, status = refusal, 429
        else:
            try:
                result = case_selectors.case_track_public(
                    case_no=form.cleaned_data["case_no"],
                    code=form.cleaned_data["code"] or None,
                    id_last4=form.cleaned_data["id_last4"] or None,
                )
            except DomainError:
                error = "未找到该办件，请核对办件编号和查询码（或身份证件号码后四位）。"
                status = 404
    response = render(
        request,
        "portal/cases/track.html",
        {"form": form, "result": result, "error": error},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(TRACK_WINDOW_SECONDS)
    return response
