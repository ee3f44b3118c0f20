"""What the bundles API endpoints share: the caller and versions (the outputs are
``bundles.outputs``, shared with the pages)."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse

from tongban.bundles import errors
from tongban.bundles.models import BundleApplication
from tongban.bundles.outputs import application_out
from tongban.cases.api.schemas import ApplicantIn
from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES, Problem
from tongban.core.errors import DomainError, define
from tongban.identity.models import AccountKind, User
from tongban.identity.selectors import legal_entities_for_user

# RFC 6585 §3: a command that races needs If-Match (the same code as cases').
IF_MATCH_REQUIRED = define("if_match_required", 428, "缺少 If-Match")
RESPONSES: dict[int | frozenset[int], Any] = {**PROBLEM_RESPONSES, 428: Problem}
APPLICANT_KINDS = (AccountKind.CITIZEN, AccountKind.BUSINESS)
_VERSION = re.compile(r'^"?([0-9]{1,9})"?$')


def caller(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def is_applicant(user: User) -> bool:
    return user.kind in APPLICANT_KINDS


def if_match_version(if_match: str | None, *, required: bool) -> int | None:
    """The version named by ``If-Match: "<version>"`` (RFC 9110 §13.1.1)."""
    if if_match is None or not if_match.strip():
        if required:
            raise DomainError(
                IF_MATCH_REQUIRED,
                '办理一件事申请须在 If-Match 头中带上版本号（如 If-Match: "3"），'
                "以免覆盖他人的操作。",
            )
        return None
    match = _VERSION.match(if_match.strip())
    if match is None:
        raise DomainError(
            core_errors.MALFORMED_REQUEST, 'If-Match 须为版本号，如 "3"（取自 ETag）。'
        )
    return int(match.group(1))


def submission_applicant(user: User, applicant: ApplicantIn) -> dict[str, Any]:
    """The caller's own person, or one of its legal entities with the caller as 经办人."""
    if not is_applicant(user):
        raise DomainError(
            core_errors.PERMISSION_DENIED,
            "一件事只能由申请人本人或其法人账号提交；窗口收件请使用工作台。",
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


# --- outputs (``bundles.outputs``, shared with the pages) -----------------------------


def respond(
    application: BundleApplication, response: HttpResponse, *, staff: bool
) -> dict[str, Any]:
    response["ETag"] = f'"{application.version}"'
    return application_out(application, staff=staff)
