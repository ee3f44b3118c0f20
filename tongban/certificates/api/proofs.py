"""The public list of certifications (证明事项清单, R-EC-4)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tongban.certificates import proofs
from tongban.certificates.models import ProofItem, ProofStatus
from tongban.core.api.schemas import PROBLEM_RESPONSES

router = Router()


class ProofItemOut(Schema):
    code: str
    name: str
    legal_basis: str = Field(description="设定依据")
    requesting_unit: str = Field(description="索要单位")
    issuing_unit: str = Field(description="开具单位")
    guide: str = Field(description="办事指南")
    status: ProofStatus = Field(
        description="retained 保留；sharing、commitment 已替代；abolished 取消"
    )
    replacement: str = Field(description="替代方式说明")
    decided_on: dt.date | None
    basic_item_codes: list[str] = Field(description="索要该证明的基本目录事项")


class ProofListOut(Schema):
    items: list[ProofItemOut]
    total: int = Field(description="清单上的全部证明事项（含已取消、已替代）")
    retained: int
    removed: int = Field(description="已取消或以数据共享、告知承诺替代的")
    removed_share: float = Field(description="削减比例（R-EC-4 要求不低于 60%）")


class ProofQuery(Schema):
    status: ProofStatus | None = None
    item: str = Field(default="", pattern=r"^([0-9]{12})?$", description="基本目录事项编码")


def _out(item: ProofItem) -> dict[str, object]:
    return {
        "code": item.code,
        "name": item.name,
        "legal_basis": item.legal_basis,
        "requesting_unit": item.requesting_unit,
        "issuing_unit": item.issuing_unit,
        "guide": item.guide,
        "status": item.status,
        "replacement": item.replacement,
        "decided_on": item.decided_on,
        "basic_item_codes": [u.basic_item_code for u in item.uses.all()],
    }


@router.get("/proof-items", response={200: ProofListOut, **PROBLEM_RESPONSES}, auth=None)
def proof_items(request: HttpRequest, query: Query[ProofQuery]) -> dict[str, object]:
    """证明事项清单：保留的证明及其依据、索要单位、开具单位和指南；已取消和已替代的标明。"""
    figures = proofs.proof_figures()
    items = proofs.proof_item_list(status=query.status or "", basic_item_code=query.item)
    return {
        "items": [_out(i) for i in items],
        "total": figures.total,
        "retained": figures.retained,
        "removed": figures.removed,
        "removed_share": round(figures.removed_share, 4),
    }


@router.get("/proof-items/{code}", response={200: ProofItemOut, **PROBLEM_RESPONSES}, auth=None)
def proof_item(request: HttpRequest, code: str) -> dict[str, object]:
    """一项证明事项。"""
    return _out(proofs.proof_item_get(code=code[:20]))
