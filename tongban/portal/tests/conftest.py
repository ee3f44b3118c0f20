"""Portal test fixtures. The browser fixtures (``browser``, ``new_page``,
``page``) are shared by every app: ``tests.support.browser``."""

from __future__ import annotations

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE  # noqa: F401
from tests.support.sms import sms  # noqa: F401  (the recording SMS gateway fixture)
