"""Bulk maintenance of the catalogue through one Excel workbook (R-CT-3).

Export: :func:`catalog_export_xlsx` writes the published items implemented in
a region and the regions below it (not those of higher levels: a county does
not maintain the province's items). Sheet “事项” has one row per item: the
keys (基本编码, 实施主体统一社会信用代码), readable main fields, and the whole
guide as JSON in “指南内容（JSON）”. Sheets “材料” and “环节” repeat the
materials and steps for reading; “说明” says what the import reads.

Import: :func:`catalog_import_xlsx` reads only the keys and the JSON of
“事项”. Every row is checked first (JSON, guide format, basic item,
department, level, the actor's editing scope, lint, duplicates); if any row
is bad nothing is saved and the error names every bad row. Otherwise all rows
are loaded in one transaction through ``services.guide_load_published``,
which publishes a new version only when the guide changed.

Long imports run in the background: :func:`catalog_import_start` stores the
file and enqueues ``tasks.catalog_import_task``; :func:`catalog_import_status`
reports progress. The file and its status are kept in the default storage
under ``catalog-imports/`` (see the note above ``ImportStatus`` for why).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from tongban.catalog import errors
from tongban.catalog.content import GuideContent
from tongban.catalog.exports import write_cell
from tongban.catalog.lint import errors_of, lint_guide
from tongban.catalog.lists import DEPTH_LABELS, HANDLING_LABELS, published_items
from tongban.catalog.models import BasicItem, ItemType, Level, ServiceItem
from tongban.catalog.services import (
    guide_content_parse,
    guide_load_published,
    implementation_code_for,
    level_of,
)
from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.org.models import Department, Role
from tongban.org.selectors import StaffScope, region_get, staff_scope_for

Progress = Callable[[int, int], None]

ITEMS_SHEET = "事项"
MATERIALS_SHEET = "材料"
STEPS_SHEET = "环节"
README_SHEET = "说明"
CODE_HEADER = "实施编码"
BASIC_HEADER = "基本编码"
CREDIT_HEADER = "实施主体统一社会信用代码"
JSON_HEADER = "指南内容（JSON）"
JSON_MORE_HEADER = "指南内容（续）"
# Excel holds at most 32,767 characters in a cell: longer guides continue in
# the next columns and are joined on import.
CELL_LIMIT = 32_000
MAX_ROWS = 20_000

ITEM_HEADERS = (
    CODE_HEADER,
    BASIC_HEADER,
    CREDIT_HEADER,
    "实施主体",
    "实施区划",
    "事项名称",
    "事项类型",
    "行使层级",
    "办件类型",
    "法定时限",
    "承诺时限",
    "网办深度",
    "跑动次数",
    "掌上办",
    "收费",
    "版本号",
    JSON_HEADER,
)
README = (
    "本工作簿用于批量维护实施清单事项及其办事指南。",
    "导入时只读取“事项”工作表的“基本编码”“实施主体统一社会信用代码”和“指南内容（JSON）”列"
    "（过长的指南续写在其后的“指南内容（续）”列）；“实施编码”如填写，须与前两列推出的编码一致。",
    "其余列和“材料”“环节”工作表仅供阅读，修改它们不会生效。",
    "导入前逐行检查：指南格式、基本目录事项、实施主体、行使层级、编辑权限和规范检查；"
    "任何一行有误则整个文件都不导入，并列出全部有误的行。",
    "指南内容与现行版本相同的事项不产生新版本。",
)


# ── Export ──────────────────────────────────────────────────────────────────


def _guide_json(content: Any) -> str:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def region_subtree_items(path: str) -> QuerySet[ServiceItem]:
    """Published items implemented in the region of ``path`` and below."""
    return published_items().filter(region_path__startswith=path).order_by("implementation_code")


def _content(item: ServiceItem) -> Any:
    assert item.current_version is not None  # published_items() only
    return item.current_version.content


def catalog_export_xlsx(region_code: str) -> bytes:
    """The published items of ``region_code`` and below, with their guides.

    Two queries: the region, then the items joined with their department,
    region, basic item and current guide version.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    region = region_get(region_code)
    items = list(region_subtree_items(region.path))
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = ITEMS_SHEET
    headers = list(ITEM_HEADERS)
    chunks_per_row = [_chunks(_guide_json(_content(i))) for i in items]
    extra = max((len(c) for c in chunks_per_row), default=1) - 1
    headers += [JSON_MORE_HEADER] * extra
    for col, header in enumerate(headers, start=1):
        write_cell(sheet, 1, col, header).font = Font(bold=True)
    widths = [31, 14, 22, 20, 16, 24, 10, 10, 8, 12, 12, 8, 8, 7, 6, 7, 60]
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=col).column_letter].width = width
    for row, (item, chunks) in enumerate(zip(items, chunks_per_row, strict=True), start=2):
        version = item.current_version
        assert version is not None
        guide = GuideContent.model_validate(version.content)
        values: list[Any] = [
            item.implementation_code,
            item.basic_item.code,
            item.department.credit_code,
            item.department.name,
            item.region.full_name or item.region.name,
            item.name,
            ItemType(item.item_type).label,
            Level(item.level).label,
            HANDLING_LABELS.get(guide.handling.value, ""),
            guide.legal_limit.label(),
            guide.promised_limit.label(),
            DEPTH_LABELS.get(guide.online_depth, ""),
            guide.visits_required,
            "是" if guide.mobile else "否",
            "否" if guide.free else "是",
            version.number,
            *chunks,
        ]
        for col, value in enumerate(values, start=1):
            write_cell(sheet, row, col, value)
    sheet.freeze_panes = "B2"

    materials: Any = workbook.create_sheet(MATERIALS_SHEET)
    material_headers = (
        CODE_HEADER,
        "事项名称",
        "材料编码",
        "材料名称",
        "必要性",
        "原件",
        "复印件",
        "介质",
        "来源",
        "免于提交",
        "容缺后补",
    )
    steps: Any = workbook.create_sheet(STEPS_SHEET)
    step_headers = (CODE_HEADER, "事项名称", "序号", "环节", "岗位", "部门", "时限占比", "特别程序")
    for target, heads in ((materials, material_headers), (steps, step_headers)):
        for col, header in enumerate(heads, start=1):
            write_cell(target, 1, col, header).font = Font(bold=True)
    material_row = step_row = 1
    labels = {"required": "必要", "optional": "非必要", "situational": "按情形"}
    media = {"paper": "纸质", "electronic": "电子", "either": "纸质或电子"}
    sources = {"applicant": "申请人自备", "government": "政府部门核发", "intermediary": "中介机构"}
    for item in items:
        assert item.current_version is not None
        guide = GuideContent.model_validate(item.current_version.content)
        for m in guide.materials:
            material_row += 1
            for col, value in enumerate(
                (
                    item.implementation_code,
                    item.name,
                    m.code,
                    m.name,
                    labels[m.requirement.value],
                    m.originals,
                    m.copies,
                    media[m.media.value],
                    sources[m.source.value],
                    "是" if m.exempt else "否",
                    "是" if m.deferrable else "否",
                ),
                start=1,
            ):
                write_cell(materials, material_row, col, value)
        for n, s in enumerate(guide.steps, start=1):
            step_row += 1
            for col, value in enumerate(
                (
                    item.implementation_code,
                    item.name,
                    n,
                    s.name,
                    s.role,
                    s.department,
                    f"{s.share_percent}%",
                    s.special_procedure.value if s.special_procedure else "",
                ),
                start=1,
            ):
                write_cell(steps, step_row, col, value)

    readme: Any = workbook.create_sheet(README_SHEET)
    readme.column_dimensions["A"].width = 110
    for row, text in enumerate(README, start=1):
        write_cell(readme, row, 1, text).alignment = Alignment(wrap_text=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _chunks(text: str) -> list[str]:
    return [text[i : i + CELL_LIMIT] for i in range(0, len(text), CELL_LIMIT)] or [""]


# ── Import ──────────────────────────────────────────────────────────────────


@dataclass
class ImportReport:
    """What an import did, by implementation code."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    def summary(self) -> str:
        return (
            f"共 {self.total} 项：新增 {len(self.created)} 项，更新 {len(self.updated)} 项，"
            f"未变 {len(self.unchanged)} 项。"
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "total": self.total, "summary": self.summary()}


@dataclass
class _Row:
    number: int  # the row number in the sheet, as Excel shows it
    basic_code: str
    credit_code: str
    implementation_code: str
    raw_json: str
    guide: GuideContent | None = None
    basic_item: BasicItem | None = None
    department: Department | None = None


@dataclass
class _Problems:
    fields: list[dict[str, Any]] = field(default_factory=list)

    def add(self, row: int, code: str, message: str) -> None:
        self.fields.append(
            {"field": f"row {row}", "code": code, "message": f"第 {row} 行：{message}"}
        )


def _invalid(detail: str, fields: list[dict[str, Any]] | None = None) -> DomainError:
    return DomainError(errors.IMPORT_INVALID, detail, fields=fields or [])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_rows(data: bytes) -> list[_Row]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001  (openpyxl raises many types for a bad file)
        raise _invalid("文件不是有效的 Excel 工作簿（.xlsx），请使用导出的模板。") from None
    try:
        if ITEMS_SHEET not in workbook.sheetnames:
            raise _invalid(f"工作簿中没有“{ITEMS_SHEET}”工作表，请使用导出的模板。")
        sheet = workbook[ITEMS_SHEET]
        rows = sheet.iter_rows(values_only=True)
        header = [_text(v) for v in next(rows, ())]
        missing = [h for h in (BASIC_HEADER, CREDIT_HEADER, JSON_HEADER) if h not in header]
        if missing:
            raise _invalid(f"“{ITEMS_SHEET}”工作表缺少列：{'、'.join(missing)}。")
        basic_col = header.index(BASIC_HEADER)
        credit_col = header.index(CREDIT_HEADER)
        json_col = header.index(JSON_HEADER)
        code_col = header.index(CODE_HEADER) if CODE_HEADER in header else None
        more_cols = [i for i, h in enumerate(header) if h == JSON_MORE_HEADER and i > json_col]
        result: list[_Row] = []
        for number, values in enumerate(rows, start=2):
            cells = list(values) + [None] * max(0, len(header) - len(values))
            if all(_text(v) == "" for v in cells):
                continue
            if len(result) >= MAX_ROWS:
                raise _invalid(f"一次最多导入 {MAX_ROWS} 行，请分批导入。")
            raw = _text(cells[json_col]) + "".join(_text(cells[i]) for i in more_cols)
            result.append(
                _Row(
                    number=number,
                    basic_code=_text(cells[basic_col]).upper(),
                    credit_code=_text(cells[credit_col]).upper(),
                    implementation_code=_text(cells[code_col]) if code_col is not None else "",
                    raw_json=raw,
                )
            )
    finally:
        workbook.close()
    if not result:
        raise _invalid(f"“{ITEMS_SHEET}”工作表没有数据行。")
    return result


def may_edit(scope: StaffScope, *, region_path: str, department_id: int) -> bool:
    """Whether a catalogue editor's scope covers items of this department and region."""
    for grant in scope.for_roles(Role.CATALOG_EDITOR, Role.PLATFORM_ADMIN).grants:
        if not region_path.startswith(grant.region_path):
            continue
        if grant.department_ids is not None and department_id not in grant.department_ids:
            continue
        return True
    return False


def _validate(rows: list[_Row], actor: Any) -> _Problems:
    problems = _Problems()
    basics = {b.code: b for b in BasicItem.objects.filter(code__in={r.basic_code for r in rows})}
    departments = {
        d.credit_code: d
        for d in Department.objects.filter(
            credit_code__in={r.credit_code for r in rows}
        ).select_related("region")
    }
    scope = staff_scope_for(user=actor) if actor is not None else None
    seen: dict[str, int] = {}
    for row in rows:
        n = row.number
        try:
            data = json.loads(row.raw_json) if row.raw_json else None
        except json.JSONDecodeError as exc:
            problems.add(
                n, "invalid_json", f"指南内容不是合法的 JSON（第 {exc.pos + 1} 个字符附近）。"
            )
            data = None
        else:
            if data is None:
                problems.add(n, "missing_guide", "指南内容为空。")
        if data is not None:
            try:
                row.guide = guide_content_parse(data)
            except DomainError as exc:
                details = "；".join(f"{f['field']}：{f['message']}" for f in exc.fields[:5])
                problems.add(n, exc.code, f"指南内容不符合格式：{details}")
        row.basic_item = basics.get(row.basic_code)
        if row.basic_item is None:
            problems.add(
                n, "basic_item_not_found", f"基本编码 {row.basic_code or '（空）'} 不在基本目录中。"
            )
        row.department = departments.get(row.credit_code)
        if row.department is None:
            problems.add(
                n,
                "department_not_found",
                f"统一社会信用代码 {row.credit_code or '（空）'} 没有对应的实施主体。",
            )
        if row.basic_item is None or row.department is None:
            continue
        level = level_of(row.department)
        if level not in row.basic_item.levels:
            problems.add(
                n,
                "level_not_allowed",
                f"“{row.basic_item.name}”的行使层级为 {row.basic_item.levels}，"
                f"{row.department.name}（{Level(level).label}）不能实施。",
            )
            continue
        code = implementation_code_for(department=row.department, basic_item=row.basic_item)
        if row.implementation_code and row.implementation_code != code:
            problems.add(
                n,
                "implementation_code_mismatch",
                f"实施编码 {row.implementation_code} 与基本编码、实施主体推出的 {code} 不一致。",
            )
        row.implementation_code = code
        if code in seen:
            problems.add(n, "duplicate_row", f"与第 {seen[code]} 行是同一事项（{code}）。")
        else:
            seen[code] = n
        if scope is not None and not may_edit(
            scope, region_path=row.department.region.path, department_id=row.department.pk
        ):
            problems.add(n, errors.NOT_EDITOR.code, f"您没有编辑{row.department.name}事项的权限。")
        if row.guide is not None:
            for finding in errors_of(lint_guide(row.guide, item_type=row.basic_item.item_type)):
                problems.add(n, finding.code, f"{finding.field}：{finding.message}")
    return problems


def catalog_import_xlsx(
    data: bytes,
    *,
    actor: Any,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Load a workbook made by :func:`catalog_export_xlsx`: all rows or none.

    ``actor`` is the editing user (None for the system); each row's department
    must lie in their catalogue-editing scope. ``progress(done, total)`` is
    called before the first row is loaded and after each one.
    Raises ``catalog_import_invalid`` listing every bad row as
    ``{"field": "row 7", "code": …, "message": "第 7 行：…"}``.
    """
    moment = now or clock.now()
    rows = _read_rows(data)
    problems = _validate(rows, actor)
    if problems.fields:
        bad_rows = sorted({int(f["field"].split()[1]) for f in problems.fields})
        shown = "、".join(str(r) for r in bad_rows[:20]) + ("等" if len(bad_rows) > 20 else "")
        raise _invalid(
            f"导入文件有 {len(bad_rows)} 行有误（第 {shown} 行），未导入任何事项。"
            f"{problems.fields[0]['message']}",
            problems.fields,
        )
    report = ImportReport()
    total = len(rows)
    existing = dict(
        ServiceItem.objects.filter(
            implementation_code__in=[r.implementation_code for r in rows]
        ).values_list("implementation_code", "current_version__content")
    )
    if progress:
        progress(0, total)
    with transaction.atomic():
        for done, row in enumerate(rows, start=1):
            assert (
                row.guide is not None and row.basic_item is not None and row.department is not None
            )
            content = row.guide.model_dump(mode="json")
            code = row.implementation_code
            if code not in existing:
                report.created.append(code)
            elif existing[code] == content:
                report.unchanged.append(code)
            else:
                report.updated.append(code)
            if existing.get(code) != content:
                try:
                    guide_load_published(
                        basic_item=row.basic_item,
                        department=row.department,
                        content=content,
                        now=moment,
                    )
                except DomainError as exc:
                    # A check only publication makes (e.g. a form field's type
                    # clashing with another item's): the transaction rolls back.
                    failed = _Problems()
                    for f in exc.fields or [{"field": "", "code": exc.code, "message": exc.detail}]:
                        where = f"{f['field']}：" if f.get("field") else ""
                        failed.add(row.number, f.get("code", exc.code), where + f["message"])
                    raise _invalid(
                        f"第 {row.number} 行未能发布，未导入任何事项：{exc.detail}", failed.fields
                    ) from None
            if progress:
                progress(done, total)
        audit_record(
            actor=f"user:{actor.pk}" if actor is not None else "system",
            action="catalog.import",
            object_type="catalog_import",
            object_id=hashlib.sha256(data).hexdigest()[:16],
            details={
                "created": len(report.created),
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
            },
            now=moment,
        )
    return report
