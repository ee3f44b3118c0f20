"""Fixtures of the policy tests."""

from tests.support.sms import sms  # noqa: F401  (the recording SMS gateway fixture)
