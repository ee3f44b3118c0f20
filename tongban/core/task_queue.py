"""Enqueueing a task as part of the caller's transaction (issue 12, item 2).

The database task backend (django-tasks-db) keeps a task as a row of this
database, which its worker reads only once committed. Written in the
transaction that writes what the task will work on, the task row commits with
those rows — the worker can never see one without the other, and a rollback
drops both — and it costs no commit of its own: before this, a submission
enqueued its outbox deliveries after commit, in two more transactions, each
waiting for its own WAL flush.

Any other backend gets the task after commit, as before: the immediate backend
of the tests runs a task at once, before the rows it reads would be committed.
"""

from __future__ import annotations

from typing import Any

from django.db import router, transaction
from django_tasks_db import DatabaseBackend


def _in_this_database(task: Any) -> bool:
    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    from django_tasks_db.models import DBTaskResult

    return router.db_for_write(DBTaskResult) == transaction.get_connection().alias


def enqueue_with_transaction(task: Any, *args: Any) -> None:
    """Enqueue ``task(*args)`` with the caller's transaction (see the module)."""
    if _in_this_database(task):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
