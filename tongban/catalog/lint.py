"""Guide lint (R-CT-2): the rules a published guide must pass.

Interface used by the services, the command and the API:
``lint_guide(content, basic_item=None) -> list[Finding]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from tongban.catalog.content import GuideContent


@dataclass(frozen=True)
class Finding:
    code: str  # stable rule code, e.g. "catch_all_material"
    field: str  # dotted path into the guide, e.g. "materials[3].name"
    message: str  # Chinese, says what is wrong and how to fix it
    severity: str = "error"  # "error" blocks publication; "warning" does not


def lint_guide(content: GuideContent, *, item_type: str | None = None) -> list[Finding]:
    raise NotImplementedError  # written by the lint work package


def errors_of(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]
