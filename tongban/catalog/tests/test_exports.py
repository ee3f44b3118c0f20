"""List downloads: Excel and PDF, through the functions and the API."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from tongban.catalog import exports, lists
from tongban.catalog.tests.lists_seed import seed_catalogue
from tongban.org.demo import demo_org_load

pytestmark = pytest.mark.django_db
XUANWU = "320102"
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def catalogue():
    demo_org_load()
    return seed_catalogue()


def pdf_title(data: bytes) -> str:
    """The /Title of a reportlab PDF: a literal string of UTF-16BE with octal escapes."""
    match = re.search(rb"/Title \((.*?)(?<!\\)\)", data, re.DOTALL)
    assert match, "no /Title in the PDF"
    raw = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), match.group(1))
    raw = re.sub(rb"\\(.)", rb"\1", raw)
    return raw.decode("utf-16")


def test_the_xlsx_has_the_title_region_date_header_and_every_row(catalogue):
    file = exports.list_export("power", XUANWU, "xlsx", date=DAY)
    assert file.filename == "江苏省南京市玄武区权力清单_20260302.xlsx"
    assert file.content_type.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(file.content)).active
    assert sheet["A1"].value == "江苏省南京市玄武区权力清单"
    assert "江苏省南京市玄武区" in sheet["A2"].value and "2026年03月02日" in sheet["A2"].value
    header = [c.value for c in sheet[3]]
    assert header == ["序号", *(c.label for c in lists.LISTS["power"].columns)]
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    expected = lists.list_rows("power", XUANWU)
    assert [r[1] for r in body] == [r.implementation_code for r in expected]
    assert [r[0] for r in body] == [1, 2, 3, 4, 5]
    assert sheet.cell(row=4, column=2).alignment.wrap_text
    assert sheet.print_title_rows == "$3:$3"
    assert "&P" in sheet.oddFooter.center.text


def test_the_xlsx_of_a_grouped_list_has_group_rows(catalogue):
    file = exports.list_export("licence-separation", XUANWU, "xlsx", date=DAY)
    sheet = load_workbook(io.BytesIO(file.content)).active
    first_cells = [row[0].value for row in sheet.iter_rows(min_row=4)]
    assert first_cells == ["审批改为备案", 1, "优化审批服务", 2]


def test_a_guide_text_starting_with_an_equals_sign_is_written_as_text():
    from openpyxl import Workbook

    sheet = Workbook().active
    cell = exports.write_cell(sheet, 1, 1, '=HYPERLINK("http://x","点我")')
    assert cell.data_type == "s"


def test_the_pdf_is_a_pdf_with_the_title_and_page_numbers(catalogue):
    file = exports.list_export("responsibility", XUANWU, "pdf", date=DAY)
    assert file.content.startswith(b"%PDF")
    assert file.filename == "江苏省南京市玄武区责任清单_20260302.pdf"
    assert pdf_title(file.content) == "江苏省南京市玄武区责任清单"
    assert file.content.count(b"/Type /Page\n") + file.content.count(b"/Type /Page ") >= 1


def test_an_empty_list_still_makes_a_pdf(catalogue):
    file = exports.list_export("fees", "360000", "pdf", date=DAY)
    assert file.content.startswith(b"%PDF")


def test_the_api_downloads_a_list_with_a_chinese_file_name(client, catalogue):
    response = client.get("/api/v1/catalog/lists/power/export", {"region": XUANWU, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"power-320102.pdf\"; filename*=UTF-8''")
    assert unquote(disposition.split("''", 1)[1]).startswith("江苏省南京市玄武区权力清单_")
    assert response.content.startswith(b"%PDF")

    xlsx = client.get("/api/v1/catalog/lists/power/export", {"region": XUANWU})
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).active["A1"].value.endswith("权力清单")


@pytest.mark.parametrize(
    ("slug", "params", "status", "code"),
    [
        ("power", {"region": XUANWU, "format": "docx"}, 422, "validation_failed"),
        ("nonsense", {"region": XUANWU}, 404, "not_found"),
        ("power", {"region": "999999"}, 404, "region_not_found"),
    ],
)
def test_the_api_refuses_a_bad_format_list_or_region(client, slug, params, status, code):
    demo_org_load()
    response = client.get(f"/api/v1/catalog/lists/{slug}/export", params)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_the_pdf_embeds_its_truetype_cjk_font(catalogue):
    """The same on every reader (issue 20, item 8): the font travels in the file."""
    file = exports.list_export("responsibility", XUANWU, "pdf", date=DAY)
    assert b"/FontFile2" in file.content  # embedded TrueType outlines
    assert re.search(rb"/BaseFont /[A-Z]{6}\+NotoSansSC-Regular", file.content)
    assert b"/STSong-Light" not in file.content
