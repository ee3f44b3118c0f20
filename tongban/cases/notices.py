"""Legal documents of a case (通知书、决定书) as PDFs with a verification QR code.

DESIGN §7: 受理通知书, 不予受理决定书, 补正材料通知书（一次性告知）, 准予 / 不予
行政许可决定书 and 办结通知书 are PDFs rendered with a CJK font and carry a QR
code that opens the public verification page of the document.

- :func:`notice_lines` builds the text of a document first (tests read it);
  :func:`render_notice` lays the same content out on A4 with reportlab.
- :func:`document_issue` numbers, renders, stores and records a document;
  :data:`TRANSITION_DOCUMENTS` / :func:`documents_for_transition` say which
  transition issues which documents.
- :func:`document_verification_get` is the public read of the verification
  page: only what may be shown to whoever holds the document.

The font is the embedded TrueType CJK font of ``core.pdf_fonts`` (the same on
every reader, never one the machine happens to have), as in
``catalog.exports``. The QR code is drawn as vector squares from segno's matrix (crisp at any zoom).
Dates follow GB/T 9704-2012 7.3.5.3: Arabic numerals, the year in full, no
leading zeros (2026年11月2日), in Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from tongban.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    DocumentKind,
    DocumentNumberSequence,
    Outcome,
)
from tongban.core import clock, events, pdf_fonts
from tongban.core.audit import audit_record
from tongban.core.counters import counter_next
from tongban.core.errors import DomainError, define
from tongban.core.masking import mask_name
from tongban.org.models import Department, RegionLevel

# Stable code of this module (the lead may move it to ``cases/errors.py``).
DOCUMENT_NOT_APPLICABLE = define("case_document_not_applicable", 409, "办件当前不能出具该文书")

CJK_FONT = pdf_fonts.CJK_FONT
K = DocumentKind

TITLES: dict[str, str] = {
    K.ACCEPTANCE_NOTICE: "受理通知书",
    K.REFUSAL_DECISION: "不予受理决定书",
    K.SUPPLEMENT_NOTICE: "补正材料通知书",
    K.GRANT_DECISION: "准予行政许可决定书",
    K.DENIAL_DECISION: "不予行政许可决定书",
    K.CONCLUSION_NOTICE: "办结通知书",
}
SUBTITLES: dict[str, str] = {K.SUPPLEMENT_NOTICE: "（一次性告知）"}

# The character of each kind in the document number ("宁市监受字〔2026〕第000123号").
NUMBER_CHARS: dict[str, str] = {
    K.ACCEPTANCE_NOTICE: "受",
    K.REFUSAL_DECISION: "不受",
    K.SUPPLEMENT_NOTICE: "补",
    K.GRANT_DECISION: "准",
    K.DENIAL_DECISION: "不准",
    K.CONCLUSION_NOTICE: "结",
}
SEQUENCE_DIGITS = 6  # fixed width, so the highest number of a series sorts last
ISSUE_ATTEMPTS = 5

VERIFY_FOOTER = "扫描二维码核验文书真伪"
VERIFY_STATEMENT = "此文书由通办平台出具，内容与下列信息一致"

# Which transition issues which documents (the services issue them after the
# transition, in its transaction). ``decide`` and ``handle_immediately``
# depend on the outcome: see :func:`documents_for_transition`.
TRANSITION_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "accept": (K.ACCEPTANCE_NOTICE,),
    # 视为受理 (第三十二条): the applicant is told in writing all the same.
    "deem_accept": (K.ACCEPTANCE_NOTICE,),
    "refuse": (K.REFUSAL_DECISION,),
    "request_supplement": (K.SUPPLEMENT_NOTICE,),
    "decide": (),  # grant_decision or denial_decision by outcome
    "conclude": (K.CONCLUSION_NOTICE,),
    "handle_immediately": (K.CONCLUSION_NOTICE,),  # after the decision by outcome
    # 告知承诺: accepted and granted at once on the applicant's commitment.
    "grant_on_commitment": (K.ACCEPTANCE_NOTICE,),  # then the grant decision
}
DECISION_DOCUMENTS: dict[str, str] = {
    Outcome.GRANTED: K.GRANT_DECISION,
    Outcome.DENIED: K.DENIAL_DECISION,
}

# 行政复议法（2023年修订）第二十条: 六十日; 行政诉讼法 第四十六条: 六个月.
REMEDIES = (
    "如不服本决定，可以自收到本决定书之日起六十日内依照《中华人民共和国行政复议法》"
    "申请行政复议，或者六个月内依照《中华人民共和国行政诉讼法》向人民法院提起行政诉讼。"
)
LICENSING_LAW = "《中华人民共和国行政许可法》"


def documents_for_transition(case: Case, action: str) -> list[str]:
    """The kinds of document that ``action`` issues on ``case`` (after the
    transition, so the outcome is known), in the order they are issued."""
    kinds = list(TRANSITION_DOCUMENTS.get(action, ()))
    if action in {"decide", "handle_immediately"} and case.outcome in DECISION_DOCUMENTS:
        kinds.insert(0, DECISION_DOCUMENTS[case.outcome])
    elif action == "grant_on_commitment":
        kinds.append(DECISION_DOCUMENTS[case.outcome])
    return kinds


# ── Text ────────────────────────────────────────────────────────────────────


def chinese_date(day: dt.date) -> str:
    """GB/T 9704-2012: 2026年11月2日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _limit_text(limit: dict[str, Any]) -> str:
    unit = "个工作日" if limit.get("unit") == "working_days" else "日"
    return f"{limit.get('value', 0)}{unit}"


def issuer_code(department: Department) -> str:
    """机关代字 of the document number.

    A configured 代字 such as "宁市监" is used as it is. Short names that are
    relative to the department's region (the demo's "市市场监管局", "区政务办",
    "市场监管局") would give two cities the same number, so a short name that
    reads as a name (ends in 局, 厅, 委, …) is qualified with the region:
    "南京市市场监管局", "玄武区市场监管局".
    """
    short = (department.short_name or "").strip()
    if not short:
        return department.name
    if not short.endswith(("局", "厅", "委", "办", "院", "联", "公司", "中心")):
        return short
    region = department.region
    name = region.name
    # The demo's relative prefixes by level; a county-level city's "市场监管局"
    # starts with 市 but is not relative, hence county level strips 区/县 only.
    relative: dict[str, str] = {RegionLevel.PROVINCE: "省", RegionLevel.CITY: "市"}
    if short[0] in relative.get(region.level, "区县") and name.endswith(short[0]):
        short = short[1:]
    stem = name[:-1] if len(name) > 2 else name
    return short if stem in short else f"{name}{short}"


def number_series(department: Department, kind: str, year: int) -> str:
    """The number without its sequence: "南京市市场监管局受字〔2026〕第"."""
    return f"{issuer_code(department)}{NUMBER_CHARS[kind]}字〔{year}〕第"


def format_number(series: str, sequence: int) -> str:
    return f"{series}{sequence:0{SEQUENCE_DIGITS}d}号"


def _supplement_items(case: Case) -> list[dict[str, str]]:
    event = (
        CaseEvent.objects.filter(case=case, action="request_supplement")
        .order_by("-at", "-id")
        .first()
    )
    return list(event.details.get("items", [])) if event else []


def _result_name(case: Case) -> str:
    content = case.guide_version.content or {}
    return str(content.get("result_certificate_type") or content.get("result") or "许可证件")


@dataclass
class NoticeContent:
    """Everything a document says, in reading order."""

    title: str
    subtitle: str
    number: str
    addressee: str
    paragraphs: list[str]
    items: list[str] = field(default_factory=list)  # numbered list (补正 items)
    closing: list[str] = field(default_factory=list)  # after the list
    issuer: str = ""
    date: str = ""
    verification_url: str = ""
    case_no: str = ""

    def lines(self) -> list[str]:
        head = [self.title + self.subtitle, self.number, f"{self.addressee}："]
        tail = [self.issuer, self.date, VERIFY_FOOTER, f"办件编号：{self.case_no}"]
        return head + self.paragraphs + self.items + self.closing + tail


def notice_content(
    case: Case, kind: str, *, number: str, verification_url: str, issued_at: dt.datetime
) -> NoticeContent:
    """The text of document ``kind`` on ``case`` (raises if it does not apply)."""
    if kind not in TITLES:
        raise DomainError(DOCUMENT_NOT_APPLICABLE, f"未知的文书类型：{kind}。")
    item = case.service_item.name
    received = chinese_date(case.received_on)
    applied = f"你（单位）于{received}提交的“{item}”申请（办件编号：{case.case_no}）"
    paragraphs: list[str] = []
    items: list[str] = []
    closing: list[str] = []

    def not_applicable(what: str) -> DomainError:
        return DomainError(
            DOCUMENT_NOT_APPLICABLE, f"办件{case.case_no}{what}，不能出具{TITLES[kind]}。"
        )

    if kind == K.ACCEPTANCE_NOTICE:
        if case.accepted_on is None:
            raise not_applicable("尚未受理")
        if case.deemed_accepted:
            # 第三十二条: no decision within five days → accepted on receipt.
            paragraphs.append(
                f"{applied}，本机关未在法定期限内作出是否受理的决定。依照{LICENSING_LAW}"
                f"第三十二条的规定，自收到申请材料之日即{chinese_date(case.accepted_on)}起视为受理。"
            )
        else:
            paragraphs.append(
                f"{applied}，经审查，申请材料齐全、符合法定形式。依照{LICENSING_LAW}"
                f"第三十二条第一款第（五）项的规定，本机关决定予以受理，受理日期为"
                f"{chinese_date(case.accepted_on)}。"
            )
        limit = _limit_text(case.rules.get("promised_limit", {}))
        deadline = (
            f"，本机关将于{chinese_date(case.decision_deadline)}前作出决定"
            if case.decision_deadline
            else ""
        )
        paragraphs.append(
            f"本事项承诺办理时限为{limit}{deadline}。依法需要听证、招标、拍卖、检验、检测、"
            f"检疫、鉴定和专家评审的，所需时间不计算在办理期限内（{LICENSING_LAW}第四十五条）。"
        )
        if case.deferred_due_on:
            paragraphs.append(
                f"本件为容缺受理，请于{chinese_date(case.deferred_due_on)}前补交容缺材料；"
                "容缺材料补齐前，本机关不作出决定。"
            )
        paragraphs.append(
            f"你可以凭办件编号和查询码（{case.tracking_code}）在通办平台查询办理进度，"
            "请妥善保管，勿告知他人。"
        )
    elif kind == K.REFUSAL_DECISION:
        if case.refused_on is None:
            raise not_applicable("未作出不予受理决定")
        basis = case.decision_basis or f"{LICENSING_LAW}第三十二条第一款"
        paragraphs += [
            f"{applied}，经审查，{case.decision_reason.rstrip('。')}。",
            f"依照{basis}的规定，本机关决定不予受理。",
            REMEDIES,
        ]
    elif kind == K.SUPPLEMENT_NOTICE:
        listed = _supplement_items(case) if case.supplement_requested_on else []
        if not listed:
            raise not_applicable("没有补正告知的材料清单")
        paragraphs.append(
            f"{applied}，申请材料不齐全或者不符合法定形式。依照{LICENSING_LAW}"
            "第三十二条第一款第（四）项的规定，现一次性告知你需要补正的全部内容如下："
        )
        items = [
            f"{i}. {entry.get('name', '')}"
            + (f"：{entry['reason']}" if entry.get("reason") else "")
            for i, entry in enumerate(listed, start=1)
        ]
        closing = [
            "请一次性补正上述全部材料。补正的申请材料齐全、符合法定形式的，"
            "自本机关收到全部补正材料之日起视为收到申请材料，办理时限自受理之日起计算。",
        ]
    elif kind in (K.GRANT_DECISION, K.DENIAL_DECISION):
        granted = kind == K.GRANT_DECISION
        if case.outcome != (Outcome.GRANTED if granted else Outcome.DENIED):
            raise not_applicable("未作出" + ("准予" if granted else "不予") + "许可的决定")
        accepted = chinese_date(case.accepted_on) if case.accepted_on else received
        basis = case.decision_basis or LICENSING_LAW
        reason = case.decision_reason.rstrip("。")
        if granted:
            # 第三十八条第一款 (准予), 第三十九条 (证件), 第四十四条 (十日内颁发、送达).
            paragraphs += [
                f"{applied}，本机关于{accepted}受理。经审查，{reason}，"
                "申请人的申请符合法定条件、标准。",
                f"依照{basis}和{LICENSING_LAW}第三十八条第一款的规定，本机关决定准予行政许可。",
                f"本机关将自作出决定之日起十日内向你颁发、送达《{_result_name(case)}》"
                f"（{LICENSING_LAW}第四十四条）。",
            ]
            if case.commitment:
                paragraphs.append(
                    "本决定依据你作出的告知承诺作出。本机关将依法进行核查，"
                    "发现承诺内容与实际情况不符的，将依法撤销本行政许可。"
                )
        else:
            # 第三十八条第二款: reasons and the remedies, in writing.
            paragraphs += [
                f"{applied}，本机关于{accepted}受理。经审查，{reason}。",
                f"依照{basis}和{LICENSING_LAW}第三十八条第二款的规定，本机关决定不予行政许可。",
                REMEDIES,
            ]
    else:  # 办结通知书
        if case.concluded_at is None:
            raise not_applicable("尚未办结")
        concluded = chinese_date(clock.local_date(case.concluded_at))
        outcome = Outcome(case.outcome).label if case.outcome else "已办理"
        paragraphs.append(f"{applied}，已于{concluded}办结，办理结果为：{outcome}。")
        if case.delivery_method:
            how = case.get_delivery_method_display()
            tracking = f"，邮寄单号：{case.tracking_no}" if case.tracking_no else ""
            delivered = chinese_date(case.delivered_on) if case.delivered_on else concluded
            what = f"《{_result_name(case)}》" if case.outcome == Outcome.GRANTED else "决定书"
            paragraphs.append(f"{what}已于{delivered}以{how}方式送达{tracking}。")
        paragraphs.append(
            "如对办理结果或者服务有意见、建议，可以通过通办平台“好差评”或者"
            "12345政务服务便民热线反映。"
        )
    return NoticeContent(
        title=TITLES[kind],
        subtitle=SUBTITLES.get(kind, ""),
        number=number,
        addressee=case.applicant_name,
        paragraphs=paragraphs,
        items=items,
        closing=closing,
        issuer=case.department.name,
        date=chinese_date(clock.local_date(issued_at)),
        verification_url=verification_url,
        case_no=case.case_no,
    )


def notice_lines(
    case: Case, kind: str, *, number: str, verification_url: str, issued_at: dt.datetime
) -> list[str]:
    """The plain-text lines that :func:`render_notice` draws, in order."""
    return notice_content(
        case, kind, number=number, verification_url=verification_url, issued_at=issued_at
    ).lines()


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
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

    content = notice_content(
        case, kind, number=number, verification_url=verification_url, issued_at=issued_at
    )
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

    matrix = qr_matrix(verification_url)
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


def verification_url(code: str, *, base_url: str | None = None) -> str:
    """The absolute address of the public verification page of ``code``."""
    base = (base_url or settings.TONGBAN_PUBLIC_BASE_URL).rstrip("/")
    return base + reverse("portal:verify_document", args=[code])


def _file_stem(case: Case, kind: str) -> str:
    """Names the stored file after the case version, which makes issuing
    idempotent per (case, kind, version) without a column for it."""
    return f"{case.case_no}-{kind}-v{case.version}-"


def _highest_issued(series: str) -> int:
    last = (
        CaseDocument.objects.filter(number__startswith=series)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return int(last[len(series) : len(series) + SEQUENCE_DIGITS]) if last else 0


def _next_number(department: Department, kind: str, year: int) -> str:
    """The series' next number from its counter row (locked until the caller's
    transaction ends). A series without a counter yet starts after the highest
    number already issued in it."""
    series = number_series(department, kind, year)
    last = counter_next(
        DocumentNumberSequence, key={"series": series}, start=lambda: _highest_issued(series) + 1
    )
    return format_number(series, last)


def document_issue(
    *,
    case: Case,
    kind: str,
    actor: Any = None,
    base_url: str | None = None,
    now: dt.datetime | None = None,
) -> CaseDocument:
    """Issue document ``kind`` on ``case``: number, render, store, record.

    Idempotent per (case, kind, case version): issuing the same kind again on
    an unchanged case returns the document already issued.

    Numbering: one series per 机关代字, kind and year (in Asia/Shanghai), counted
    by a ``DocumentNumberSequence`` row in this transaction, so numbers are
    continuous and two cases never draw the same one. The case row is locked
    (so one case never issues the same document twice at once). Should a number
    exist already (a document written outside this service), the unique index
    refuses it and the next number is drawn.
    """
    moment = now or clock.now()
    with transaction.atomic():
        locked = (
            # Only the case row: locking the joined department, item and guide
            # rows too would serialise a department's notices and deadlock with
            # submissions, whose foreign-key checks share-lock those rows.
            Case.objects.select_for_update(of=("self",))
            .select_related("department__region", "service_item", "guide_version")
            .get(pk=case.pk)
        )
        stem = _file_stem(locked, kind)
        existing = CaseDocument.objects.filter(
            case=locked, kind=kind, file__contains=f"/{stem}"
        ).first()
        if existing is not None:
            return existing
        year = clock.local_date(moment).year
        for attempt in range(ISSUE_ATTEMPTS):
            number = _next_number(locked.department, kind, year)
            code = secrets.token_urlsafe(12)  # 16 characters, 96 bits
            url = verification_url(code, base_url=base_url)
            pdf = render_notice(locked, kind, number=number, verification_url=url, issued_at=moment)
            document = CaseDocument(
                case=locked,
                kind=kind,
                number=number,
                sha256=hashlib.sha256(pdf).hexdigest(),
                verification_code=code,
                issued_at=moment,
            )
            # A random part keeps stored names unguessable.
            document.file.save(f"{stem}{secrets.token_hex(4)}.pdf", ContentFile(pdf), save=False)
            try:
                with transaction.atomic():
                    document.save()
                break
            except IntegrityError:
                document.file.delete(save=False)
                if attempt == ISSUE_ATTEMPTS - 1:
                    raise
        label = f"user:{actor.pk}" if getattr(actor, "pk", None) else "system"
        audit_record(
            actor=label,
            action="case.document_issue",
            object_type="case_document",
            object_id=document.number,
            details={
                "case_no": locked.case_no,
                "kind": kind,
                "case_version": locked.version,
                "sha256": document.sha256,
            },
            now=moment,
        )
        events.emit(
            "case.document_issued",
            {"case_no": locked.case_no, "kind": kind, "number": document.number},
            now=moment,
        )
    return document


def documents_issue_for_transition(
    *, case: Case, action: str, actor: Any = None, now: dt.datetime | None = None
) -> list[CaseDocument]:
    """Issue every document that ``action`` issues on ``case`` (the wiring point
    for the transition services)."""
    return [
        document_issue(case=case, kind=kind, actor=actor, now=now)
        for kind in documents_for_transition(case, action)
    ]


# ── Public verification ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class DocumentVerification:
    """What the public verification page shows: no more than the document says,
    with the applicant's name masked."""

    kind_label: str
    number: str
    case_no: str
    item_name: str
    department_name: str
    applicant_masked: str
    issued_on: dt.date
    sha256: str
    statement: str = VERIFY_STATEMENT


def mask_applicant(case: Case) -> str:
    """A person shows the surname only (张*, 欧阳*); a legal entity keeps the
    first two and the last four characters (南京****有限公司)."""
    name = case.applicant_name.strip()
    if case.applicant_entity_id is None:
        return mask_name(name)
    keep_head, keep_tail = (2, 4) if len(name) > 7 else (1, 1)
    if len(name) <= keep_head + keep_tail:
        return name[:1] + "*" * max(1, len(name) - 1)
    return name[:keep_head] + "*" * (len(name) - keep_head - keep_tail) + name[-keep_tail:]


def document_verification_get(*, code: str) -> DocumentVerification | None:
    """The document with verification code ``code``, or None (unknown code)."""
    code = (code or "").strip()
    if not code or len(code) > 32:
        return None
    document = (
        CaseDocument.objects.select_related("case__service_item", "case__department")
        .filter(verification_code=code)
        .first()
    )
    if document is None:
        return None
    case = document.case
    return DocumentVerification(
        kind_label=document.get_kind_display(),
        number=document.number,
        case_no=case.case_no,
        item_name=case.service_item.name,
        department_name=case.department.name,
        applicant_masked=mask_applicant(case),
        issued_on=clock.local_date(document.issued_at),
        sha256=document.sha256,
    )


__all__ = [
    "DECISION_DOCUMENTS",
    "TRANSITION_DOCUMENTS",
    "DocumentVerification",
    "document_issue",
    "document_verification_get",
    "documents_for_transition",
    "documents_issue_for_transition",
    "notice_lines",
    "render_notice",
    "verification_url",
]
