"""Background tasks of the catalogue, run by ``db_worker`` (django-tasks-db)."""

from __future__ import annotations

from django_tasks import task

from tongban.catalog import imports


@task()
def catalog_import_task(import_id: str) -> str:
    """Import a stored catalogue workbook (``imports.catalog_import_start``).

    Idempotent: a finished import is not run again. Returns the outcome.
    """
    return imports.catalog_import_run(import_id).status
