"""The electronic receipt (财政电子票据 style) of a paid order, and its check.

Issued by the task worker right after the transaction that records the
payment commits (``tasks.payments_receipt_issue``, enqueued with that
transaction: the callback path does no receipt work). Its number and a check
code (校验码: the first ten hex digits of an HMAC-SM3 over the number, the
payment code, the amount and the payee, under ``TONGBAN_PAYMENTS_RECEIPT_SECRET``)
are printed on the PDF and in its QR code; the public verification page
(portal ``/payments/receipts/<number>/?c=<code>``) answers only when both
match, and shows whether the payment was refunded since. The PDF embeds the
platform's CJK font (core.pdf_fonts) and draws the QR code as the
certificates do (``certificates.pdf._draw_qr``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import IntegrityError, transaction

from tongban.core import clock, pdf_fonts
from tongban.core.crypto import hmac_sm3_hex, sm3_hex
from tongban.core.errors import DomainError
from tongban.payments import errors, fees
from tongban.payments.models import PaymentOrder, Receipt


def _secret() -> bytes:
    value = settings.TONGBAN_PAYMENTS_RECEIPT_SECRET or f"receipt:{settings.SECRET_KEY}"
    return value.encode()


def check_code_of(*, number: str, order: PaymentOrder) -> str:
    message = f"{number}|{order.payment_code}|{order.paid_fen}|{order.department_id}"
    return hmac_sm3_hex(_secret(), message.encode())[:10].upper()


def face_of(order: PaymentOrder) -> dict[str, Any]:
    return {
        "payer": order.payer_name,
        "payee": order.department.name,
        "payment_code": order.payment_code,
        "lines": [
            {"name": ln["name"], "basis": ln.get("basis", ""), "amount_fen": ln["amount_fen"]}
            for ln in order.lines
        ],
        "paid_fen": order.paid_fen,
        # In UTC: the same moment reads back from the database in UTC.
        "paid_at": order.paid_at.astimezone(dt.UTC).isoformat() if order.paid_at else "",
    }


def receipt_issue(*, order: PaymentOrder, now: dt.datetime) -> Receipt:
    """开具电子票据 for the (just) paid order; once per order."""
    existing = Receipt.objects.filter(order=order).first()
    if existing is not None:
        return existing
    year = clock.local_date(now).year
    number = f"{year:04d}{order.pk:010d}"[-14:] + f"{secrets.randbelow(100):02d}"
    face = json.dumps(face_of(order), ensure_ascii=False, sort_keys=True)
    return Receipt.objects.create(
        order=order,
        number=number,
        check_code=check_code_of(number=number, order=order),
        issued_at=now,
        digest=sm3_hex(face.encode()),
    )


def receipt_issue_for(*, order_id: int, now: dt.datetime) -> Receipt | None:
    """The worker's half: the receipt of the paid order ``order_id``, once (a
    retried or parallel task returns the receipt already issued)."""
    order = PaymentOrder.objects.select_related("department").filter(pk=order_id).first()
    if order is None or order.paid_at is None:
        return None
    try:
        with transaction.atomic():
            return receipt_issue(order=order, now=now)
    except IntegrityError:  # a parallel task issued it first
        return Receipt.objects.get(order_id=order_id)


def receipt_verify(*, number: str, check_code: str) -> Receipt:
    """The receipt whose number and check code match; the same refusal otherwise."""
    receipt = (
        Receipt.objects.select_related("order__department").filter(number=number.strip()).first()
    )
    if receipt is None or not secrets.compare_digest(
        receipt.check_code, check_code.strip().upper()
    ):
        raise DomainError(errors.RECEIPT_NOT_FOUND, "未查到该电子票据，或校验码不符。")
    expected = check_code_of(number=receipt.number, order=receipt.order)
    face = json.dumps(face_of(receipt.order), ensure_ascii=False, sort_keys=True)
    if expected != receipt.check_code or sm3_hex(face.encode()) != receipt.digest:
        raise DomainError(errors.RECEIPT_NOT_FOUND, "电子票据与缴款记录不符，请联系开票单位。")
    return receipt


def verification_url(receipt: Receipt) -> str:
    base = str(settings.TONGBAN_PUBLIC_BASE_URL).rstrip("/")
    return f"{base}/payments/receipts/{receipt.number}/?c={receipt.check_code}"


def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as a one-page PDF (A5 landscape) with its verification QR."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A5, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from tongban.certificates.pdf import _draw_qr  # one QR drawing for every PDF

    font = pdf_fonts.cjk_font()
    order = receipt.order
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=TA_CENTER)
    cell = ParagraphStyle("c", fontName=font, fontSize=9, leading=13, wordWrap="CJK")

    def p(text: str) -> Paragraph:
        return Paragraph(escape(text), cell)

    paid_at = order.paid_at.astimezone(clock.SHANGHAI) if order.paid_at else None
    rows = [
        [p("票据号码"), p(receipt.number), p("校验码"), p(receipt.check_code)],
        [
            p("交款人"),
            p(order.payer_name),
            p("开票日期"),
            p(f"{paid_at:%Y-%m-%d}" if paid_at else ""),
        ],
        [p("缴款码"), p(order.payment_code), p("收款单位"), p(order.department.name)],
        [p("项目名称"), p("收费依据"), p("金额（元）"), p("")],
    ]
    for line in order.lines:
        rows.append(
            [
                p(line["name"]),
                p(line.get("basis", "")),
                p(fees.yuan(line["amount_fen"])),
                p(line.get("waiver", "")),
            ]
        )
    rows.append([p("合计"), p(""), p(fees.yuan(order.paid_fen)), p("")])
    table = Table(rows, colWidths=[28 * mm, 80 * mm, 30 * mm, 40 * mm])
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.4, "#8a1c1c"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        )
    )
    size = landscape(A5)

    def decorate(canvas: Any, doc: Any) -> None:
        _draw_qr(canvas, verification_url(receipt), size[0] - 42 * mm, size[1] - 40 * mm, 28 * mm)
        canvas.setFont(font, 7)
        canvas.drawString(doc.leftMargin, 8 * mm, f"票面摘要（SM3）：{receipt.digest}")
        canvas.drawString(
            doc.leftMargin, 12 * mm, "扫描二维码或在“票据查验”输入票据号码和校验码核验真伪。"
        )

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=size, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
        bottomMargin=18 * mm, title=f"电子票据 {receipt.number}", author=order.department.name,
        subject="非税收入统一缴款电子票据", creator="通办",
    )  # fmt: skip
    story: list[Any] = [
        Paragraph("非税收入统一缴款电子票据", title),
        Paragraph(
            escape("（财政电子票据样式，仅供演示核验）"),
            ParagraphStyle("s", parent=cell, alignment=TA_CENTER),
        ),
        Spacer(1, 14 * mm),
        table,
    ]
    doc.build(story, onFirstPage=decorate)
    return out.getvalue()
