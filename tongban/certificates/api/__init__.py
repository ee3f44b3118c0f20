"""Public certificate API (no login).

GET /api/v1/certificates/verify?identifier=…   online status by identifier
GET /api/v1/certificates/verify?p=…            a scanned QR payload: signature, then status
GET /api/v1/certificates/keys                  the published keys (offline verification)
GET /api/v1/certificates/types                 the certificate catalogue (电子证照目录)
GET /api/v1/certificates/proof-items           the list of certifications (证明事项清单)
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tongban.certificates import errors, selectors
from tongban.certificates.api import proofs
from tongban.core import clock
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError

router = Router(tags=["电子证照"])
router.add_router("", proofs.router)


class VerifyQuery(Schema):
    identifier: str = Field(default="", max_length=200, description="证照标识（GB/T 36904）")
    p: str = Field(default="", max_length=4000, description="二维码内容（TB1.…）")


class VerificationOut(Schema):
    identifier: str
    verified: bool = Field(description="今日有效（状态有效且在有效期内）")
    status: str = Field(description="valid, expired, cancelled, revoked, annulled, superseded")
    status_label: str = Field(description="有效、已过期、已注销、已吊销、已撤销、已变更")
    type_name: str
    holder_masked: str = Field(description="持证主体（脱敏）")
    issuer: str
    issuer_code: str
    valid_from: dt.date
    valid_until: dt.date | None = Field(description="null 为长期有效")
    version: int
    face: dict[str, str] = Field(description="照面信息的公开部分（已脱敏）")
    pdf_sha256: str
    key_id: str
    algorithm: str
    replaced_by: str = Field(description="已变更时，替代它的新版本标识")
    signature_checked: bool = Field(description="是否核验了二维码签名")


@router.get("/verify", response={200: VerificationOut, **PROBLEM_RESPONSES}, auth=None)
def verify(request: HttpRequest, query: Query[VerifyQuery]) -> selectors.Verification:
    """核验电子证照：按证照标识查询状态，或核验扫码所得的二维码内容。"""
    today = clock.today()
    if query.p:
        return selectors.certificate_verify_qr(payload=query.p, today=today)
    if not query.identifier:
        raise DomainError(
            errors.IDENTIFIER_INVALID, "请提供证照标识（identifier）或二维码内容（p）。"
        )
    return selectors.certificate_verify(identifier=query.identifier, today=today)


class KeyOut(Schema):
    key_id: str
    use: str = Field(description="qr（二维码签名）或 pdf_seal（PDF 电子印章）")
    algorithm: str = Field(description="SM2、Ed25519 或 ECDSA-P256")
    public_key: str = Field(
        description="十六进制：SM2 为 04‖x‖y，Ed25519 为 32 字节，ECDSA 为未压缩点"
    )
    certificate_pem: str = Field(description="电子印章证书（PEM）；二维码密钥为空")
    status: str = Field(description="active、retired（仍可核验）、revoked（不再核验）")
    department: str
    department_code: str
    created_at: dt.datetime


class KeysOut(Schema):
    keys: list[KeyOut]
    qr_prefix: str = Field(description="二维码内容的前缀")
    signed_prefix_hex: str = Field(description="签名原文前缀（十六进制），签名覆盖 前缀‖正文")


@router.get("/keys", response={200: KeysOut, **PROBLEM_RESPONSES}, auth=None)
def keys(request: HttpRequest) -> dict[str, object]:
    """公布的签名密钥：离线核验二维码所需（见 tongban/certificates/offline.py）。"""
    from tongban.certificates.offline import DOMAIN, PREFIX

    rows = [
        {
            "key_id": k.key_id,
            "use": k.use,
            "algorithm": k.algorithm,
            "public_key": k.public_key,
            "certificate_pem": k.certificate_pem,
            "status": k.status,
            "department": k.department.name,
            "department_code": k.department.credit_code,
            "created_at": k.created_at,
        }
        for k in selectors.published_keys()
    ]
    return {"keys": rows, "qr_prefix": PREFIX, "signed_prefix_hex": DOMAIN.hex()}


class FaceFieldOut(Schema):
    key: str
    label: str
    type: str = "text"
    required: bool = False
    public: bool = False


class TypeOut(Schema):
    code: str = Field(description="证照类型代码：定义部门统一社会信用代码 + 3 位顺序号")
    name: str
    aliases: list[str]
    ministry: str = Field(description="定义部门")
    holder_kind: str = Field(description="person（自然人）或 entity（法人）")
    validity_kind: str
    validity_years: int | None
    legal_basis: str
    face_fields: list[FaceFieldOut]
    basic_item_codes: list[str] = Field(description="签发该证照的基本目录事项编码")


@router.get("/types", response={200: list[TypeOut], **PROBLEM_RESPONSES}, auth=None)
def types(request: HttpRequest) -> list[dict[str, object]]:
    """电子证照目录。"""
    rows = []
    for kind in selectors.certificate_type_list().prefetch_related("items"):
        rows.append(
            {
                "code": kind.code,
                "name": kind.name,
                "aliases": kind.aliases,
                "ministry": kind.ministry,
                "holder_kind": kind.holder_kind,
                "validity_kind": kind.validity_kind,
                "validity_years": kind.validity_years,
                "legal_basis": kind.legal_basis,
                "face_fields": kind.face_fields,
                "basic_item_codes": [i.basic_item_code for i in kind.items.all()],
            }
        )
    return rows
