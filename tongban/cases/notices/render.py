"""A document's text laid out on A4 with its verification QR code (reportlab)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape

import segno

from tongban.cases.models import (
    Case,
)
from tongban.cases.notices.content import (
    CJK_FONT,
    VERIFY_FOOTER,
    NoticeContent,
    notice_content,
)
from tongban.core import pdf_fonts

# ── PDF ─────────────────────────────────────────────────────────────────────


def _register_font() -> None:
    pdf_fonts.cjk_font()


def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The modules of the QR code for ``url`` (error correction M), dark = True,
    without the quiet zone (the drawing leaves it white)."""
    code = segno.make(url, error="m", micro=False)
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)


def _draw_qr(
    canvas: Any, matrix: tuple[tuple[bool, ...], ...], x: float, y: float, size: float
) -> None:
    """Draw ``matrix`` as black squares in the ``size`` square at (x, y) (lower
    left), one rectangle per horizontal run of dark modules."""
    count = len(matrix)
    module = size / (count + 8)  # a four-module quiet zone each side
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        top = y + size - (r + 4 + 1) * module
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


def render_notice(
    case: Case, kind: str, *, number: str, verification_url: str, issued_at: dt.datetime
) -> bytes:
    """Document ``kind`` on ``case`` as an A4 PDF with the verification QR code
    in the footer of every page."""
    return render_content(
        notice_content(
            case, kind, number=number, verification_url=verification_url, issued_at=issued_at
        )
    )


def render_content(content: NoticeContent) -> bytes:
    """A document's text (fixed when it was issued) as an A4 PDF with the
    verification QR code in the footer of every page."""
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

    _register_font()
    body_size = 14
    issuer_style = ParagraphStyle(
        "issuer", fontName=CJK_FONT, fontSize=18, leading=26, alignment=TA_CENTER
    )
    title_style = ParagraphStyle(
        "title", fontName=CJK_FONT, fontSize=24, leading=32, alignment=TA_CENTER
    )
    subtitle_style = ParagraphStyle(
        "subtitle", fontName=CJK_FONT, fontSize=14, leading=20, alignment=TA_CENTER
    )
    number_style = ParagraphStyle(
        "number", fontName=CJK_FONT, fontSize=12, leading=18, alignment=TA_CENTER
    )
    # wordWrap="CJK" breaks lines between any two Chinese characters.
    body_style = ParagraphStyle(
        "body", fontName=CJK_FONT, fontSize=body_size, leading=26, wordWrap="CJK", spaceAfter=4
    )
    indented = ParagraphStyle("indented", parent=body_style, firstLineIndent=2 * body_size)
    item_style = ParagraphStyle("item", parent=body_style, leftIndent=2 * body_size)
    sign_style = ParagraphStyle("sign", parent=body_style, alignment=TA_RIGHT, rightIndent=8 * mm)

    def p(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text), style)

    matrix = qr_matrix(content.verification_url)
    qr_size = 24 * mm
    page_width, _ = A4

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        x = page_width - doc.rightMargin - qr_size
        y = 10 * mm
        _draw_qr(canvas, matrix, x, y, qr_size)
        canvas.setFont(CJK_FONT, 9)
        canvas.drawRightString(x - 3 * mm, y + qr_size - 8 * mm, VERIFY_FOOTER)
        canvas.drawRightString(x - 3 * mm, y + qr_size - 13 * mm, f"文书编号：{content.number}")
        canvas.drawRightString(x - 3 * mm, y + qr_size - 18 * mm, f"办件编号：{content.case_no}")
        canvas.drawString(doc.leftMargin, y, f"第 {doc.page} 页")
        canvas.setLineWidth(0.4)
        canvas.line(
            doc.leftMargin, y + qr_size + 2 * mm, page_width - doc.rightMargin, y + qr_size + 2 * mm
        )
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=26 * mm,
        rightMargin=24 * mm,
        topMargin=25 * mm,
        bottomMargin=42 * mm,  # room for the QR footer
        title=f"{content.title} {content.number}",
        author=content.issuer,
        subject=f"办件 {content.case_no}",
        creator="通办",
    )
    story: list[Any] = [
        p(content.issuer, issuer_style),
        p(content.title, title_style),
    ]
    if content.subtitle:
        story.append(p(content.subtitle, subtitle_style))
    story += [
        p(content.number, number_style),
        Spacer(1, 8 * mm),
        p(f"{content.addressee}：", body_style),
        *[p(text, indented) for text in content.paragraphs],
        *[p(text, item_style) for text in content.items],
        *[p(text, indented) for text in content.closing],
        Spacer(1, 12 * mm),
        KeepTogether([p(content.issuer, sign_style), p(content.date, sign_style)]),
    ]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


# ── Issuing ─────────────────────────────────────────────────────────────────
