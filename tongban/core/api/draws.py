"""Published random draws (no login): /api/v1/draws/{public_id} answers the
document that ``scripts/verify_draw.py`` re-runs (docs/draws.md)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.draws import draw_document
from tongban.core.errors import NOT_FOUND, DomainError
from tongban.core.models import DrawRecord

router = Router(tags=["随机抽取"])


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
        None, description="按码点排序的候选名单"
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
    record = DrawRecord.objects.filter(public_id=public_id).first()
    if record is None:
        raise DomainError(NOT_FOUND, "没有这次随机抽取")
    return draw_document(record)
