"""The PDF font is the project's own, never the machine's (issue 20, item 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tongban.core import pdf_fonts


def test_the_font_is_a_truetype_font_installed_with_its_licence():
    path = Path(settings.TONGBAN_PDF_FONT)
    assert path.read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType outlines, not CFF ("OTTO")
    assert "SIL Open Font License" in (path.parent.parent / "LICENSE_FONT").read_text()


def test_a_missing_font_is_an_error_that_says_how_to_install_it(monkeypatch, tmp_path):
    from reportlab.pdfbase import pdfmetrics

    monkeypatch.setattr(pdf_fonts, "CJK_FONT", "TongbanCJK-missing-test")
    missing = override_settings(TONGBAN_PDF_FONT=str(tmp_path / "nothing.ttf"))
    with missing, pytest.raises(ImproperlyConfigured, match="make install"):
        pdf_fonts.cjk_font()
    assert "TongbanCJK-missing-test" not in pdfmetrics.getRegisteredFontNames()
