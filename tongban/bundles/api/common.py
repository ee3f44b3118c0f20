"""What the bundles API endpoints share: the caller and versions (the outputs are
``bundles.outputs``, shared with the pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from tongban.bundles import errors
from tongban.bundles.models import BundleApplication
from tongban.bundles.outputs import application_out
from tongban.cases.api.schemas import ApplicantIn
from tongban.core import errors as core_errors
from tongban.core.api import if_match
from tongban.core.api.schemas import PROBLEM_RESPONSES, Problem
from tongban.core.errors import DomainError
from tongban.identity.models import AccountKind, User
from tongban.identity.selectors import legal_entities_for_user

RESPONSES: dict[int | frozenset[int], Any] = {**PROBLEM_RESPONSES, 428: Problem}
APPLICANT_KINDS = (AccountKind.CITIZEN, AccountKind.BUSINESS)


def caller(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def is_applicant(user: User) -> bool:
    return user.kind in APPLICANT_KINDS


def if_match_version(value: str | None, *, required: bool) -> int | None:
    """The version named by ``If-Match: "<version>"`` (core.api.if_match)."""
    return if_match.if_match_version(
        value, what="版本号", required=required, action="办理一件事申请"
    )


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
