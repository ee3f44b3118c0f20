"""电子证照夹: the holder's certificates, use authorizations, who read them,
self-service printing of certifications, and the public proof-item list.

A citizen sees her own certificates; a business account those of the legal
entities it may act for (identity's BusinessAuthorization). Every read goes
through ``certificates.selectors`` with the holder keys of the logged-in
account, so another holder's certificate is "not found" (404).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tongban.certificates import proofs, selectors
from tongban.certificates.face import face_decrypt, face_rows
from tongban.certificates.holders import holder_keys_for, holder_of
from tongban.certificates.models import Certificate, PrintKind
from tongban.certificates.services.issue import verification_url
from tongban.certificates.services.proofs import certification_print, printed_verification_get
from tongban.certificates.services.wallet import use_authorization_grant, use_authorization_revoke
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.identity.selectors import legal_entities_for_user
from tongban.org.models import Department

LIST_LIMIT = 100


def _holder_keys(request: HttpRequest) -> list[str]:
    user: Any = request.user
    if user.kind == "business":
        return holder_keys_for(entities=list(legal_entities_for_user(user=user)))
    if user.kind == "citizen" and user.person_id:
        return holder_keys_for(person=user.person)
    raise PermissionDenied("电子证照夹仅对个人和法人用户开放。")


def _certificate(request: HttpRequest, identifier: str) -> Certificate:
    try:
        return selectors.certificate_get_for_holder(
            identifier=identifier, holder_keys=_holder_keys(request)
        )
    except DomainError as exc:
        raise Http404(exc.detail) from None


def qr_svg(text: str) -> str:
    """The QR code as inline SVG (no script, no external file)."""
    return str(segno.make(text, error="m").svg_inline(scale=4, border=4))


class AuthorizeForm(forms.Form):
    department = forms.ModelChoiceField(
        label="用证部门",
        queryset=Department.objects.order_by("region_id", "name"),
        empty_label="请选择部门",
    )
    purpose = forms.CharField(label="用途", max_length=200)
    case_no = forms.CharField(label="办件编号（选填）", max_length=24, required=False)
    valid_until = forms.DateField(
        label="授权截止日期", widget=forms.DateInput(attrs={"type": "date"})
    )


@login_required
@require_GET
def wallet(request: HttpRequest) -> HttpResponse:
    keys = _holder_keys(request)
    today = clock.today()
    rows = [
        (c, selectors.status_label(c, today)[1])
        for c in selectors.certificate_list_for_holder(holder_keys=keys)[:LIST_LIMIT]
    ]
    accesses = list(selectors.accesses_for_holder(holder_keys=keys)[:LIST_LIMIT])
    return render(request, "portal/certificates/wallet.html", {"rows": rows, "accesses": accesses})


@login_required
def wallet_certificate(request: HttpRequest, identifier: str) -> HttpResponse:
    certificate = _certificate(request, identifier)
    form = AuthorizeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        until = dt.datetime.combine(
            form.cleaned_data["valid_until"], dt.time(23, 59, 59), tzinfo=clock.SHANGHAI
        )
        try:
            use_authorization_grant(
                certificate=certificate,
                holder_keys=_holder_keys(request),
                department=form.cleaned_data["department"],
                purpose=form.cleaned_data["purpose"],
                case_no=form.cleaned_data["case_no"],
                valid_until=until,
                actor=request.user,
            )
        except DomainError as exc:
            for problem in exc.fields or [{"field": None, "message": exc.detail}]:
                name = problem.get("field")
                form.add_error(name if name in form.fields else None, problem["message"])
        else:
            messages.success(request, "已授权。您可以随时撤销。")
            return redirect("portal:wallet_certificate", identifier=certificate.identifier)
    face = face_rows(certificate.certificate_type, face_decrypt(certificate.face_enc))
    authorizations = selectors.authorizations_for_holder(
        holder_keys=[certificate.holder_key]
    ).filter(certificate=certificate)
    context = {
        "certificate": certificate,
        "status_label": selectors.status_label(certificate, clock.today())[1],
        "face": face,
        "qr": qr_svg(verification_url(certificate.qr_payload)),
        "form": form,
        "authorizations": list(authorizations[:LIST_LIMIT]),
        "now": clock.now(),
    }
    return render(
        request, "portal/certificates/certificate.html", context, status=400 if form.errors else 200
    )


@login_required
@require_GET
def wallet_certificate_pdf(request: HttpRequest, identifier: str) -> HttpResponseBase:
    certificate = _certificate(request, identifier)
    if not certificate.pdf:
        raise Http404("该证照没有文件。")
    response = FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"{certificate.certificate_type.name}-{certificate.identifier[-16:]}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def wallet_authorization_revoke(request: HttpRequest, authorization_id: int) -> HttpResponse:
    try:
        grant = use_authorization_revoke(
            authorization_id=authorization_id, holder_keys=_holder_keys(request), actor=request.user
        )
    except DomainError as exc:
        raise Http404(exc.detail) from None
    messages.success(request, "已撤销该用证授权。")
    return redirect("portal:wallet_certificate", identifier=grant.certificate.identifier)


@login_required
def certifications(request: HttpRequest) -> HttpResponseBase:
    """自助打印: the citizen prints a certification for herself."""
    user: Any = request.user
    if user.kind != "citizen" or not user.person_id:
        raise PermissionDenied("自助打印证明仅对已实名的个人用户开放。")
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            printed = certification_print(
                kind=kind, holder=holder_of(person=user.person), actor=user
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("portal:certifications")
        response = FileResponse(
            printed.pdf.open("rb"),
            as_attachment=True,
            filename=f"{printed.number}.pdf",
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "portal/certificates/certifications.html", {"kinds": PrintKind.choices})


@require_GET
def certification_verify(request: HttpRequest, code: str) -> HttpResponse:
    printed = printed_verification_get(code=code)
    response = render(
        request,
        "portal/certificates/certification_verify.html",
        {"printed": printed, "today": clock.today()},
        status=200 if printed is not None else 404,
    )
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def proof_items(request: HttpRequest) -> HttpResponse:
    """The public list of certifications (证明事项清单)."""
    return render(
        request,
        "portal/certificates/proof_items.html",
        {"items": list(proofs.proof_item_list()), "figures": proofs.proof_figures()},
    )
