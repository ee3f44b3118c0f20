"""A recording SMS gateway for tests: sign-up codes are read from what was "sent"."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

GATEWAY_PATH = "tests.support.sms.RecordingSmsGateway"


class RecordingSmsGateway:
    name = "recording-sms"
    sent: list[dict[str, str]] = []

    def send(self, *, recipient: str, subject: str, body: str) -> str:
        RecordingSmsGateway.sent.append({"recipient": recipient, "body": body})
        return f"rec-{len(RecordingSmsGateway.sent)}"


def last_code(phone: str | None = None) -> str:
    """The six-digit code of the last text (to ``phone``, if given)."""
    for message in reversed(RecordingSmsGateway.sent):
        if phone is None or message["recipient"] == phone:
            found = re.search(r"\b(\d{6})\b", message["body"])
            assert found, message["body"]
            return found.group(1)
    raise AssertionError(f"no text sent to {phone}")


@pytest.fixture
def sms(settings) -> Iterator[type[RecordingSmsGateway]]:
    """Texts go to :class:`RecordingSmsGateway` (cleared before and after)."""
    settings.TONGBAN_SMS_GATEWAY = GATEWAY_PATH
    RecordingSmsGateway.sent = []
    yield RecordingSmsGateway
    RecordingSmsGateway.sent = []
