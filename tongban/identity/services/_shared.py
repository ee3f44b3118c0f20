"""Constants and helpers shared by the identity services."""

from __future__ import annotations

import datetime as dt
import re

TOKEN_CONTEXT = "identity.api_token"  # noqa: S105  (an HMAC context label, not a secret)
TOKEN_PREFIX = "tb_"  # noqa: S105  (the public marker of our tokens)
TOKEN_SHOWN_CHARS = 8
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)

_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{2,149}$")
_NAME_MAX = 50
