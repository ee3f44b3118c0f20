"""Accounts API at /api/v1/identity/: who am I, sign-up, session login and logout."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.utils import check_csrf
from pydantic import Field

from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES, InputSchema
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.identity.auth import api_auth, session_auth
from tongban.identity.models import RealNameLevel, User
from tongban.identity.selectors import authorizations_for_user
from tongban.identity.services import citizen_signup, login_attempt

router = Router(tags=["身份与账号"])


class LegalEntityOut(Schema):
    credit_code: str
    name: str
    role: str = Field(description="legal_representative（法定代表人）或 agent（经办人）")


class MeOut(Schema):
    username: str
    kind: str = Field(description="citizen、business、staff 或 system")
    display_name: str
    real_name_level: int = Field(description="实名等级 0–4")
    real_name_level_label: str
    name_masked: str = Field(description="姓名（脱敏）")
    id_number_masked: str = Field(description="公民身份号码（脱敏）")
    phone_masked: str = Field(description="手机号（脱敏）")
    legal_entities: list[LegalEntityOut]


class SignupIn(InputSchema):
    phone: str = Field(max_length=20, description="手机号，默认也作为用户名")
    password: str = Field(max_length=128)
    name: str = Field(max_length=50, description="姓名，须与身份号码一致")
    id_number: str = Field(max_length=20, description="公民身份号码（18 位）")
    username: str | None = Field(default=None, max_length=150)


class LoginIn(InputSchema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=128)


def _me(user: User) -> MeOut:
    person = user.person
    return MeOut(
        username=user.username,
        kind=user.kind,
        display_name=user.display_name,
        real_name_level=user.real_name_level,
        real_name_level_label=RealNameLevel(user.real_name_level).label,
        name_masked=mask_name(person.name) if person else "",
        id_number_masked=person.id_number_masked if person else "",
        phone_masked=person.phone_masked if person else "",
        legal_entities=[
            LegalEntityOut(
                credit_code=a.legal_entity.credit_code, name=a.legal_entity.name, role=a.role
            )
            for a in authorizations_for_user(user=user)
        ],
    )


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


def _check_browser_csrf(request: HttpRequest) -> None:
    """A browser (it sends Origin or cookies) must pass CSRF; API clients send neither.

    This stops another site from logging a visitor into an account of its choosing.
    """
    if ("HTTP_ORIGIN" in request.META or request.COOKIES) and check_csrf(request):
        raise DomainError(
            core_errors.PERMISSION_DENIED, "请求被拒绝：CSRF 校验失败，请刷新页面后重试"
        )


@router.get("/me", response={200: MeOut, **PROBLEM_RESPONSES}, auth=api_auth, summary="当前账号")
def identity_me(request: HttpRequest) -> MeOut:
    user: User = request.auth  # type: ignore[attr-defined]  # set by ninja's auth
    return _me(user)


@router.post(
    "/signup",
    response={201: MeOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="个人用户注册",
    description="以手机号、密码、姓名和公民身份号码注册个人账号（实名等级一级）。"
    "支持 Idempotency-Key。",
)
def identity_signup(request: HttpRequest, body: SignupIn) -> Status[MeOut]:
    user = citizen_signup(
        phone=body.phone,
        password=body.password,
        name=body.name,
        id_number=body.id_number,
        username=body.username,
    )
    return Status(201, _me(user))


@router.post(
    "/login",
    response={200: MeOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="登录（会话）",
    description="用户名和密码登录，建立会话。失败返回 401 login_failed；"
    "尝试过于频繁返回 429 login_rate_limited。",
)
def identity_login(request: HttpRequest, body: LoginIn) -> MeOut:
    _check_browser_csrf(request)
    user = login_attempt(username=body.username, password=body.password, address=_address(request))
    login(request, user)
    return _me(user)


@router.post(
    "/logout",
    response={204: None, **PROBLEM_RESPONSES},
    auth=session_auth,
    summary="退出登录",
)
def identity_logout(request: HttpRequest) -> Status[None]:
    logout(request)
    return Status(204, None)
