"""The catalogue lint report (``tongban catalog lint``): every active item's guide."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pydantic import ValidationError

from tongban.catalog.content import GuideContent
from tongban.catalog.lint import ERROR, WARNING, Finding, lint_guide
from tongban.catalog.models import GuideVersion, ServiceItem, ServiceItemStatus


@dataclass
class ItemReport:
    implementation_code: str
    name: str
    department: str
    version: int | None  # None: nothing to lint (no published version)
    status: str
    findings: list[Finding] = dataclasses.field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)


def lint_catalogue(*, region_path: str = "/", newest: bool = False) -> list[ItemReport]:
    """Lint every active service item whose region lies under ``region_path``.

    The current published version is linted, or with ``newest`` the newest
    version whatever its status (a draft shows what will fail at submission).
    A stored document that no longer parses is one ``invalid_guide`` error.
    """
    items = list(
        ServiceItem.objects.filter(
            status=ServiceItemStatus.ACTIVE, region_path__startswith=region_path
        )
        .select_related("department", "current_version")
        .order_by("region_path", "implementation_code")
    )
    versions: dict[int, GuideVersion] = {}
    if newest:
        for each in GuideVersion.objects.filter(service_item__in=items).order_by(
            "service_item_id", "-number"
        ):
            versions.setdefault(each.service_item_id, each)
    else:
        versions = {i.pk: v for i in items if (v := i.current_version) is not None}
    reports = []
    for item in items:
        version = versions.get(item.pk)
        report = ItemReport(
            implementation_code=item.implementation_code,
            name=item.name,
            department=item.department.name,
            version=version.number if version else None,
            status=version.status if version else "",
        )
        if version is not None:
            try:
                content = GuideContent.model_validate(version.content)
            except ValidationError as exc:
                report.findings.append(
                    Finding(
                        "invalid_guide",
                        "",
                        f"第 {version.number} 版指南内容不符合格式（{exc.error_count()} 处）："
                        "请在编辑器中打开并修正。",
                    )
                )
            else:
                report.findings.extend(lint_guide(content, item_type=item.item_type))
        reports.append(report)
    return reports
