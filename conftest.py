"""Shared pytest fixtures."""

from __future__ import annotations

import pytest

from tongban.core import calendar, crypto


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Each test sees the calendar and keys of its own database and settings."""
    calendar.clear_cache()
    crypto.reset_keyring()
