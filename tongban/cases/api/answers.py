"""What a submission and a case command answer (issue 12, item 2).

A write answers with the case's essentials — its number, version, state,
dates, deadlines and clock — and ``Location``, the case's own URL, where
``GET`` gives the whole case (form, materials, history, documents). The
essentials come from the rows the write has just read and written: the
answer reads nothing back except, while the decision clock runs, the
suspensions it counts (before, each answer read the case's documents,
materials and history again: 3–4 statements). A submission's receipt also
lists the materials received, from the rows just inserted.

The field names are those of ``CaseOut`` (the GET answer), so a client that
read them from the old, whole answer reads the same fields here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from pydantic import Field

from tongban.cases import selectors, services
from tongban.cases.api.common import (
    API_PREFIX,
    _material_out,
    _state_out,
    _user,
    _version,
)
from tongban.cases.api.schemas import (
    CaseStateFields,
    MaterialOut,
)
from tongban.cases.models import Case, CaseMaterial
from tongban.core import clock
from tongban.core.api.rendered import rendered
from tongban.core.calendar import get_calendar
from tongban.identity.models import User


class CaseStateOut(CaseStateFields):
    """A case after a command: its essentials; the whole case is at ``url``."""

    url: str = Field(
        description="办件详情的地址（同 Location），GET 得到申请表、材料、时间线和文书"
    )


class CaseReceiptOut(CaseStateOut):
    """A submission's receipt (收件凭证): the essentials and the materials received."""

    materials: list[MaterialOut] = Field(description="收到的材料（含免于提交、告知承诺）")


def case_url(case_no: str) -> str:
    return f"{API_PREFIX}/{quote(case_no, safe='')}"


def _state(case: Case) -> dict[str, Any]:
    return {
        **_state_out(case, today=clock.today(), cal=get_calendar()),
        "url": case_url(case.case_no),
    }


def _headers(case: Case, response: HttpResponse) -> None:
    response["ETag"] = f'"{case.version}"'
    response["Location"] = case_url(case.case_no)


def state_answer(case: Case, response: HttpResponse) -> dict[str, Any]:
    """A command's answer (200), with ``ETag`` and ``Location``."""
    _headers(case, response)
    return _state(case)


def receipt_response(
    request: HttpRequest,
    response: HttpResponse,
    case: Case,
    materials: list[CaseMaterial] | None = None,
) -> HttpResponse:
    """A submission's 201, rendered here (not by the router) because its bytes
    are stored under the ``Idempotency-Key`` in the submission's transaction.
    ``materials``: the case's rows about to be written with it (on PostgreSQL
    the answer is rendered before the submission's one statement, which
    stores it); else the rows just inserted (intake: no read)."""
    received = case.materials.all() if materials is None else materials
    materials_out = [_material_out(m) for m in received]
    _headers(case, response)
    data = {**_state(case), "materials": materials_out}
    return rendered(request, response, CaseReceiptOut, data, status=201)


def staff_command(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    if_match: str | None,
    run: Callable[[Case, int | None, User], Case],
) -> dict[str, Any]:
    """A staff command: If-Match required; the clerk's scope read once."""
    user = _user(request)
    version = _version(if_match, required=True)
    case, scope = selectors.case_and_scope_for_handler(user=user, case_no=case_no)
    with services.acting_in_scope(user, scope):  # the scope is read once per command
        done = run(case, version, user)
    return state_answer(done, response)


def applicant_command(
    request: HttpRequest,
    response: HttpResponse,
    case_no: str,
    if_match: str | None,
    run: Callable[[Case, int | None, User], Case],
) -> dict[str, Any]:
    """An applicant's command on an own case: If-Match optional."""
    user = _user(request)
    version = _version(if_match, required=False)
    case = selectors.case_get_for_applicant(user=user, case_no=case_no)
    return state_answer(run(case, version, user), response)
