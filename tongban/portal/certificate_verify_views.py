"""The public verification page of an electronic certificate (no login).

The QR code on a certificate opens ``/certificates/verify/?p=<payload>``: the
page checks the signature against the published keys, then shows the
certificate's status today (有效, 已过期, 已注销, 已吊销, 已撤销, 已变更) and its
public face, masked. Anyone may also type an identifier. A malformed,
truncated or altered code gets a 4xx page that says why; nothing is written.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.certificates import selectors
from tongban.core import clock
from tongban.core.errors import DomainError


@require_GET
def certificate_verify(request: HttpRequest) -> HttpResponse:
    payload = request.GET.get("p", "")[:4000]
    identifier = request.GET.get("identifier", "")[:200].strip()
    result = None
    error = None
    status = 200
    if payload or identifier:
        try:
            if payload:
                result = selectors.certificate_verify_qr(payload=payload, today=clock.today())
            else:
                result = selectors.certificate_verify(identifier=identifier, today=clock.today())
        except DomainError as exc:
            error = exc
            status = exc.status
    response = render(
        request,
        "portal/certificates/verify.html",
        {"result": result, "error": error, "identifier": identifier, "from_qr": bool(payload)},
        status=status,
    )
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
