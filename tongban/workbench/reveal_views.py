"""Purpose-bound unmasking (R-SC-1): a member of staff handling a case sees one
personal value of its application form after stating why; the purpose and the
field, never the value, go to the audit log (``cases.services.forms``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from tongban.cases.services.forms import case_form_reveal
from tongban.core.errors import DomainError
from tongban.workbench.access import staff_required
from tongban.workbench.case_views import _case


@staff_required
@require_POST
def case_reveal(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _case(request, case_no)
    field = str(request.POST.get("field", ""))[:40]
    labels = {f["code"]: f["label"] for f in case.guide_version.content.get("form", [])}
    context = {"case": case, "label": labels.get(field, field), "value": "", "error": ""}
    try:
        context["value"] = case_form_reveal(
            case_id=case.pk,
            actor=request.user,
            field=field,
            purpose=str(request.POST.get("purpose", "")),
        )
    except DomainError as exc:
        context["error"] = exc.detail
        return render(request, "workbench/cases/reveal.html", context, status=exc.status)
    return render(request, "workbench/cases/reveal.html", context)
