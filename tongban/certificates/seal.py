"""The department's electronic seal (电子印章, R-EC-1): the seal drawn on the
page and a PAdES signature over the whole document (ADR-0007).

:func:`seal_pdf` is the one entry point, for certificates here and for the
decision notices of ``cases``: it adds a signature field whose appearance is
the seal (a red circle with the department's name and a star, as 《国务院
关于国家行政机关和企业事业单位社会团体印章管理的规定》 describes a 机关
seal) and signs the file with the department's seal key (ECDSA P-256 with a
certificate naming the department; PDF readers verify neither SM2 nor an
unknown algorithm, see the ADR). A reader then shows the document as signed
and unaltered since; :func:`seal_check` reports the same for the
verification page.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import tempfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from tongban.certificates.keys import private_key, signing_key_active
from tongban.certificates.models import KeyUse, SigningKey
from tongban.core import clock
from tongban.org.models import Department

CJK_FONT = "STSong-Light"
SEAL_RED = (0.85, 0.1, 0.1)
SEAL_SIZE = 120  # points (about 42 mm): a 机关 seal is 42–45 mm across
FIELD_NAME = "DepartmentSeal"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def draw_seal(canvas: Any, cx: float, cy: float, radius: float, name: str) -> None:
    """Draw the seal of ``name`` centred at (cx, cy) on a reportlab canvas."""
    _register_font()
    canvas.saveState()
    canvas.setStrokeColorRGB(*SEAL_RED)
    canvas.setFillColorRGB(*SEAL_RED)
    canvas.setLineWidth(radius * 0.06)
    canvas.circle(cx, cy, radius * 0.94, stroke=1, fill=0)
    # Five-pointed star in the centre.
    outer, inner = radius * 0.3, radius * 0.12
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    path = canvas.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
    # The name along the upper arc, from left to right (clockwise).
    chars = list(name[:20])
    font_size = radius * (0.26 if len(chars) <= 12 else 0.2)
    span = math.radians(min(250, 20 * len(chars)))
    start = math.pi / 2 + span / 2
    step = span / max(1, len(chars) - 1) if len(chars) > 1 else 0
    text_radius = radius * 0.7
    canvas.setFont(CJK_FONT, font_size)
    for i, char in enumerate(chars):
        angle = start - i * step
        canvas.saveState()
        canvas.translate(cx + text_radius * math.cos(angle), cy + text_radius * math.sin(angle))
        canvas.rotate(math.degrees(angle) - 90)
        canvas.drawCentredString(0, -font_size * 0.35, char)
        canvas.restoreState()
    canvas.setFont(CJK_FONT, radius * 0.16)
    canvas.drawCentredString(cx, cy - radius * 0.55, "电子印章")
    canvas.restoreState()


def seal_image_pdf(name: str, size: float = SEAL_SIZE) -> bytes:
    """A one-page PDF holding only the seal (the signature's appearance)."""
    from reportlab.pdfgen import canvas as pdf_canvas

    out = io.BytesIO()
    page = pdf_canvas.Canvas(out, pagesize=(size, size))
    draw_seal(page, size / 2, size / 2, size / 2, name)
    page.showPage()
    page.save()
    return out.getvalue()


def _signer(key: SigningKey) -> Any:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = _der_of(key.certificate_pem)
    certificate = asn1_x509.Certificate.load(der)
    return signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=asn1_keys.PrivateKeyInfo.load(private_key(key)),
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
    )


def seal_pdf(
    pdf_bytes: bytes,
    *,
    department: Department,
    box: tuple[float, float, float, float] | None = None,
    page: int = -1,
    reason: str = "",
    now: dt.datetime | None = None,
) -> bytes:
    """``pdf_bytes`` with the department's seal on page ``page`` (last by
    default) in ``box`` (x1, y1, x2, y2 in points from the lower left; by
    default the lower right of the page above a 42 mm footer) and a PAdES
    signature over the whole file. Runs in the caller's transaction (the seal
    key is created on first use)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    moment = now or clock.now()
    key = signing_key_active(department=department, use=KeyUse.PDF_SEAL, now=moment)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    pages = int(writer.root["/Pages"]["/Count"])
    page_ix = page % pages
    if box is None:
        media = writer.root["/Pages"]["/Kids"][page_ix].get_object().get("/MediaBox")
        width = float(media[2]) if media is not None else 595.0
        box = (width - 70 - SEAL_SIZE, 140.0, width - 70, 140.0 + SEAL_SIZE)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or "电子印章",
        location=department.name,
        name=department.name,
    )
    with tempfile.NamedTemporaryFile(suffix=".pdf") as stamp_file:
        stamp_file.write(seal_image_pdf(department.name))
        stamp_file.flush()
        style = StaticStampStyle.from_pdf_file(stamp_file.name, border_width=0)
        pdf_signer = signers.PdfSigner(
            meta,
            signer=_signer(key),
            stamp_style=style,
            new_field_spec=fields.SigFieldSpec(
                FIELD_NAME,
                on_page=page_ix,
                box=tuple(round(v) for v in box),  # type: ignore[arg-type]  # 4 ints
            ),
        )
        output = pdf_signer.sign_pdf(writer, in_place=False)
        return bytes(output.getvalue())


@dataclass(frozen=True)
class SealCheck:
    signed: bool
    intact: bool
    signer: str
    key_id: str
    covers_whole_file: bool


def seal_check(pdf_bytes: bytes) -> SealCheck:
    """Whether a PDF carries a department seal of this platform that covers the
    whole file and was not altered since (verification page, tests)."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001  (any unreadable file is "not sealed")
        return SealCheck(False, False, "", "", False)
    if not signatures:
        return SealCheck(False, False, "", "", False)
    embedded = signatures[-1]
    der = embedded.signer_cert.dump()
    key = next(
        (
            k
            for k in SigningKey.objects.filter(use=KeyUse.PDF_SEAL)
            if _der_of(k.certificate_pem) == der
        ),
        None,
    )
    if key is None:
        return SealCheck(True, False, embedded.signer_cert.subject.human_friendly, "", False)
    root = asn1_x509.Certificate.load(der)
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[root]))
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    return SealCheck(
        True, bool(status.intact and status.valid), key.department.name, key.key_id, whole
    )


def _der_of(pem: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    if not pem:
        return b""
    return x509.load_pem_x509_certificate(pem.encode("ascii")).public_bytes(
        serialization.Encoding.DER
    )


def seal_enabled() -> bool:
    return bool(getattr(settings, "TONGBAN_CERTIFICATE_SEAL_PDF", True))
