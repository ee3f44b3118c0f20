"""告知承诺事后核查 in the workbench (issue 17, R-CR-1): the open post-checks of the
cases the staff member acts on, soonest due first in keyset pages, each with a
form to record the result once — 核查属实, or 承诺不实, which credit turns into a
broken-commitment record that lists the applicant and lowers its class.

The list is ``cases.selectors.aftercare`` (scoped in SQL to the caller's acting
regions and departments); the POST is one ``post_check_record`` call, which checks
the scope again and refuses a second record (``post_check_closed``) under a lock.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tongban.cases.models import PostCheckStatus
from tongban.cases.selectors import CASE_HANDLE_ROLES
from tongban.cases.selectors.aftercare import post_check_list_for_staff
from tongban.cases.services.aftercare import post_check_record
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.org.selectors import StaffScope, staff_scope_for
from tongban.workbench.access import staff_required

NOT_CASE_STAFF = "告知承诺核查仅对办理部门的窗口人员、审批人员和部门负责人开放。"
PAGE_SIZE = 20
RESULT_CHOICES = [
    (PostCheckStatus.PASSED.value, "核查属实（已履行承诺）"),
    (PostCheckStatus.FAILED.value, "承诺不实（记入申请人信用记录）"),
]


class PostCheckForm(forms.Form):
    """One per open check on the page (prefix ``c<id>``)."""

    result = forms.ChoiceField(
        label="核查结果",
        choices=RESULT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择核查结果。", "invalid_choice": "请选择核查结果。"},
    )
    note = forms.CharField(
        label="核查情况",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="写明核查方式和发现的情况，不超过 2000 字。",
        error_messages={
            "required": "请填写核查情况。",
            "max_length": "核查情况不能超过 2000 字（现有 %(show_value)d 字）。",
        },
    )

    def clean_note(self) -> str:
        note = str(self.cleaned_data["note"]).strip()
        if not note:
            raise forms.ValidationError("请填写核查情况。", code="required")
        return note


def _scope(request: HttpRequest) -> StaffScope:
    scope = staff_scope_for(user=request.user)
    if scope.for_roles(*CASE_HANDLE_ROLES).is_empty:
        raise PermissionDenied(NOT_CASE_STAFF)
    return scope


def _row(check: Any, form: PostCheckForm) -> dict[str, Any]:
    case = check.case
    entity = case.applicant_entity
    return {
        "check": check,
        "case": case,
        # A person's name masked (DESIGN §8); an entity by name and credit code.
        "applicant": case.applicant_name if entity else mask_name(case.applicant_name),
        "credit_code": entity.credit_code if entity else "",
        "form": form,
    }


@require_http_methods(["GET", "POST"])
@staff_required
def post_checks_page(request: HttpRequest) -> HttpResponse:
    """The open 告知承诺 post-checks and the form to record each one's result."""
    scope = _scope(request)
    cursor = request.GET.get("cursor") or None
    error = ""
    bad: PostCheckForm | None = None
    bad_id = 0
    if request.method == "POST":
        raw = request.POST.get("check", "")
        check_id = int(raw) if raw.isdigit() and len(raw) < 10 else 0
        case_no = request.POST.get("case_no", "")[:40]
        form = PostCheckForm(request.POST, prefix=f"c{check_id}")
        if not check_id or not case_no:
            error = "请在列表中选择要记录的核查。"
        elif form.is_valid():
            try:
                done = post_check_record(
                    case_no=case_no,
                    passed=form.cleaned_data["result"] == PostCheckStatus.PASSED,
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except DomainError as exc:
                error = exc.detail
            else:
                messages.success(
                    request,
                    f"已记录办件 {done.case.case_no} 的核查结果：{done.get_status_display()}。"
                    + ("已记入申请人信用记录。" if done.status == PostCheckStatus.FAILED else ""),
                )
                return redirect("workbench:post_checks")
        else:
            bad, bad_id = form, check_id
    try:
        page = post_check_list_for_staff(
            user=request.user, cursor=cursor, limit=PAGE_SIZE, scope=scope
        )
    except DomainError as exc:  # a forged or stale cursor: the first page again
        error = error or exc.detail
        page = post_check_list_for_staff(user=request.user, limit=PAGE_SIZE, scope=scope)
        cursor = None
    rows = [
        _row(
            c,
            bad if bad is not None and bad_id == c.pk else PostCheckForm(prefix=f"c{c.pk}"),
        )
        for c in page.items
    ]
    next_url = (
        f"{reverse('workbench:post_checks')}?cursor={page.next_cursor}" if page.next_cursor else ""
    )
    return render(
        request,
        "workbench/credit/post_checks.html",
        {
            "rows": rows,
            "error": error,
            "bad": bad if bad is not None and bad_id not in {r["check"].pk for r in rows} else None,
            "next_url": next_url,
            "first_url": reverse("workbench:post_checks") if cursor else "",
            "section": "post_checks",
        },
        status=422 if error or bad is not None else 200,
    )
