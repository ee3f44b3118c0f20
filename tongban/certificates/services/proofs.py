"""Writes of the proof-item list and self-service printing (R-EC-4, R-EC-5).

Printing: the logged-in citizen prints 户籍证明, 社保参保证明, 纳税证明 or 无犯罪
记录证明 as a PDF with a verification QR and the providing department's seal.
What the certification says comes from the base registries; until the
sharing app's registries answer these questions, ``RegistryExtract`` rows
(filled by the demo for the demo accounts) stand in for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from tongban.certificates import errors
from tongban.certificates.holders import Holder, mask_holder_name
from tongban.certificates.models import (
    PrintedCertification,
    PrintKind,
    ProofItem,
    ProofItemUse,
    ProofStatus,
    RegistryExtract,
)
from tongban.certificates.pdf import CJK_FONT, _draw_qr, chinese_date
from tongban.certificates.seal import seal_enabled, seal_pdf
from tongban.certificates.services._common import actor_label
from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.org.models import Department

PRINT_VALID_DAYS = 90  # a printed certification is accepted for three months


def proof_item_upsert(
    *,
    code: str,
    name: str,
    legal_basis: str,
    requesting_unit: str,
    issuing_unit: str,
    status: str = ProofStatus.RETAINED,
    guide: str = "",
    replacement: str = "",
    printable_kind: str = "",
    basic_item_codes: list[tuple[str, str]] | None = None,
    decided_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> tuple[ProofItem, bool]:
    moment = now or clock.now()
    if status not in ProofStatus.values:
        raise DomainError(errors.PROOF_ITEM_NOT_FOUND, f"清理结果 {status} 无效。")
    if status != ProofStatus.RETAINED and not replacement.strip():
        raise DomainError(errors.PROOF_ITEM_NOT_FOUND, "已取消或已替代的证明须写明替代方式。")
    values = {
        "name": name,
        "legal_basis": legal_basis,
        "requesting_unit": requesting_unit,
        "issuing_unit": issuing_unit,
        "status": status,
        "guide": guide,
        "replacement": replacement,
        "printable_kind": printable_kind,
        "decided_on": decided_on,
        "updated_at": moment,
    }
    with transaction.atomic():
        item, created = ProofItem.objects.update_or_create(
            code=code, defaults=values, create_defaults={**values, "created_at": moment}
        )
        for item_code, item_name in basic_item_codes or []:
            ProofItemUse.objects.get_or_create(
                proof_item=item, basic_item_code=item_code, defaults={"basic_item_name": item_name}
            )
    return item, created


def registry_extract_put(
    *,
    holder_key: str,
    kind: str,
    facts: dict[str, str],
    source_department: str,
    now: dt.datetime | None = None,
) -> RegistryExtract:
    extract, _ = RegistryExtract.objects.update_or_create(
        holder_key=holder_key,
        kind=kind,
        defaults={
            "facts": facts,
            "source_department": source_department,
            "updated_at": now or clock.now(),
        },
    )
    return extract


TEXTS: dict[str, str] = {
    PrintKind.HOUSEHOLD: "兹证明{name}（公民身份号码{code}）户籍登记信息如下：",
    PrintKind.SOCIAL_INSURANCE: (
        "兹证明{name}（公民身份号码{code}）在本机构参加社会保险，参保缴费情况如下："
    ),
    PrintKind.TAX: "兹证明{name}（纳税人识别号{code}）依法纳税，完税情况如下：",
    PrintKind.NO_CRIMINAL_RECORD: (
        "经查询全国违法犯罪人员信息资源库，{name}（公民身份号码{code}）没有犯罪记录。"
    ),
}


def _render(
    kind: str,
    *,
    number: str,
    holder: Holder,
    facts: dict[str, str],
    source: str,
    issued_on: dt.date,
    valid_until: dt.date,
    url: str,
) -> bytes:
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    title = ParagraphStyle("t", fontName=CJK_FONT, fontSize=24, leading=34, alignment=TA_CENTER)
    body = ParagraphStyle(
        "b", fontName=CJK_FONT, fontSize=13, leading=24, wordWrap="CJK", firstLineIndent=26
    )
    right = ParagraphStyle("r", parent=body, alignment=TA_RIGHT, firstLineIndent=0)

    def p(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text), style)

    def footer(canvas: Any, doc: Any) -> None:
        _draw_qr(canvas, url, doc.leftMargin, 18 * mm, 30 * mm)
        canvas.setFont(CJK_FONT, 9)
        canvas.drawString(doc.leftMargin + 33 * mm, 30 * mm, f"证明编号：{number}")
        canvas.drawString(
            doc.leftMargin + 33 * mm, 25 * mm, f"有效期至{chinese_date(valid_until)}，扫码核验真伪"
        )

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=30 * mm,
        bottomMargin=60 * mm,
        title=f"{PrintKind(kind).label} {number}",
        creator="通办",
    )
    story: list[Any] = [
        p(PrintKind(kind).label, title),
        Spacer(1, 10 * mm),
        p(TEXTS[kind].format(name=holder.name, code=holder.code_masked), body),
    ]
    story += [p(f"{label}：{value}", body) for label, value in facts.items()]
    story += [
        p("特此证明。", body),
        Spacer(1, 16 * mm),
        p(source, right),
        p(chinese_date(issued_on), right),
    ]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def certification_print(
    *, kind: str, holder: Holder, actor: Any, now: dt.datetime | None = None
) -> PrintedCertification:
    """自助打印: the certification of ``kind`` for the holder, from the registry."""
    moment = now or clock.now()
    if kind not in PrintKind.values:
        raise DomainError(errors.PRINT_NOT_AVAILABLE, "不支持自助打印该证明。")
    extract = RegistryExtract.objects.filter(holder_key=holder.key, kind=kind).first()
    if extract is None:
        raise DomainError(
            errors.PRINT_NOT_AVAILABLE,
            f"基础库中没有您的{PrintKind(kind).label}信息，请到{_where(kind)}办理。",
        )
    code = secrets.token_urlsafe(12)
    base = str(settings.TONGBAN_PUBLIC_BASE_URL).rstrip("/")
    url = base + reverse("portal:certification_verify", args=[code])
    today = clock.local_date(moment)
    valid_until = today + dt.timedelta(days=PRINT_VALID_DAYS)
    number = f"ZM{today:%Y%m%d}{secrets.token_hex(4).upper()}"
    pdf = _render(
        kind,
        number=number,
        holder=holder,
        facts=dict(extract.facts),
        source=extract.source_department,
        issued_on=today,
        valid_until=valid_until,
        url=url,
    )
    department = Department.objects.filter(name=extract.source_department).first()
    with transaction.atomic():
        if department is not None and seal_enabled():
            pdf = seal_pdf(pdf, department=department, reason=PrintKind(kind).label, now=moment)
        printed = PrintedCertification(
            kind=kind,
            number=number,
            verification_code=code,
            holder_key=holder.key,
            holder_masked=mask_holder_name(holder.kind, holder.name),
            content_public={
                "证明类型": PrintKind(kind).label,
                "出具部门": extract.source_department,
            },
            source_department=extract.source_department,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            issued_at=moment,
            valid_until=valid_until,
        )
        printed.pdf.save(f"{number}.pdf", ContentFile(pdf), save=False)
        printed.save()
        audit_record(
            actor=actor_label(actor),
            action="certificates.print",
            object_type="printed_certification",
            object_id=number,
            details={"kind": kind},
            now=moment,
        )
    return printed


def _where(kind: str) -> str:
    where: dict[str, str] = {
        PrintKind.HOUSEHOLD: "户籍所在地派出所",
        PrintKind.SOCIAL_INSURANCE: "参保地社会保险经办机构",
        PrintKind.TAX: "主管税务机关",
        PrintKind.NO_CRIMINAL_RECORD: "户籍地或居住地派出所",
    }
    return where[kind]


def printed_verification_get(*, code: str) -> PrintedCertification | None:
    code = (code or "").strip()
    if not code or len(code) > 32:
        return None
    return PrintedCertification.objects.filter(verification_code=code).first()
