"""Purpose-bound unmasking (R-SC-1): a member of staff handling a case sees one
personal value after stating why; the purpose and the field, never the value,
go to the audit log.

Two kinds of value: a personal field of the application form
(``cases.services.forms.case_form_reveal``), and the registered mobile number
of the applicant or the business's 经办人 (``identity.services.person_phone_reveal``,
fields ``@applicant_phone`` and ``@agent_phone``), which the page shows masked.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from tongban.cases import workflow
from tongban.cases.models import Case
from tongban.cases.services._common import roles_on_case
from tongban.cases.services.forms import case_form_reveal
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.identity.services import person_phone_reveal
from tongban.workbench.access import staff_required
from tongban.workbench.case_views import _case

# Registered phones shown masked on the case page: field → (label, whose).
PHONES = {"@applicant_phone": "申请人手机号码", "@agent_phone": "经办人手机号码"}


def _phone(request: HttpRequest, case: Case, field: str, purpose: str) -> str:
    if not roles_on_case(request.user, case) & workflow.ANY_HANDLER:
        raise PermissionDenied("您的岗位不能查看该办件的完整信息。")
    person = case.agent_person if field == "@agent_phone" else case.applicant_person
    if person is None:
        raise DomainError(core_errors.NOT_FOUND, "该办件没有这一项。")
    return person_phone_reveal(
        person_id=person.pk,
        actor=request.user,
        purpose=purpose,
        object_type="case",
        object_id=case.case_no,
    )


@staff_required
@require_POST
def case_reveal(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _case(request, case_no)
    field = str(request.POST.get("field", ""))[:40]
    purpose = str(request.POST.get("purpose", ""))
    labels = {f["code"]: f["label"] for f in case.guide_version.content.get("form", [])}
    labels.update(PHONES)
    context = {"case": case, "label": labels.get(field, field), "value": "", "error": ""}
    try:
        if field in PHONES:
            context["value"] = _phone(request, case, field, purpose)
        else:
            context["value"] = case_form_reveal(
                case_id=case.pk, actor=request.user, field=field, purpose=purpose
            )
    except DomainError as exc:
        context["error"] = exc.detail
        return render(request, "workbench/cases/reveal.html", context, status=exc.status)
    return render(request, "workbench/cases/reveal.html", context)
