"""An account checked against the base registries, at /api/v1/identity/.

The 人口库 real-name check (实名认证二级) and binding a business to its 法定代表人's
account through the 法人库 are identity's operations on data that ``sharing``
holds, so they are served here, at identity's prefix (``config.api`` adds this
router beside identity's), and identity's own API never imports the registries.
The operation ids stay those of ``tongban.identity.api`` so that clients
generated from the OpenAPI document keep their names.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from tongban.core.api.schemas import PROBLEM_RESPONSES, InputSchema
from tongban.identity.api import MeOut, me_answer
from tongban.identity.auth import api_auth
from tongban.identity.models import User
from tongban.sharing.services.legal_entities import business_account_bind, business_account_verify
from tongban.sharing.services.real_name import real_name_verify_with_registry

router = Router(tags=["身份与账号"])


@router.post(
    "/me/real-name/verify",
    response={200: MeOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    operation_id="tongban_identity_api_identity_real_name_verify",
    summary="实名认证二级：人口库核验",
    description="以人口基础信息库（自然人库）核验当前个人账号的姓名与公民身份号码，"
    "一致则实名等级升为二级（已为二级或以上则不变）。未通过为 422 "
    "real_name_registry_mismatch；非个人账号为 403 permission_denied。",
)
def identity_real_name_verify(request: HttpRequest) -> MeOut:
    user: User = request.auth  # type: ignore[attr-defined]  # set by ninja's auth
    real_name_verify_with_registry(user=user)
    return me_answer(user)


class LegalEntityBindIn(InputSchema):
    credit_code: str = Field(max_length=30, description="统一社会信用代码（18 位）")


class LegalEntityCheckOut(Schema):
    credit_code: str
    name: str = Field(description="法人库登记的名称")
    checked: bool = Field(description="法人库核验通过")


@router.post(
    "/me/legal-entities",
    response={201: MeOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    operation_id="tongban_identity_api_identity_legal_entity_bind",
    summary="法人用户绑定法人（法人库核验）",
    description="当前法人用户账号以法定代表人身份绑定法人：统一社会信用代码须在法人库"
    "（市场主体登记信息）登记、存续，且登记的法定代表人为本账号的实名人员；名称取自法人库。"
    "不一致为 422 legal_entity_registry_mismatch；吊销、注销或迁出为 422 "
    "legal_entity_not_in_business；已绑定为 409 authorization_exists；代码无效为 422 "
    "invalid_credit_code。",
)
def identity_legal_entity_bind(request: HttpRequest, body: LegalEntityBindIn) -> Status[MeOut]:
    user: User = request.auth  # type: ignore[attr-defined]  # set by ninja's auth
    business_account_bind(user=user, credit_code=body.credit_code)
    return Status(201, me_answer(user))


@router.post(
    "/me/legal-entities/{credit_code}/verify",
    response={200: LegalEntityCheckOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    operation_id="tongban_identity_api_identity_legal_entity_verify",
    summary="法人库复核已绑定的法人",
    description="以法人库复核本账号以法定代表人身份绑定的法人：代码、存续状态和法定代表人。"
    "未绑定为 404 not_found；不一致为 422 legal_entity_registry_mismatch 或 "
    "legal_entity_not_in_business。",
)
def identity_legal_entity_verify(request: HttpRequest, credit_code: str) -> LegalEntityCheckOut:
    user: User = request.auth  # type: ignore[attr-defined]  # set by ninja's auth
    entity = business_account_verify(user=user, credit_code=credit_code)
    return LegalEntityCheckOut(credit_code=entity.credit_code, name=entity.name, checked=True)
