"""Bulk maintenance through one workbook (R-CT-3): export, all-or-nothing import."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from tongban.catalog import imports, transfer
from tongban.catalog.models import GuideVersion, ServiceItem
from tongban.catalog.services import guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.catalog.tests.lists_seed import seed_catalogue
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Region, Role
from tongban.org.services import staff_assign

pytestmark = pytest.mark.django_db
JIANGSU, NANJING = "320000", "320100"


@pytest.fixture
def catalogue():
    demo_org_load()
    return seed_catalogue()


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def column(sheet, header: str) -> int:
    return [c.value for c in sheet[1]].index(header) + 1


def edit(data: bytes, change) -> bytes:
    """Apply ``change(sheet)`` to the 事项 sheet and return the new file."""
    book = workbook(data)
    change(book[transfer.ITEMS_SHEET])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def set_guide(sheet, row: int, **overrides) -> None:
    col = column(sheet, transfer.JSON_HEADER)
    guide = json.loads(sheet.cell(row=row, column=col).value)
    guide.update(overrides)
    sheet.cell(row=row, column=col).value = json.dumps(guide, ensure_ascii=False)


def test_the_export_has_one_row_per_item_of_the_region_and_below(catalogue):
    book = workbook(transfer.catalog_export_xlsx(NANJING))
    assert book.sheetnames == ["事项", "材料", "环节", "说明"]
    sheet = book["事项"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["实施编码", "基本编码", "实施主体统一社会信用代码"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # 南京市 and its districts; the province's items are maintained by the province.
    expected = sorted(catalogue[k].implementation_code for k in ("C1", "C2", "X1", "J1", "S1"))
    assert [r[0] for r in rows] == expected
    c1 = catalogue["C1"]
    row = next(r for r in rows if r[0] == c1.implementation_code)
    assert row[header.index("事项名称")] == "食品经营许可证核发"
    assert row[header.index("网办深度")] == "Ⅳ级"
    assert json.loads(row[header.index("指南内容（JSON）")]) == c1.current_version.content
    materials = list(book["材料"].iter_rows(min_row=2, values_only=True))
    assert "卫生学评价报告" in [m[3] for m in materials if m[0] == c1.implementation_code]
    steps = [
        s
        for s in book["环节"].iter_rows(min_row=2, values_only=True)
        if s[0] == c1.implementation_code
    ]
    assert [s[3] for s in steps] == ["受理", "现场核查", "审查", "决定"]
    assert steps[1][7] == "inspection"


def test_export_then_import_changes_nothing(catalogue):
    data = transfer.catalog_export_xlsx(JIANGSU)
    versions = GuideVersion.objects.count()
    report = transfer.catalog_import_xlsx(data, actor=None)
    assert len(report.unchanged) == 7
    assert report.created == [] and report.updated == []
    assert GuideVersion.objects.count() == versions
    assert report.summary() == "共 7 项：新增 0 项，更新 0 项，未变 7 项。"


def test_an_import_updates_changed_guides_and_creates_new_items(catalogue):
    data = transfer.catalog_export_xlsx(NANJING)
    c2 = catalogue["C2"]
    new_department = Department.objects.get(name="南京市玄武区医疗保障局")
    basic_code = c2.basic_item.code

    def change(sheet):
        row = next(
            r
            for r in range(2, sheet.max_row + 1)
            if sheet.cell(r, 1).value == c2.implementation_code
        )
        set_guide(sheet, row, name="最低生活保障金给付（修订）")
        new = sheet.max_row + 1
        sheet.cell(new, column(sheet, "基本编码")).value = basic_code
        sheet.cell(
            new, column(sheet, "实施主体统一社会信用代码")
        ).value = new_department.credit_code
        sheet.cell(new, column(sheet, transfer.JSON_HEADER)).value = json.dumps(
            valid_guide(name="最低生活保障金给付", audience=["person"]), ensure_ascii=False
        )

    calls = []
    report = transfer.catalog_import_xlsx(
        edit(data, change), actor=None, progress=lambda done, total: calls.append((done, total))
    )
    assert report.updated == [c2.implementation_code]
    assert len(report.created) == 1 and len(report.unchanged) == 4
    c2.refresh_from_db()
    assert c2.name == "最低生活保障金给付（修订）"
    assert c2.current_version is not None and c2.current_version.number == 2
    created = ServiceItem.objects.get(implementation_code=report.created[0])
    assert created.department == new_department
    assert created.current_version is not None and created.current_version.number == 1
    assert calls == [(0, 6), (1, 6), (2, 6), (3, 6), (4, 6), (5, 6), (6, 6)]
    event = AuditEvent.objects.filter(action="catalog.import").get()
    assert event.details == {"created": 1, "updated": 1, "unchanged": 4}


def test_one_bad_row_saves_nothing_and_every_bad_row_is_named(catalogue):
    data = transfer.catalog_export_xlsx(NANJING)

    def change(sheet):
        set_guide(sheet, 2, name="一个合法的新名称")  # valid on its own: must not be saved
        materials = json.loads(sheet.cell(3, column(sheet, transfer.JSON_HEADER)).value)[
            "materials"
        ]
        set_guide(sheet, 3, materials=[*materials, {"code": "other", "name": "其他材料"}])
        sheet.cell(4, column(sheet, "实施主体统一社会信用代码")).value = "91320000000000000X"
        sheet.cell(5, column(sheet, transfer.JSON_HEADER)).value = "{not json"
        set_guide(sheet, 6, online_depth=9)

    before = list(GuideVersion.objects.order_by("pk").values_list("pk", "status"))
    with pytest.raises(DomainError) as exc:
        transfer.catalog_import_xlsx(edit(data, change), actor=None)
    error = exc.value
    assert error.code == "catalog_import_invalid"
    assert error.status == 422
    assert error.detail.startswith("导入文件有 4 行有误（第 3、4、5、6 行），未导入任何事项。")
    by_row: dict[str, list[dict]] = {}
    for f in error.fields:
        by_row.setdefault(f["field"], []).append(f)
    assert sorted(by_row) == ["row 3", "row 4", "row 5", "row 6"]
    assert any(
        "其他材料" in f["message"] or f["code"].startswith("catch_all") for f in by_row["row 3"]
    )
    assert by_row["row 4"][0]["code"] == "department_not_found"
    assert by_row["row 4"][0]["message"].startswith("第 4 行：统一社会信用代码 91320000000000000X")
    assert by_row["row 5"][0]["code"] == "invalid_json"
    assert by_row["row 6"][0]["code"] == "invalid_guide"
    assert "online_depth" in by_row["row 6"][0]["message"]
    assert list(GuideVersion.objects.order_by("pk").values_list("pk", "status")) == before
    assert not ServiceItem.objects.filter(name="一个合法的新名称").exists()


def test_duplicate_rows_and_mismatched_codes_are_refused(catalogue):
    data = transfer.catalog_export_xlsx(NANJING)

    def change(sheet):
        copy = sheet.max_row + 1  # row 7 repeats row 2
        for col in range(1, sheet.max_column + 1):
            sheet.cell(copy, col).value = sheet.cell(2, col).value
        sheet.cell(3, 1).value = "000000000000000000000000000000"

    with pytest.raises(DomainError) as exc:
        transfer.catalog_import_xlsx(edit(data, change), actor=None)
    codes = {(f["field"], f["code"]) for f in exc.value.fields}
    assert ("row 3", "implementation_code_mismatch") in codes
    assert ("row 7", "duplicate_row") in codes


def test_an_editor_may_import_only_items_in_their_scope(catalogue):
    user = get_user_model().objects.create(username="editor1", kind="staff", display_name="编辑")
    xuanwu = Department.objects.get(name="南京市玄武区民政局")
    staff_assign(
        user_id=user.pk,
        role=Role.CATALOG_EDITOR,
        department=xuanwu,
        region_scope=Region.objects.get(code="320102"),
    )
    data = transfer.catalog_export_xlsx(NANJING)
    with pytest.raises(DomainError) as exc:
        transfer.catalog_import_xlsx(data, actor=user)
    refused = {f["field"] for f in exc.value.fields if f["code"] == "not_catalog_editor"}
    assert len(refused) == 4  # every row but 玄武区's own
    only_xuanwu = transfer.catalog_export_xlsx("320102")
    assert transfer.catalog_import_xlsx(only_xuanwu, actor=user).unchanged == [
        catalogue["X1"].implementation_code
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a workbook", "文件不是有效的 Excel 工作簿"),
        (None, "工作簿中没有“事项”工作表"),
    ],
)
def test_a_file_that_is_not_the_template_is_refused(data, message):
    if data is None:
        from openpyxl import Workbook

        out = io.BytesIO()
        Workbook().save(out)
        data = out.getvalue()
    with pytest.raises(DomainError) as exc:
        transfer.catalog_import_xlsx(data, actor=None)
    assert exc.value.code == "catalog_import_invalid"
    assert exc.value.detail.startswith(message)


def test_a_background_import_reports_progress_and_its_result(
    catalogue, django_capture_on_commit_callbacks
):
    data = transfer.catalog_export_xlsx(NANJING)
    with django_capture_on_commit_callbacks(execute=True):
        import_id = imports.catalog_import_start(data, actor=None, filename="南京.xlsx")
    status = imports.catalog_import_status(import_id)
    assert status.status == "succeeded" and status.report is not None
    assert (status.done, status.total, status.percent) == (5, 5, 100)
    assert status.report["summary"] == "共 5 项：新增 0 项，更新 0 项，未变 5 项。"
    assert status.filename == "南京.xlsx"
    # The task is idempotent: running it again changes nothing.
    assert imports.catalog_import_run(import_id).status == "succeeded"


def test_a_failed_background_import_keeps_the_row_errors(
    catalogue, django_capture_on_commit_callbacks
):
    data = edit(
        transfer.catalog_export_xlsx(NANJING),
        lambda sheet: sheet.cell(2, column(sheet, transfer.JSON_HEADER)).__setattr__("value", "[]"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_id = imports.catalog_import_start(data, actor=None)
    status = imports.catalog_import_status(import_id)
    assert status.status == "failed" and status.error is not None
    assert status.error["code"] == "catalog_import_invalid"
    assert status.error["fields"][0]["field"] == "row 2"


def test_an_unknown_import_is_not_found():
    for import_id in ("nonsense", "8d3f0f7e-0000-4000-8000-000000000000"):
        with pytest.raises(DomainError) as exc:
            imports.catalog_import_status(import_id)
        assert exc.value.code == "not_found"


def test_a_guide_longer_than_an_excel_cell_continues_in_the_next_columns():
    demo_org_load()
    base = valid_guide()
    extra = [
        {"code": f"m{i}", "name": f"第{i}号附件材料", "notes": "说明" * 900} for i in range(20)
    ]
    item = seed_catalogue(only=("C2",))["C2"]
    guide_load_published(
        basic_item=item.basic_item,
        department=item.department,
        content={**base, "name": "最低生活保障金给付", "materials": base["materials"] + extra},
    )
    data = transfer.catalog_export_xlsx(NANJING)
    sheet = workbook(data)[transfer.ITEMS_SHEET]
    header = [c.value for c in sheet[1]]
    assert header.count(transfer.JSON_MORE_HEADER) == 1
    assert all(
        len(str(c.value or "")) <= transfer.CELL_LIMIT for row in sheet.iter_rows() for c in row
    )
    assert transfer.catalog_import_xlsx(data, actor=None).unchanged == [item.implementation_code]
