"""The CJK font that every PDF of the platform embeds (DESIGN §7).

Notices (通知书、决定书) and catalogue lists must look the same on every reader,
so they embed their font rather than name one that the reader may or may not
have. ReportLab embeds TrueType outlines only (not the CFF outlines of most
OpenType CJK fonts), so the font is Noto Sans SC in its TrueType build, from
the npm registry with its licence (SIL OFL 1.1, ``LICENSE_FONT`` beside it),
installed by ``make install`` at ``TONGBAN_PDF_FONT``. Nothing of the machine
is looked up: without the file, a PDF is refused with how to install it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CJK_FONT = "TongbanCJK"
_lock = threading.Lock()


def cjk_font() -> str:
    """The registered name of the embedded CJK font, registered on first use."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if CJK_FONT in pdfmetrics.getRegisteredFontNames():
        return CJK_FONT
    path = Path(settings.TONGBAN_PDF_FONT)
    if not path.is_file():
        raise ImproperlyConfigured(
            f"PDF font not found at {path}: run `make install` (it installs the font "
            "package listed in package.json), or set TONGBAN_PDF_FONT to a TrueType CJK font."
        )
    with _lock:
        if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(CJK_FONT, str(path)))
    return CJK_FONT
