"""Accounts API at /api/v1/identity/: who am I, sign-up, session login and logout.

The checks of an account against the base registries (人口库 real-name level 2,
法人库 binding) are served at the same prefix by ``tongban.sharing.registry_api``,
which holds the registries.

Sign-up is two calls (issue 9, item 3): ``POST signup/code`` texts a code to
the phone and answers a ``verification`` handle; ``POST signup`` sends the
handle, the code and the rest.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import login, logout
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.utils import check_csrf
from pydantic import Field

from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES, InputSchema
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.core.middleware import client_address
from tongban.identity.auth import api_auth, session_auth
from tongban.identity.models import RealNameLevel, User
from tongban.identity.selectors import authorizations_for_user
from tongban.identity.services import citizen_signup_verified, login_attempt, signup_code_send
from tongban.identity.services.real_name import real_name_in_person_verify_by_card

router = Router(tags=["身份与账号"])


class LegalEntityOut(Schema):
    credit_code: str
    name: str
    role: str = Field(description="legal_representative（法定代表人）或 agent（经办人）")


class MeOut(Schema):
    username: str
    kind: str = Field(description="citizen、business、staff 或 system")
    display_name: str
    real_name_level: int = Field(description="实名等级 0–3")
    real_name_level_label: str
    name_masked: str = Field(description="姓名（脱敏）")
    id_number_masked: str = Field(description="公民身份号码（脱敏）")
    phone_masked: str = Field(description="手机号（脱敏）")
    legal_entities: list[LegalEntityOut]


class SignupCodeIn(InputSchema):
    phone: str = Field(max_length=20, description="接收验证码的手机号")


class SignupCodeOut(Schema):
    verification: str = Field(description="验证凭据，注册时与验证码一并提交")
    phone_masked: str = Field(description="手机号（脱敏）")
    expires_at: dt.datetime = Field(description="验证码失效时间")
    resend_after_seconds: int = Field(description="多少秒后可以重新获取")


class SignupIn(InputSchema):
    verification: str = Field(max_length=64, description="获取验证码时返回的凭据")
    code: str = Field(max_length=10, description="短信验证码（6 位数字）")
    password: str = Field(max_length=128)
    name: str = Field(max_length=50, description="姓名，须与身份号码一致")
    id_number: str = Field(max_length=20, description="公民身份号码（18 位）")
    username: str | None = Field(
        default=None,
        max_length=150,
        description="用户名（不能是手机号码或身份号码）；不填则自动生成",
    )


class LoginIn(InputSchema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=128)


def me_answer(user: User) -> MeOut:
    """The account as ``GET /identity/me`` answers it (also after the 法人库 and
    人口库 checks of ``sharing.registry_api``)."""
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
    # The client's, behind trusted proxies only (core.middleware.proxies).
    return client_address(request)


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
    return me_answer(user)


@router.post(
    "/signup/code",
    response={202: SignupCodeOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="个人用户注册：获取短信验证码",
    description="向手机号发送 6 位验证码（10 分钟内有效），返回验证凭据。"
    "无论该号码是否已注册，回答相同。同一号码 60 秒内只能获取一次，"
    "每个号码、每个地址每小时有上限，超出为 429 signup_rate_limited（带 Retry-After）。",
)
def identity_signup_code(request: HttpRequest, body: SignupCodeIn) -> Status[SignupCodeOut]:
    sent = signup_code_send(phone=body.phone, address=_address(request))
    return Status(
        202,
        SignupCodeOut(
            verification=sent.verification,
            phone_masked=sent.phone_masked,
            expires_at=sent.expires_at,
            resend_after_seconds=sent.resend_after_seconds,
        ),
    )


@router.post(
    "/signup",
    response={201: MeOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="个人用户注册",
    description="以验证凭据和短信验证码、密码、姓名和公民身份号码注册个人账号（实名等级一级）。"
    "验证码错误或失效为 422 signup_code_invalid；姓名与身份号码不符或该身份号码已注册，"
    "一律为 422 signup_refused（同一回答，不泄露是哪一种）；"
    "尝试过于频繁为 429 signup_rate_limited。支持 Idempotency-Key。",
)
def identity_signup(request: HttpRequest, body: SignupIn) -> Status[MeOut]:
    user = citizen_signup_verified(
        verification=body.verification,
        code=body.code,
        password=body.password,
        name=body.name,
        id_number=body.id_number,
        username=body.username,
        address=_address(request),
    )
    return Status(201, me_answer(user))


@router.post(
    "/login",
    response={200: MeOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="登录（会话）",
    description="用户名（个人用户也可用手机号码）和密码登录，建立会话。失败返回 401 login_failed；"
    "同一账号连续失败后须等待（逐次加长，最长 15 分钟），期间返回 429 login_rate_limited，"
    "Retry-After 为须等待的秒数。只计失败，不计成功。",
)
def identity_login(request: HttpRequest, body: LoginIn) -> MeOut:
    _check_browser_csrf(request)
    user = login_attempt(username=body.username, password=body.password, address=_address(request))
    login(request, user)
    return me_answer(user)


@router.post(
    "/logout",
    response={204: None, **PROBLEM_RESPONSES},
    auth=session_auth,
    summary="退出登录",
)
def identity_logout(request: HttpRequest) -> Status[None]:
    logout(request)
    return Status(204, None)


class InPersonIn(InputSchema):
    id_number: str = Field(max_length=40, description="窗口人员从身份证件上读取的公民身份号码")


class InPersonOut(Schema):
    real_name_level: int
    real_name_level_label: str
    accounts: int = Field(description="升级的个人账号数")
    department: str
    hall: str


@router.post(
    "/real-name/in-person",
    response={200: InPersonOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="实名认证三级：窗口现场核验身份证件",
    description="在岗窗口人员核验申请人身份证件原件后，录入证件上的公民身份号码，"
    "该自然人的个人账号实名等级升为三级，记录核验人员、部门和大厅。"
    "非窗口人员为 403 real_name_clerk_forbidden；号码有误为 422 "
    "real_name_id_card_mismatch；未注册个人账号为 422 real_name_no_person。",
)
def identity_real_name_in_person(request: HttpRequest, body: InPersonIn) -> InPersonOut:
    clerk: User = request.auth  # type: ignore[attr-defined]  # set by ninja's auth
    records = real_name_in_person_verify_by_card(clerk=clerk, id_number=body.id_number)
    first = records[0]
    return InPersonOut(
        real_name_level=first.level,
        real_name_level_label=RealNameLevel(first.level).label,
        accounts=len(records),
        department=first.department.name if first.department else "",
        hall=first.hall.name if first.hall else "",
    )
