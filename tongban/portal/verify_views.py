"""The public verification page of a legal document (DESIGN §7).

The QR code on every 通知书 and 决定书 opens ``/verify/<code>/``. Whoever holds
the document compares it with what the platform recorded: kind, number, case,
item, department, the applicant's masked name, the date and the SHA-256 of
the issued file. Anonymous; an unknown code gets a 404 page in Chinese.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.cases.notices import document_verification_get


@require_GET
def verify_document(request: HttpRequest, code: str) -> HttpResponse:
    document = document_verification_get(code=code)
    response = render(
        request,
        "portal/verify.html",
        {"document": document},
        status=200 if document is not None else 404,
    )
    # Verification codes are bearer links: keep them out of referrers and caches.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
