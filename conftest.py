"""Shared pytest fixtures."""

from __future__ import annotations

import pytest

from tongban.core import calendar, crypto


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Each test sees the calendar, keys and guides of its own database and settings."""
    from tongban.cases.services import intake

    calendar.clear_cache()
    crypto.reset_keyring()
    intake.clear_guide_cache()  # primary keys are reused after a rolled-back test
