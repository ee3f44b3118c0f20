"""``tongban catalog <sub-command>``: catalogue tools.

``tongban catalog lint [--region CODE] [--format json|xlsx] [--output FILE]
[--all-versions]`` lints every active service item of a region subtree and
exits non-zero when any error is found, so that it can gate CI or a data load.

Each sub-command is one function ``_<name>(command, options)``; add a
sub-parser in ``add_arguments`` and an entry in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.catalog.lint_report import ItemReport, lint_catalogue
from tongban.core.errors import DomainError
from tongban.org.selectors import region_get

XLSX_COLUMNS = ("实施编码", "事项名称", "实施主体", "规则", "字段", "说明", "级别")
SEVERITY_LABELS = {"error": "错误", "warning": "提示"}


class Command(BaseCommand):
    help = "Catalogue tools: `lint` checks the guides of a region against the lint rules."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        lint = sub.add_parser(
            "lint",
            help="lint the guides of every active service item; exit 1 if any error is found",
        )
        lint.add_argument(
            "--region", default="", help="region code (GB/T 2260); its whole subtree is linted"
        )
        lint.add_argument("--format", choices=["json", "xlsx"], default="json")
        lint.add_argument(
            "--output", default="", help="file to write; JSON goes to stdout when omitted"
        )
        lint.add_argument(
            "--all-versions",
            action="store_true",
            help="lint the newest version of each item (drafts included) "
            "instead of the published one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        SUBCOMMANDS[options["subcommand"]](self, options)


def _lint(command: BaseCommand, options: dict[str, Any]) -> None:
    fmt: str = options["format"]
    output: str = options["output"]
    if fmt == "xlsx" and not output:
        raise CommandError("xlsx 格式须用 --output 指定文件。")
    region_path = "/"
    if options["region"]:
        try:
            region_path = region_get(options["region"]).path
        except DomainError as exc:
            raise CommandError(exc.detail) from None
    reports = lint_catalogue(region_path=region_path, newest=options["all_versions"])

    # The summary goes to stderr when stdout carries the JSON, so it stays parseable.
    summary = command.stderr if fmt == "json" and not output else command.stdout
    for report in reports:
        summary.write(_summary_line(report))
    errors = sum(r.errors for r in reports)
    warnings = sum(r.warnings for r in reports)
    unlinted = sum(1 for r in reports if r.version is None)
    total = f"共检查 {len(reports) - unlinted} 个事项：错误 {errors} 处，提示 {warnings} 处。"
    if unlinted:
        total += f"另有 {unlinted} 个事项尚无已发布的指南，未检查。"
    summary.write(total)

    if fmt == "xlsx":
        _write_xlsx(reports, Path(output))
    elif output:
        Path(output).write_text(_json_text(reports, errors, warnings) + "\n", encoding="utf-8")
    else:
        command.stdout.write(_json_text(reports, errors, warnings))
    if errors:
        raise CommandError(f"办事指南检查未通过：共 {errors} 处错误。")


def _summary_line(report: ItemReport) -> str:
    head = f"{report.implementation_code} {report.name}（{report.department}）"
    if report.version is None:
        return f"{head}：无已发布版本，未检查"
    return f"{head} 第 {report.version} 版：错误 {report.errors}，提示 {report.warnings}"


def _json_text(reports: list[ItemReport], errors: int, warnings: int) -> str:
    document = {
        "errors": errors,
        "warnings": warnings,
        "items": [
            {
                "implementation_code": r.implementation_code,
                "name": r.name,
                "department": r.department,
                "version": r.version,
                "status": r.status,
                "errors": r.errors,
                "warnings": r.warnings,
                "findings": [
                    {"code": f.code, "field": f.field, "message": f.message, "severity": f.severity}
                    for f in r.findings
                ],
            }
            for r in reports
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _write_xlsx(reports: list[ItemReport], path: Path) -> None:
    # Imported by name: openpyxl ships no type stubs, and whether mypy ignores it
    # is the project's setting (pyproject), which this module should not depend on.
    openpyxl: Any = importlib.import_module("openpyxl")
    font: Any = importlib.import_module("openpyxl.styles").Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "指南检查结果"
    sheet.append(XLSX_COLUMNS)
    for cell in sheet[1]:
        cell.font = font(bold=True)
    for report in reports:
        for f in report.findings:
            sheet.append(
                (
                    report.implementation_code,
                    report.name,
                    report.department,
                    f.code,
                    f.field,
                    f.message,
                    SEVERITY_LABELS.get(f.severity, f.severity),
                )
            )
    for letter, width in zip("ABCDEFG", (34, 30, 24, 32, 28, 80, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    workbook.save(path)


SUBCOMMANDS: dict[str, Callable[[BaseCommand, dict[str, Any]], None]] = {"lint": _lint}
