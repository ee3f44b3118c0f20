"""Module-scoped seeding: rows written once for a test module, rolled back at its end.

A module's ``world`` fixture seeds inside one transaction held open for the
whole module; each test then runs in its own savepoint within it (the tests
still ask for ``db``), and the module's rows vanish when the transaction is
rolled back, so no module sees another's seed::

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker):
        with rolled_back(django_db_blocker):
            yield _seed()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction


@contextmanager
def rolled_back(django_db_blocker: Any) -> Iterator[None]:
    """Open database access and a transaction that is always rolled back."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
