"""Constants and helpers shared by the identity services."""

from __future__ import annotations

import datetime as dt
import re

from tongban.core.masking import mask_id_number, mask_phone

TOKEN_CONTEXT = "identity.api_token"  # noqa: S105  (an HMAC context label, not a secret)
TOKEN_PREFIX = "tb_"  # noqa: S105  (the public marker of our tokens)
TOKEN_SHOWN_CHARS = 8
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)

_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{2,149}$")
_NAME_MAX = 50

# What a phone number or an ID number looks like, however written: such a
# string is personal data and is never a username (issue 9, item 4) nor
# written to the audit chain in clear.
_PHONE_LIKE = re.compile(r"^(?:\+?86[- ]?)?1\d{10}$")
_ID_LIKE = re.compile(r"^(?:\d{15}|\d{17}[\dXx])$")


def looks_like_phone(value: str) -> bool:
    return bool(_PHONE_LIKE.match(value.strip()))


def looks_personal(value: str) -> bool:
    """A phone or ID number (or something shaped like one)."""
    value = value.strip()
    return bool(_PHONE_LIKE.match(value) or _ID_LIKE.match(value))


def safe_for_audit(value: str) -> str:
    """``value`` for an audit row: masked when it is shaped like personal data."""
    value = value.strip()
    if _PHONE_LIKE.match(value):
        return mask_phone(value[-11:])
    if _ID_LIKE.match(value):
        return mask_id_number(value)
    return value
