"""Published random draws (no login): /api/v1/draws/{public_id} answers the
document that ``scripts/verify_draw.py`` re-runs (docs/draws.md), and
/api/v1/draws/{public_id}/candidates the snapshot file of its candidate list."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.draws import draw_document, snapshot_name
from tongban.core.errors import NOT_FOUND, DomainError
from tongban.core.models import DrawRecord

router = Router(tags=["随机抽取"])


class DrawFileOut(Schema):
    sha256: str = Field(description="候选名单文件的 SHA-256，文件以此命名")
    size: int = Field(description="文件大小（字节）")
    count: int = Field(description="候选数")
    url: str = Field(description="文件地址（无需登录）")


class DrawOut(Schema):
    algorithm: str = Field(description="算法：tongban-draw-v1（docs/draws.md）")
    public_id: uuid.UUID
    purpose: str
    subject: str
    title: str
    state: str = Field(description="open：仅公布了种子承诺值；drawn：已抽取，种子和名单已公开")
    commitment: str = Field(description="抽取前公布的种子 SHA-256")
    opened_at: str
    seed: str | None = None
    spec: dict[str, Any] | None = Field(None, description='{"k": n} 或 {"strata": {层: n}}')
    candidates: list[str] | dict[str, list[str]] | None = Field(
        None, description="按码点排序的候选名单（较早的抽取；此后的名单见 candidates_file）"
    )
    candidates_file: DrawFileOut | None = Field(
        None, description="候选名单文件（按码点排序的名单，紧凑 JSON）：先核对 SHA-256 再复核"
    )
    candidates_digest: str | None = None
    result: list[str] | dict[str, list[str]] | None = Field(None, description="按抽中顺序")
    drawn_at: str | None = None


@router.get(
    "/{public_id}",
    response={200: DrawOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="随机抽取的公开记录（可用 scripts/verify_draw.py 复核）",
)
def draw_published(request: HttpRequest, public_id: uuid.UUID) -> dict[str, Any]:
    return draw_document(_record(public_id))


@router.get(
    "/{public_id}/candidates",
    response={200: None, **PROBLEM_RESPONSES},
    auth=None,
    summary="随机抽取的候选名单文件（以其 SHA-256 命名）",
)
def draw_candidates_file(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    record = _record(public_id)
    if not record.candidates_sha256:
        raise DomainError(NOT_FOUND, "这次随机抽取没有候选名单文件（尚未抽取，或名单在公开记录中）")
    name = snapshot_name(record.candidates_sha256)
    if not default_storage.exists(name):
        raise DomainError(NOT_FOUND, "候选名单文件缺失，请向组织单位反映")
    return FileResponse(
        default_storage.open(name, "rb"),
        content_type="application/json",
        as_attachment=True,
        filename=f"{record.candidates_sha256}.json",
    )


def _record(public_id: uuid.UUID) -> DrawRecord:
    record = DrawRecord.objects.filter(public_id=public_id).first()
    if record is None:
        raise DomainError(NOT_FOUND, "没有这次随机抽取")
    return record
