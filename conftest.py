"""Shared pytest fixtures."""

from __future__ import annotations

import pytest

from tongban.core import audit_seal, calendar, crypto

# Chromium through Playwright, one browser per session for every app's tests.
pytest_plugins = ["tests.support.browser"]


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Each test sees the calendar, keys and guides of its own database and settings."""
    from tongban.bundles.services import _common as bundle_common
    from tongban.cases.services import intake
    from tongban.catalog.api import items as catalog_items

    calendar.clear_cache()
    crypto.reset_keyring()
    audit_seal.reset_audit_keys()
    intake.clear_guide_cache()  # primary keys are reused after a rolled-back test
    bundle_common.clear_guide_cache()
    catalog_items.clear_guide_cache()


@pytest.fixture(autouse=True)
def _own_audit_witness(settings, tmp_path_factory) -> None:
    """Each test's audit checkpoints are witnessed in a file of its own."""
    settings.TONGBAN_AUDIT_WITNESS_FILE = tmp_path_factory.mktemp("audit") / "witness.jsonl"


@pytest.fixture
def frozen_clock(monkeypatch):
    """``core.clock`` stands still at Mon 2 Nov 2026, 10:00 in Shanghai (the start
    of a 10-minute window), so waits such as ``Retry-After`` are exact."""
    import datetime as dt

    from tongban.core import clock

    moment = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment
