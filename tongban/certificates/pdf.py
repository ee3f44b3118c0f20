"""The certificate as a PDF: the face, the signed QR code and the seal.

Laid out on A4 with reportlab's CID font ``STSong-Light`` (as cases.notices:
readers supply the font, none is shipped); the QR code is drawn as vector
squares from segno's matrix; the department's seal is applied by
``seal.seal_pdf`` over the issuer's name, with a PAdES signature.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import segno

CJK_FONT = "STSong-Light"
SEAL_BOX_FROM_RIGHT = 70.0  # points from the right edge to the seal's right side
SEAL_BOTTOM = 150.0


@dataclass(frozen=True)
class CertificateSheet:
    """Everything the PDF shows, in reading order."""

    title: str
    identifier: str
    number: str
    holder_label: str
    holder_name: str
    holder_code: str
    rows: list[tuple[str, str]]
    validity: str
    issuer: str
    issued_on: dt.date
    qr_text: str
    version: int


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _draw_qr(canvas: Any, text: str, x: float, y: float, size: float) -> None:
    matrix = segno.make(text, error="m", micro=False).matrix
    count = len(matrix)
    module = size / (count + 8)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        top = y + size - (r + 5) * module
        c = 0
        while c < count:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < count and row[c]:
                c += 1
            canvas.rect(
                x + (start + 4) * module, top, (c - start) * module, module, stroke=0, fill=1
            )
    canvas.restoreState()


def render_certificate(sheet: CertificateSheet) -> bytes:
    """The unsealed PDF of ``sheet`` (one A4 page, more if the face is long)."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    title = ParagraphStyle("t", fontName=CJK_FONT, fontSize=28, leading=38, alignment=TA_CENTER)
    small = ParagraphStyle("s", fontName=CJK_FONT, fontSize=9, leading=13, alignment=TA_CENTER)
    cell = ParagraphStyle("c", fontName=CJK_FONT, fontSize=12, leading=18, wordWrap="CJK")
    label = ParagraphStyle("l", parent=cell, textColor="#444444")

    def p(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text), style)

    rows = [
        (sheet.holder_label, sheet.holder_name),
        ("证件号码" if sheet.holder_label == "持证人" else "统一社会信用代码", sheet.holder_code),
        *sheet.rows,
        ("有效期限", sheet.validity),
    ]
    if sheet.number:
        rows.insert(0, ("证照编号", sheet.number))
    table = Table(
        [[p(a, label), p(b, cell)] for a, b in rows], colWidths=[42 * mm, 118 * mm], hAlign="CENTER"
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, "#999999"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), "#f3f3f3"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    page_width, _ = A4
    qr_size = 34 * mm

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setStrokeColorRGB(0.55, 0.1, 0.1)
        canvas.setLineWidth(2)
        canvas.rect(12 * mm, 12 * mm, page_width - 24 * mm, A4[1] - 24 * mm)
        _draw_qr(canvas, sheet.qr_text, doc.leftMargin, 24 * mm, qr_size)
        canvas.setFont(CJK_FONT, 9)
        canvas.drawString(doc.leftMargin, 20 * mm, "扫描二维码核验证照真伪与状态")
        canvas.setFont(CJK_FONT, 13)
        right = page_width - SEAL_BOX_FROM_RIGHT - 10
        canvas.drawRightString(right, SEAL_BOTTOM + 70, f"颁发机关：{sheet.issuer}")
        canvas.drawRightString(
            right, SEAL_BOTTOM + 48, f"签发日期：{chinese_date(sheet.issued_on)}"
        )
        canvas.setFont(CJK_FONT, 8)
        canvas.drawString(doc.leftMargin, 15.5 * mm, f"证照标识：{sheet.identifier}")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=28 * mm,
        bottomMargin=95 * mm,
        title=f"{sheet.title} {sheet.identifier}",
        author=sheet.issuer,
        subject="电子证照",
        creator="通办",
    )
    story: list[Any] = [
        p("中华人民共和国", small),
        p(sheet.title, title),
        p(f"（电子证照，第 {sheet.version} 版）", small),
        Spacer(1, 10 * mm),
        table,
    ]
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


def seal_box(page_width: float) -> tuple[float, float, float, float]:
    from tongban.certificates.seal import SEAL_SIZE

    right = page_width - SEAL_BOX_FROM_RIGHT
    return (right - SEAL_SIZE, SEAL_BOTTOM, right, SEAL_BOTTOM + SEAL_SIZE)
