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
from django.db.models import Model
from django_tasks_db import DatabaseBackend
from django_tasks_db.compat import normalize_json


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


def task_row(task: Any, *args: Any) -> Model | None:
    """The queue row ``task.enqueue(*args)`` would write to this database, not
    yet saved, for a hot path that writes it within one of its own statements
    (``payments`` callbacks); None when the task's backend is not the database
    queue of the caller's database (then :func:`enqueue_with_transaction`).

    Made as the backend makes it (``DatabaseBackend._task_to_db_task``), after
    the same validation; only the ``task_enqueued`` signal, whose one receiver
    logs at debug level, is not sent.
    """
    if not _in_this_database(task):
        return None
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    backend.validate_task(task)
    return DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": args, "kwargs": {}}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after,
        backend_name=backend.alias,
    )
