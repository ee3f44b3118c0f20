"""What the cases API endpoints share: constants, the case view, versions, the caller."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse

from tongban.cases import errors, selectors, workflow
from tongban.cases.api.schemas import (
    ApplicantIn,
)
from tongban.cases.models import (
    Case,
    CaseMaterial,
    CaseStatus,
    DocumentKind,
    MaterialKind,
)
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.if_match import if_match_version
from tongban.core.api.pagination import Page
from tongban.core.api.schemas import PROBLEM_RESPONSES, Problem
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.core.ratelimit import rate_limit_hit
from tongban.identity.models import AccountKind, User
from tongban.identity.selectors import legal_entities_for_user

API_PREFIX = "/api/v1/cases"
APPLICANT_KINDS = (AccountKind.CITIZEN, AccountKind.BUSINESS)

RESPONSES: dict[int | frozenset[int], Any] = {**PROBLEM_RESPONSES, 428: Problem}

# Public tracking answers anyone: look-ups per client address and per case
# number in a window, counted together with the portal's tracking page (the
# same keys): one address cannot walk the numbers, many addresses cannot guess
# one case's code.
TRACK_LIMIT = 20
TRACK_PER_CASE_LIMIT = 10
TRACK_WINDOW_SECONDS = 600


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def _clock_out(case: Case, today: dt.date, cal: Any) -> dict[str, Any]:
    c = selectors.case_clock(case, today, cal=cal)
    return {
        "phase": c.phase,
        "deadline": c.deadline,
        "working_days_left": c.working_days_left,
        "alert": c.alert.value if c.alert is not None else None,
        "stopped": c.stopped,
        "provisional": cal.is_provisional(c.deadline),
    }


def _item_ref(case: Case) -> dict[str, str]:
    return {
        "implementation_code": case.service_item.implementation_code,
        "name": case.service_item.name,
    }


def _document_url(case_no: str, number: str) -> str:
    """Where the notices module serves the file (文书编号 may hold 〔〕 and 号)."""
    return f"{API_PREFIX}/{quote(case_no, safe='')}/documents/{quote(number, safe='')}"


def _deadlines_out(case: Case, cal: Any) -> dict[str, Any]:
    dates = {
        "acceptance": case.acceptance_deadline,
        "decision": case.decision_deadline,
        "delivery": case.delivery_deadline,
        "deferred_materials": case.deferred_due_on,
    }
    return {**dates, "provisional": [k for k, day in dates.items() if cal.is_provisional(day)]}


# The fields of schemas.ExemptionOut: what the answer shows of a stored check.
_EXEMPTION_KEYS = ("code", "name", "found", "source", "source_label", "reference", "reason")


def _material_out(m: CaseMaterial | selectors.PageMaterial) -> dict[str, Any]:
    """One material as the case page and the submission's receipt show it."""
    return {
        "code": m.code,
        "name": m.name,
        "kind": m.kind,
        "kind_label": MaterialKind(m.kind).label if m.kind in MaterialKind.values else "",
        "file_name": m.file_name,
        "content_type": m.content_type,
        "size": m.size,
        "supplied_at": m.supplied_at,
    }


def _state_out(case: Case, *, today: dt.date, cal: Any) -> dict[str, Any]:
    """The case's state: what the case page and every command's answer share."""
    return {
        "case_no": case.case_no,
        "tracking_code": case.tracking_code,
        "version": case.version,
        "status": case.status,
        "status_label": CaseStatus(case.status).label,
        "item": _item_ref(case),
        "department": {"id": case.department_id, "name": case.department.name},
        "channel": case.channel,
        "applicant_kind": "legal_entity" if case.applicant_entity_id else "person",
        "applicant_name": case.applicant_name,
        "situation": case.situation,
        "commitment": case.commitment,
        "received_at": case.received_at,
        "accepted_on": case.accepted_on,
        "deemed_accepted": case.deemed_accepted,
        "refused_on": case.refused_on,
        "decided_on": case.decided_on,
        "delivered_on": case.delivered_on,
        "concluded_at": case.concluded_at,
        "withdrawn_at": case.withdrawn_at,
        "outcome": case.outcome,
        "decision_reason": case.decision_reason,
        "decision_basis": case.decision_basis,
        "delivery_method": case.delivery_method,
        "tracking_no": case.tracking_no,
        "extension_days": case.extension_days,
        "deadlines": _deadlines_out(case, cal),
        "clock": _clock_out(case, today, cal),
        "exemptions": [
            {key: e[key] for key in _EXEMPTION_KEYS if key in e} for e in case.exemptions or []
        ],
    }


def _detail(case: Case, *, staff: bool) -> dict[str, Any]:
    today = clock.today()
    cal = get_calendar()
    documents = [
        {
            "kind": d.kind,
            "kind_label": DocumentKind(d.kind).label if d.kind in DocumentKind.values else d.kind,
            "number": d.number,
            "issued_at": d.issued_at,
            "url": _document_url(case.case_no, d.number),
        }
        for d in selectors.page_documents(case.pk)
    ]
    return {
        **_state_out(case, today=today, cal=cal),
        "form": case.form_data,
        "materials": [_material_out(m) for m in selectors.page_materials(case.pk)],
        "timeline": [
            {
                "at": e.at,
                "action": e.action,
                "action_label": e.action_label,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "to_status_label": e.to_status_label,
                "reason": e.reason,
                "actor": e.actor_label if staff else None,
                "details": e.details,
            }
            for e in selectors.page_timeline(case.pk)
        ],
        "documents": documents,
    }


def _respond(case: Case, response: HttpResponse, *, staff: bool) -> dict[str, Any]:
    response["ETag"] = f'"{case.version}"'
    return _detail(case, staff=staff)


def settled(case: Case) -> bool:
    """Whether the case's answer can no longer change while its version stands:
    closed (不予受理, 办结, 撤回: no clock runs, nothing recounts its dates) and
    none of its dates provisional (ADR-0006: a holiday notice would turn the
    flag). An open case's answer changes every day (the clock's working days
    left) and its dates may be recounted without a new version, so only a
    settled case answers a matching ``If-None-Match`` with 304."""
    if case.status not in workflow.TERMINAL:
        return False
    cal = get_calendar()
    return not any(
        cal.is_provisional(day)
        for day in (
            case.acceptance_deadline,
            case.decision_deadline,
            case.delivery_deadline,
            case.deferred_due_on,
        )
    )


def _page(page: Page[Case], *, mask: bool) -> dict[str, Any]:
    today = clock.today()
    cal = get_calendar()
    return {
        "items": [
            {
                "case_no": c.case_no,
                "version": c.version,
                "status": c.status,
                "status_label": CaseStatus(c.status).label,
                "item": _item_ref(c),
                "applicant_name": (
                    mask_name(c.applicant_name)
                    if mask and c.applicant_entity_id is None
                    else c.applicant_name
                ),
                "received_at": c.received_at,
                "decision_deadline": c.decision_deadline,
                "clock": _clock_out(c, today, cal),
            }
            for c in page.items
        ],
        "next_cursor": page.next_cursor,
    }


def _version(if_match: str | None, *, required: bool) -> int | None:
    """The version named by ``If-Match: "<version>"`` (core.api.if_match)."""
    return if_match_version(if_match, what="办件版本号", required=required, action="办理办件")


def _is_applicant(user: User) -> bool:
    return user.kind in APPLICANT_KINDS


def _viewed_case(user: User, case_no: str) -> tuple[Case, bool]:
    """The case as its applicant sees it, or as scoped staff see it (and which)."""
    if _is_applicant(user):
        return selectors.case_get_for_applicant(user=user, case_no=case_no), False
    return selectors.case_get_for_staff(user=user, case_no=case_no), True


def _viewed_page(user: User, case_no: str) -> tuple[Case, bool]:
    """:func:`_viewed_case` for the case page: only what the page shows is read."""
    if _is_applicant(user):
        return selectors.case_page_for_applicant(user=user, case_no=case_no), False
    return selectors.case_page_for_staff(user=user, case_no=case_no), True


def _submission_applicant(user: User, applicant: ApplicantIn) -> dict[str, Any]:
    """Who applies: the caller's own person, or one of its legal entities with the
    caller's person as 经办人. Staff and systems do not apply online."""
    if not _is_applicant(user):
        raise DomainError(
            core_errors.PERMISSION_DENIED,
            "办件只能由申请人本人或其法人账号提交；窗口收件请使用工作台。",
        )
    person = user.person
    if person is None:
        raise DomainError(errors.APPLICANT_INVALID, "当前账号未关联实名自然人，不能提交申请。")
    if applicant.kind == "person":
        return {"applicant_person": person}
    code = (applicant.credit_code or "").strip().upper()
    entity = legal_entities_for_user(user=user).filter(credit_code=code).first()
    if entity is None:
        raise DomainError(
            errors.APPLICANT_INVALID,
            "当前账号未获该法人授权，不能以其名义申请。",
            fields=[
                {"field": "body.applicant.credit_code", "code": "not_authorized", "message": code}
            ],
        )
    return {"applicant_entity": entity, "agent_person": person}


IF_MATCH_DOC = '办件版本号，取自 ETag，如 "3"'


def track_limited(*, address: str, case_no: str) -> str:
    """Why this look-up is refused now, or ``""``: per address, then per case."""
    if rate_limit_hit(
        key=f"case-track:{address}", limit=TRACK_LIMIT, window_seconds=TRACK_WINDOW_SECONDS
    ):
        return "查询过于频繁，请 10 分钟后再试。"
    number = "".join(case_no.split())[:40]
    if rate_limit_hit(
        key=f"case-track-no:{number}",
        limit=TRACK_PER_CASE_LIMIT,
        window_seconds=TRACK_WINDOW_SECONDS,
    ):
        return "该办件查询过于频繁，请 10 分钟后再试。"
    return ""
