"""Catalogue API: lint a draft guide (R-CT-2) and list the lint rules.

Public (``auth=None``): departments check their drafts before entering them,
and nothing is stored or read from the database.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from tongban.catalog.lint import ERROR, RULES, WARNING, lint_guide
from tongban.catalog.models import ItemType
from tongban.catalog.services import guide_content_parse
from tongban.core.api.schemas import PROBLEM_RESPONSES, InputSchema

router = Router()


class LintIn(InputSchema):
    guide: dict[str, Any] = Field(
        description=(
            "办事指南文档（GuideContent，与指南版本的 content 相同）。"
            "不符合格式时返回 422，code 为 invalid_guide，errors 逐项列出字段。"
        )
    )
    item_type: ItemType | None = Field(
        default=None, description="事项类型（01 行政许可 … 20 公共服务），可选"
    )


class FindingOut(Schema):
    code: str = Field(description="规则编码，稳定不变，见 GET /catalog/lint/rules")
    field: str = Field(description="指南中的字段路径，如 materials[2].name")
    message: str = Field(description="问题及修改方法")
    severity: str = Field(description="error（不能提交、发布）或 warning（提示）")


class LintOut(Schema):
    ok: bool = Field(description="没有 error 级问题，可以提交审核")
    errors: int
    warnings: int
    findings: list[FindingOut]


class RuleOut(Schema):
    code: str
    title: str
    severity: str


@router.post(
    "/lint",
    auth=None,
    response={200: LintOut, **PROBLEM_RESPONSES},
    summary="检查办事指南是否符合规范",
    description=(
        '请求体为 {"guide": 指南文档, "item_type": "01"}。返回全部问题：'
        "error 级问题会阻止提交审核和发布，warning 级仅作提示。"
    ),
)
def lint(request: HttpRequest, payload: LintIn) -> LintOut:
    content = guide_content_parse(payload.guide)
    item_type = payload.item_type.value if payload.item_type is not None else None
    findings = lint_guide(content, item_type=item_type)
    errors = sum(1 for f in findings if f.severity == ERROR)
    warnings = sum(1 for f in findings if f.severity == WARNING)
    return LintOut(
        ok=errors == 0,
        errors=errors,
        warnings=warnings,
        findings=[
            FindingOut(code=f.code, field=f.field, message=f.message, severity=f.severity)
            for f in findings
        ],
    )


@router.get(
    "/lint/rules",
    auth=None,
    response={200: list[RuleOut], **PROBLEM_RESPONSES},
    summary="办事指南检查规则",
)
def lint_rules(request: HttpRequest) -> list[RuleOut]:
    return [RuleOut(code=r.code, title=r.title, severity=r.severity) for r in RULES]
