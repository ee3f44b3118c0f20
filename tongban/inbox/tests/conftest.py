"""Inbox test fixtures."""

from tests.support.sms import sms  # noqa: F401  (the recording SMS gateway fixture)
