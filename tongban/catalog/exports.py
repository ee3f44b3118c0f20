"""Downloads of the published lists: Excel (openpyxl) and PDF (reportlab).

Both carry the list's title, the region, the date of the list, a table whose
columns wrap long text, and page numbers when printed. The PDF embeds the
TrueType CJK font of ``core.pdf_fonts``, so it looks the same on every reader.

Entry point: :func:`list_export` (slug, region, format) → :class:`ExportFile`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape

from tongban.catalog.lists import (
    Column,
    ListDefinition,
    ListRow,
    group_rows,
    list_definition_get,
    list_items,
    rows_of,
)
from tongban.core import clock, pdf_fonts
from tongban.org.models import Region
from tongban.org.selectors import region_get

ExportFormat = Literal["xlsx", "pdf"]
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
CJK_FONT = pdf_fonts.CJK_FONT
NUMBER = Column("number", "序号", 5)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str  # Chinese; send it with ``Content-Disposition: attachment; filename*=``
    content_type: str


@dataclass(frozen=True)
class ListDocument:
    """What both formats print: the list, its region and date, and the rows."""

    definition: ListDefinition
    region_name: str
    date: dt.date
    rows: list[ListRow]

    @property
    def title(self) -> str:
        return f"{self.region_name}{self.definition.title}"

    @property
    def subtitle(self) -> str:
        return (
            f"区划：{self.region_name}　　日期：{self.date:%Y年%m月%d日}　　共 {len(self.rows)} 项"
        )


def list_document(slug: str, region: Region | str, *, date: dt.date | None = None) -> ListDocument:
    definition = list_definition_get(slug)
    the_region = region if isinstance(region, Region) else region_get(region)
    rows = rows_of(list_items(slug, the_region), definition)
    return ListDocument(
        definition=definition,
        region_name=the_region.full_name or the_region.name,
        date=date or clock.today(),
        rows=rows,
    )


def export_filename(document: ListDocument, fmt: ExportFormat) -> str:
    return f"{document.title}_{document.date:%Y%m%d}.{fmt}"


def list_export(
    slug: str, region: Region | str, fmt: ExportFormat, *, date: dt.date | None = None
) -> ExportFile:
    """The list ``slug`` of ``region`` as an .xlsx or .pdf download."""
    document = list_document(slug, region, date=date)
    content = list_xlsx(document) if fmt == "xlsx" else list_pdf(document)
    return ExportFile(content, export_filename(document, fmt), CONTENT_TYPES[fmt])


def _columns(document: ListDocument) -> list[Column]:
    return [NUMBER, *document.definition.columns]


# ── Excel ───────────────────────────────────────────────────────────────────


def write_cell(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write ``value`` as data, never as a formula: a guide text that starts
    with "=" must not run in the reader's spreadsheet (formula injection)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def list_xlsx(document: ListDocument) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    columns = _columns(document)
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = document.definition.title[:31].replace("“", "").replace("”", "")
    last = get_column_letter(len(columns))
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")

    title = write_cell(sheet, 1, 1, document.title)
    title.font = Font(size=16, bold=True)
    title.alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    write_cell(sheet, 2, 1, document.subtitle)
    sheet.merge_cells(f"A2:{last}2")
    header_row = 3
    for i, column in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=i, value=column.label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = border
        sheet.column_dimensions[get_column_letter(i)].width = column.width + 2
    row_number = header_row
    number = 0
    for group in group_rows(document.rows):
        if group.title:
            row_number += 1
            write_cell(sheet, row_number, 1, group.title).font = Font(bold=True)
            sheet.merge_cells(f"A{row_number}:{last}{row_number}")
        for row in group.rows:
            row_number += 1
            number += 1
            for i, column in enumerate(columns, start=1):
                value: Any = number if column is NUMBER else row.cell(column.key)
                cell = write_cell(sheet, row_number, i, value)
                cell.alignment = wrap
                cell.border = border
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    workbook.properties.title = document.title
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ── PDF ─────────────────────────────────────────────────────────────────────


def _register_font() -> None:
    pdf_fonts.cjk_font()


def _paragraph_text(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _numbered_canvas_class() -> Any:
    """A canvas that writes "第 x 页，共 n 页" once the page count is known."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's method name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(CJK_FONT, 8)
                width = self._pagesize[0]
                self.drawCentredString(width / 2, 18, f"第 {self._pageNumber} 页，共 {total} 页")
                super().showPage()
            super().save()

    return NumberedCanvas


def list_pdf(document: ListDocument) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    title_style = ParagraphStyle("title", fontName=CJK_FONT, fontSize=16, leading=22, alignment=1)
    sub_style = ParagraphStyle("sub", fontName=CJK_FONT, fontSize=9, leading=13, alignment=1)
    # wordWrap="CJK" breaks lines between any two Chinese characters.
    cell_style = ParagraphStyle("cell", fontName=CJK_FONT, fontSize=7.5, leading=10, wordWrap="CJK")
    head_style = ParagraphStyle("head", parent=cell_style, alignment=1)
    group_style = ParagraphStyle("group", parent=cell_style, fontSize=9, leading=12)

    out = io.BytesIO()
    pagesize = landscape(A4)
    margin = 12 * mm
    doc = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=15 * mm,
        title=document.title,
        author="通办",
        subject=document.definition.description,
    )
    columns = _columns(document)
    total = sum(c.width for c in columns)
    available = pagesize[0] - 2 * margin
    widths = [available * c.width / total for c in columns]

    data: list[list[Any]] = [[Paragraph(_paragraph_text(c.label), head_style) for c in columns]]
    spans: list[tuple[Any, ...]] = []
    number = 0
    for group in group_rows(document.rows):
        if group.title:
            spans.append(("SPAN", (0, len(data)), (-1, len(data))))
            spans.append(
                ("BACKGROUND", (0, len(data)), (-1, len(data)), colors.HexColor("#F2F2F2"))
            )
            data.append(
                [Paragraph(_paragraph_text(group.title), group_style)] + [""] * (len(columns) - 1)
            )
        for row in group.rows:
            number += 1
            data.append(
                [
                    Paragraph(
                        str(number) if c is NUMBER else _paragraph_text(row.cell(c.key)),
                        cell_style,
                    )
                    for c in columns
                ]
            )
    if not document.rows:
        spans.append(("SPAN", (0, 1), (-1, 1)))
        data.append([Paragraph("本清单暂无事项。", cell_style)] + [""] * (len(columns) - 1))
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE6F0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                *spans,
            ]
        )
    )
    story = [
        Paragraph(_paragraph_text(document.title), title_style),
        Paragraph(_paragraph_text(document.subtitle), sub_style),
        Spacer(1, 4 * mm),
        table,
    ]
    doc.build(story, canvasmaker=_numbered_canvas_class())
    return out.getvalue()
