"""Credit pages of the workbench (issue 17, R-CR-1): a department's 行政处罚 (one at a
time, or an xlsx validated whole with its errors per line), its red and black lists
(list a subject, see the measures and validity, remove an entry) and the review of
信用修复 applications (approve with the removal date, or refuse with the reason).

Every read goes through ``credit.selectors`` scoped in SQL to the caller's regions
and departments (CONVENTIONS 5); every POST is one ``credit.services`` call, and a
refusal shows its Chinese detail on the page with nothing changed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.credit import selectors
from tongban.credit.models import EntryStatus, ListKind, SubjectKind
from tongban.credit.services import lists as list_services
from tongban.credit.services import penalties as penalty_services
from tongban.credit.services import repairs as repair_services
from tongban.credit.services.records import subject_normalize
from tongban.org.selectors import StaffScope, staff_scope_for
from tongban.workbench.access import staff_required
from tongban.workbench.credit_forms import (
    EntryForm,
    EntryRemoveForm,
    PenaltyForm,
    PenaltyImportForm,
    RepairReviewForm,
)

NOT_CREDIT_STAFF = "信用管理仅对部门负责人、承办人员和审批人员开放。"
PAGE_SIZE = 50


def _scope(request: HttpRequest) -> StaffScope:
    scope = staff_scope_for(user=request.user).for_roles(*selectors.STAFF_ROLES)
    if scope.is_empty:
        raise PermissionDenied(NOT_CREDIT_STAFF)
    return scope


def _shown_name(kind: str, name: str) -> str:
    """A person's name masked (DESIGN §8); the ID-number token is never shown."""
    return mask_name(name) if kind == SubjectKind.PERSON else name


def _shown_code(kind: str, code: str) -> str:
    return "（自然人，身份号码不显示）" if kind == SubjectKind.PERSON else code


def _searched_code(query: str) -> str:
    """A credit code, or a person's ID number turned into her token (never stored)."""
    today = clock.today()
    for kind in (SubjectKind.ENTITY, SubjectKind.PERSON):
        try:
            return subject_normalize(subject_kind=kind, subject_code=query, today=today)
        except DomainError:
            continue
    return query.upper()


def _departments(scope: StaffScope) -> list[tuple[int, str]]:
    return [(d.pk, d.name) for d in selectors.departments_for_staff(scope=scope)[:200]]


@require_http_methods(["GET", "POST"])
@staff_required
def penalties_page(request: HttpRequest) -> HttpResponse:
    """录入行政处罚, one by one or from an xlsx file; the department's penalties."""
    scope = _scope(request)
    departments = _departments(scope)
    form = PenaltyForm(departments=departments, prefix="p")
    upload = PenaltyImportForm(departments=departments, prefix="x")
    error = ""
    line_errors: list[str] = []
    if request.method == "POST" and request.POST.get("action") == "enter":
        form = PenaltyForm(request.POST, departments=departments, prefix="p")
        if form.is_valid():
            data = form.cleaned_data
            try:
                department = penalty_services.department_for_staff(
                    scope=scope, department_id=data["department"]
                )
                made = penalty_services.penalty_enter(
                    department=department,
                    given=penalty_services.PenaltyInput(
                        decision_no=data["decision_no"],
                        legal_basis=data["legal_basis"],
                        subject_kind=data["subject_kind"],
                        subject_code=data["subject_code"],
                        subject_name=data["subject_name"],
                        facts=data["facts"],
                        kind=data["kind"],
                        amount_fen=form.amount_fen(),
                        decided_on=data["decided_on"],
                    ),
                    actor=request.user,
                )
            except DomainError as exc:
                error = exc.detail
            else:
                messages.success(request, f"已录入行政处罚 {made.decision_no}，已记入信用记录。")
                return redirect("workbench:credit_penalties")
    elif request.method == "POST" and request.POST.get("action") == "import":
        upload = PenaltyImportForm(request.POST, request.FILES, departments=departments, prefix="x")
        if upload.is_valid():
            try:
                department = penalty_services.department_for_staff(
                    scope=scope, department_id=upload.cleaned_data["department"]
                )
                made_all = penalty_services.penalties_import(
                    department=department,
                    content=upload.cleaned_data["file"].read(),
                    actor=request.user,
                )
            except DomainError as exc:
                error = (
                    exc.detail
                    if not exc.fields
                    else f"导入文件有 {len(exc.fields)} 处错误，未导入任何记录。"
                )
                line_errors = [str(f.get("message", "")) for f in exc.fields]
            else:
                messages.success(request, f"已导入 {len(made_all)} 条行政处罚。")
                return redirect("workbench:credit_penalties")
    rows = [
        {
            "penalty": p,
            "name": _shown_name(p.subject_kind, p.subject_name),
            "code": _shown_code(p.subject_kind, p.subject_code),
            "yuan": f"{p.amount_fen // 100:,}.{p.amount_fen % 100:02d}",
        }
        for p in selectors.penalties_list_for_staff(scope=scope)[:PAGE_SIZE]
    ]
    return render(
        request,
        "workbench/credit/penalties.html",
        {
            "form": form,
            "upload": upload,
            "error": error,
            "line_errors": line_errors,
            "rows": rows,
            "columns": penalty_services.COLUMNS,
            "section": "penalties",
        },
        status=422 if error or form.errors or upload.errors else 200,
    )


def _entry_remove(request: HttpRequest, scope: StaffScope) -> tuple[str, EntryRemoveForm | None]:
    raw = request.POST.get("entry", "")
    entry_id = int(raw) if raw.isdigit() and len(raw) < 10 else 0
    entry = selectors.entry_get_for_staff(scope=scope, entry_id=entry_id)
    remove = EntryRemoveForm(request.POST, prefix=f"e{entry.pk}")
    if not remove.is_valid():
        return "", remove
    list_services.list_entry_remove(
        entry=entry, reason=remove.cleaned_data["reason"], actor=request.user
    )
    name = _shown_name(entry.subject_kind, entry.subject_name)
    return f"已将{name}移出“{entry.credit_list.name}”。", None


@require_http_methods(["GET", "POST"])
@staff_required
def entries_page(request: HttpRequest) -> HttpResponse:
    """The department's red and black lists: list a subject, remove an entry."""
    scope = _scope(request)
    lists = list(selectors.credit_lists_for_staff(scope=scope).prefetch_related("measures"))
    choices = [(c.code, f"{c.name}（{c.get_kind_display()}）") for c in lists]
    form = EntryForm(lists=choices, prefix="n")
    error = ""
    bad_remove: EntryRemoveForm | None = None
    bad_remove_id = 0
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add":
                form = EntryForm(request.POST, lists=choices, prefix="n")
                if form.is_valid():
                    data = form.cleaned_data
                    selectors.credit_list_get_for_staff(scope=scope, code=data["list_code"])
                    entry = list_services.list_entry_add(
                        list_code=data["list_code"],
                        subject_kind=data["subject_kind"],
                        subject_code=data["subject_code"],
                        subject_name=data["subject_name"],
                        reason=data["reason"],
                        legal_basis=data["legal_basis"],
                        valid_until=data["valid_until"],
                        actor=request.user,
                    )
                    messages.success(
                        request,
                        f"已列入名单，有效期至 {entry.valid_until:%Y年%m月%d日}。",
                    )
                    return redirect("workbench:credit_entries")
            elif action == "remove":
                done, bad_remove = _entry_remove(request, scope)
                if done:
                    messages.success(request, done)
                    return redirect("workbench:credit_entries")
                bad_remove_id = int(request.POST.get("entry", "0"))
            else:
                error = "无法识别的操作。"
        except DomainError as exc:
            error = exc.detail
    status = request.GET.get("status", EntryStatus.ACTIVE)
    if status not in EntryStatus.values:
        status = EntryStatus.ACTIVE
    query = (request.GET.get("q") or "").strip()[:64]
    entries = selectors.entries_list_for_staff(scope=scope).filter(status=status)
    if query:
        entries = entries.filter(
            Q(subject_code=_searched_code(query)) | Q(subject_name__contains=query)
        )
    rows = []
    for e in entries[:PAGE_SIZE]:
        rows.append(
            {
                "entry": e,
                "name": _shown_name(e.subject_kind, e.subject_name),
                "code": _shown_code(e.subject_kind, e.subject_code),
                "remove": bad_remove
                if bad_remove is not None and bad_remove_id == e.pk
                else EntryRemoveForm(prefix=f"e{e.pk}"),
            }
        )
    failed = bool(error or form.errors or bad_remove is not None)
    return render(
        request,
        "workbench/credit/entries.html",
        {
            "form": form,
            "error": error,
            "lists": lists,
            "rows": rows,
            "status": status,
            "statuses": EntryStatus.choices,
            "q": query,
            "black": ListKind.BLACK,
            "section": "entries",
        },
        status=422 if failed else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def repairs_page(request: HttpRequest) -> HttpResponse:
    """信用修复 applications to review: approve (removed today) or refuse with the reason."""
    scope = _scope(request)
    error = ""
    bad: RepairReviewForm | None = None
    bad_id = 0
    if request.method == "POST":
        raw = request.POST.get("repair", "")
        repair_id = int(raw) if raw.isdigit() and len(raw) < 10 else 0
        try:
            repair = selectors.repair_get_for_staff(scope=scope, repair_id=repair_id)
            review = RepairReviewForm(request.POST, prefix=f"r{repair.pk}")
            if review.is_valid():
                approve = review.cleaned_data["decision"] == "approve"
                done = repair_services.repair_review(
                    repair=repair,
                    approve=approve,
                    note=review.cleaned_data["note"],
                    reviewer=request.user,
                )
                messages.success(
                    request,
                    f"已准予修复，于 {done.removed_on:%Y年%m月%d日} 移出名单。"
                    if approve and done.removed_on
                    else "已决定不予修复，申请人可见审核意见。",
                )
                return redirect("workbench:credit_repairs")
            bad, bad_id = review, repair.pk
        except DomainError as exc:
            error = exc.detail
    pending = []
    for r in selectors.repairs_list_for_staff(scope=scope)[:PAGE_SIZE]:
        entry = r.entry
        pending.append(
            {
                "repair": r,
                "entry": entry,
                "name": _shown_name(entry.subject_kind, entry.subject_name),
                "code": _shown_code(entry.subject_kind, entry.subject_code),
                "form": bad
                if bad is not None and bad_id == r.pk
                else RepairReviewForm(prefix=f"r{r.pk}"),
            }
        )
    decided = [
        {"repair": r, "name": _shown_name(r.entry.subject_kind, r.entry.subject_name)}
        for r in selectors.repairs_list_for_staff(scope=scope, status=None)
        .exclude(status="submitted")
        .order_by("-reviewed_at", "-pk")[:20]
    ]
    return render(
        request,
        "workbench/credit/repairs.html",
        {"pending": pending, "decided": decided, "error": error, "section": "repairs"},
        status=422 if error or bad is not None else 200,
    )
