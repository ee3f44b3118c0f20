"""The audit log's public anchor (ADR-0008): verifying keys and the latest
signed checkpoint, for a second system to poll and keep (no login)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.audit_seal import checkpoint_dict, public_keys
from tongban.core.errors import NOT_FOUND, DomainError
from tongban.core.models import AuditCheckpoint

router = Router(tags=["审计日志"])


class AuditKeysOut(Schema):
    algorithm: str = Field(description="签名算法：Ed25519")
    keys: dict[str, str] = Field(description="密钥编号 → 公钥（Base64，32 字节原始格式）")


class AuditCheckpointOut(Schema):
    position: int = Field(description="链上位置（此前的记录条数）")
    head_hash: str = Field(description="该位置记录的 SM3 哈希")
    count: int
    sealed_at: dt.datetime
    key_id: str
    signature: str = Field(description="对“tongban-audit-checkpoint/v1\\n位置\\n哈希\\n时间”的签名")


@router.get(
    "/keys", response={200: AuditKeysOut, **PROBLEM_RESPONSES}, auth=None, summary="审计检查点公钥"
)
def audit_keys_published(request: HttpRequest) -> dict[str, object]:
    return {"algorithm": "Ed25519", "keys": public_keys()}


@router.get(
    "/checkpoint",
    response={200: AuditCheckpointOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="最新的审计签名检查点",
    description="供其他系统定期获取并留存（见证）；不含任何审计记录内容。",
)
def audit_checkpoint_latest(request: HttpRequest) -> dict[str, object]:
    latest = AuditCheckpoint.objects.order_by("-position").first()
    if latest is None:
        raise DomainError(NOT_FOUND, "尚无审计检查点。")
    return checkpoint_dict(latest)
