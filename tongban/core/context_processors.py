"""Template context shared by every page: the 适老化 preferences (large text, high
contrast, read-aloud) and
the CSP nonce that an inline ``<script nonce="{{ csp_nonce }}">`` must carry."""

from __future__ import annotations

from django.http import HttpRequest

from tongban.core.middleware.headers import csp_nonce

LARGE_TEXT_COOKIE = "tb_large_text"
# The other elderly-friendly settings (适老化), offered with large text.
HIGH_CONTRAST_COOKIE = "tb_contrast"
READ_ALOUD_COOKIE = "tb_read_aloud"


def display(request: HttpRequest) -> dict[str, object]:
    large_text = request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"
    high_contrast = request.COOKIES.get(HIGH_CONTRAST_COOKIE) == "1"
    read_aloud = request.COOKIES.get(READ_ALOUD_COOKIE) == "1"
    classes = (
        ("large-text", large_text),
        ("high-contrast", high_contrast),
        ("read-aloud", read_aloud),
    )
    return {
        "large_text": large_text,
        "high_contrast": high_contrast,
        "read_aloud": read_aloud,
        # the classes of <html>, so that the first paint is already right
        "display_classes": " ".join(name for name, on in classes if on),
        "csp_nonce": csp_nonce(request),
    }
