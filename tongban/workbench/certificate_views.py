"""Staff pages of electronic certificates.

- the certificates issued in the staff member's scope (a list scoped in SQL);
- reading a holder's certificate through her use authorization (用证授权):
  every read is logged and shown to the holder; without an authorization the
  answer says so and nothing is shown;
- 注销, 吊销 and 撤销 by a reviewer or department head of the issuing
  department's scope, with the reason;
- importing a backlog from xlsx for one's own department (all rows or none).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tongban.certificates import selectors
from tongban.certificates.face import face_decrypt, face_rows
from tongban.certificates.services import (
    certificate_annul,
    certificate_cancel,
    certificate_revoke,
)
from tongban.certificates.services.imports import certificate_import_xlsx
from tongban.certificates.services.wallet import certificate_read_for_staff
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.org.models import Department, StaffAssignment

STAFF_ONLY = "工作台仅对政务服务工作人员开放。"
PAGE_SIZE = 50
ACTIONS = {"cancel": certificate_cancel, "revoke": certificate_revoke, "annul": certificate_annul}


def _staff(request: HttpRequest) -> Any:
    if getattr(request.user, "kind", "") != "staff":
        raise PermissionDenied(STAFF_ONLY)
    return request.user


class ReadForm(forms.Form):
    identifier = forms.CharField(label="证照标识", max_length=80)
    purpose = forms.CharField(label="用途", max_length=200)
    case_no = forms.CharField(label="办件编号（选填）", max_length=24, required=False)


class ImportForm(forms.Form):
    department = forms.ModelChoiceField(label="颁发部门", queryset=Department.objects.none())
    file = forms.FileField(label="存量证照表（xlsx）")


def _own_departments(user: Any) -> Any:
    ids = StaffAssignment.objects.filter(user_id=user.pk, active=True).values("department_id")
    return Department.objects.filter(pk__in=ids).order_by("name")


@login_required
def certificates_home(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    read_form = ReadForm(request.POST if request.POST.get("form") == "read" else None)
    import_form = ImportForm(
        request.POST if request.POST.get("form") == "import" else None, request.FILES or None
    )
    import_form.fields["department"].queryset = _own_departments(user)  # type: ignore[attr-defined]
    shown = None
    status = 200
    if request.method == "POST" and request.POST.get("form") == "read" and read_form.is_valid():
        try:
            certificate = certificate_read_for_staff(
                identifier=read_form.cleaned_data["identifier"],
                user=user,
                purpose=read_form.cleaned_data["purpose"],
                case_no=read_form.cleaned_data["case_no"],
            )
        except DomainError as exc:
            read_form.add_error(None, exc.detail)
            status = exc.status
        else:
            shown = {
                "certificate": certificate,
                "face": face_rows(certificate.certificate_type, face_decrypt(certificate.face_enc)),
                "status_label": selectors.status_label(certificate, clock.today())[1],
            }
    if request.method == "POST" and request.POST.get("form") == "import" and import_form.is_valid():
        upload = import_form.cleaned_data["file"]
        try:
            created = certificate_import_xlsx(
                content=upload.read(), department=import_form.cleaned_data["department"], actor=user
            )
        except DomainError as exc:
            import_form.add_error("file", exc.detail)
            status = exc.status
        else:
            messages.success(request, f"已导入 {len(created)} 张电子证照。")
            return redirect("workbench:certificates")
    rows = [
        (c, selectors.status_label(c, clock.today())[1])
        for c in selectors.certificate_list_for_staff(user=user)[:PAGE_SIZE]
    ]
    return render(
        request,
        "workbench/certificates/home.html",
        {"rows": rows, "read_form": read_form, "import_form": import_form, "shown": shown},
        status=status,
    )


@login_required
@require_POST
def certificate_act(request: HttpRequest, identifier: str, action: str) -> HttpResponse:
    user = _staff(request)
    service = ACTIONS.get(action)
    if service is None:
        raise Http404("没有这项操作。")
    try:
        certificate = selectors.certificate_get_for_issuer(user=user, identifier=identifier)
        service(
            certificate_id=certificate.pk,
            actor=user,
            reason=request.POST.get("reason", "")[:2000],
            legal_basis=request.POST.get("legal_basis", "")[:500],
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.detail) from None
        messages.error(request, exc.detail)
    else:
        messages.success(request, "已办理。")
    return redirect("workbench:certificates")
