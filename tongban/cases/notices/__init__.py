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

from tongban.cases.notices.content import (
    DECISION_DOCUMENTS,
    DOCUMENT_NOT_APPLICABLE,
    TITLES,
    TRANSITION_DOCUMENTS,
    VERIFY_FOOTER,
    K,
    NoticeContent,
    chinese_date,
    documents_for_transition,
    format_number,
    issuer_code,
    notice_content,
    notice_lines,
    number_series,
)
from tongban.cases.notices.issue import (
    document_issue,
    document_ready,
    document_render,
    documents_issue_for_transition,
    verification_url,
)
from tongban.cases.notices.render import qr_matrix, render_notice
from tongban.cases.notices.verify import (
    DocumentVerification,
    document_verification_get,
    mask_applicant,
)

__all__ = [
    "DECISION_DOCUMENTS",
    "DOCUMENT_NOT_APPLICABLE",
    "TITLES",
    "TRANSITION_DOCUMENTS",
    "VERIFY_FOOTER",
    "DocumentVerification",
    "K",
    "NoticeContent",
    "chinese_date",
    "document_issue",
    "document_ready",
    "document_render",
    "document_verification_get",
    "documents_for_transition",
    "documents_issue_for_transition",
    "format_number",
    "issuer_code",
    "mask_applicant",
    "notice_content",
    "notice_lines",
    "number_series",
    "qr_matrix",
    "render_notice",
    "verification_url",
]
