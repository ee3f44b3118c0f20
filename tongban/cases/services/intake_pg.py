"""A submission's rows in one statement (PostgreSQL; issue 12, item 2).

The submission's transaction writes the case, its materials, its history, the
SMS to the applicant with its ``notification.created`` outbox rows, the
``case.submit`` outbox rows, each event's delivery task (when the task queue is
this database, ``core.task_queue.task_row``), the audit event and — from the
API — the answer stored under the ``Idempotency-Key``. On PostgreSQL these go
in **one** statement (``core.one_statement.Chain``): the case ``RETURNING`` its
id, every other row an ``INSERT … SELECT`` over it where it needs the id, the
notification's outbox payload over the notification's id, a delivery task's
arguments over its outbox rows' ids. Before, they were eleven statements, each
parsed, planned and executed on its own (docs/performance.md, "the twin is
bound by statement count").

The rows are the unsaved instances the general path (``intake``) makes and
saves through the ORM, which SQLite and any model with a ``post_save``
receiver keep (:func:`at_once`): no receiver is ever skipped. The saved
instances get their keys back, as ``save`` and ``bulk_create`` give them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django_tasks_db.models import DBTaskResult

from tongban.cases.models import Case, CaseEvent, CaseMaterial
from tongban.core import events
from tongban.core.models import AuditEvent, Notification, NotificationStatus, OutboxMessage
from tongban.core.notifications import CREATED_EVENT
from tongban.core.one_statement import Chain, receivers_listen
from tongban.core.task_queue import task_row

# What the one statement writes; a post_save receiver on any sends it the ORM's way.
WRITTEN = (Case, CaseMaterial, CaseEvent, Notification, OutboxMessage, DBTaskResult, AuditEvent)

Answered = Callable[[Case, list[CaseMaterial]], "tuple[str, list[Any]] | None"]


def at_once() -> bool:
    """Whether this database writes a submission in one statement."""
    return connection.vendor == "postgresql" and not receivers_listen(WRITTEN)


def submission_write_at_once(
    case: Case,
    materials: list[CaseMaterial],
    history: list[CaseEvent],
    *,
    notice: Notification | None,
    submitted: list[OutboxMessage],
    audit: AuditEvent,
    answer: tuple[str, list[Any]] | None,
) -> None:
    """Write the rows in one statement (see the module); ``answer``: the
    ``UPDATE`` that stores the submission's answer under its key, or None."""
    chain = Chain()
    chain.insert("c", case)
    for n, material in enumerate(materials):
        chain.insert(f"m{n}", material, source="c", computed={"case": "c.id"})
    for n, event in enumerate(history):
        chain.insert(f"h{n}", event, source="c", computed={"case": "c.id"})
    groups: list[list[str]] = []
    if notice is not None:
        chain.insert("n", notice)
        if notice.status != NotificationStatus.INBOX_ONLY:
            # The payload names the row only: no personal data in the outbox.
            payload = "jsonb_set($value, '{notification_id}', to_jsonb(n.id))"
            created = events.outbox_rows(
                CREATED_EVENT, {"notification_id": 0, "attempt": 1}, now=notice.created_at
            )
            groups.append(
                [
                    chain.insert(f"o{n}", row, source="n", computed={"payload": payload})
                    for n, row in enumerate(created)
                ]
            )
    start = sum(len(g) for g in groups)
    groups.append([chain.insert(f"o{start + n}", row) for n, row in enumerate(submitted)])
    later = [n for n, group in enumerate(groups) if not _delivery(chain, f"t{n}", group)]
    chain.insert("a", audit)
    if answer is not None:
        chain.part("k", *answer)
    selected = [
        "(SELECT id FROM c)",
        _ids(f"m{n}" for n in range(len(materials))),
        _ids(f"h{n}" for n in range(len(history))),
        "(SELECT id FROM n)" if notice is not None else "NULL",
        *(_ids(groups[n]) for n in later),
    ]
    row = chain.run(", ".join(selected))
    case_id, material_ids, history_ids, notice_id = row[:4]
    _saved(case, case_id)
    for material, pk in zip(materials, material_ids, strict=True):
        material.case = case
        _saved(material, pk)
    for event, pk in zip(history, history_ids, strict=True):
        event.case = case
        _saved(event, pk)
    if notice is not None:
        _saved(notice, notice_id)
    for ids in row[4:]:  # the task queue is another database's: after commit
        events.enqueue_delivery(list(ids))


def _delivery(chain: Chain, name: str, outbox: Sequence[str]) -> bool:
    """The delivery task of an event's rows ``outbox`` in the statement; False
    when the task queue is not this database (the task is enqueued after)."""
    if not outbox:
        return True
    task, placeholder = events.delivery_task(len(outbox))
    row = task_row(task, placeholder)
    if row is None:
        return False
    # Part names of this module only: no input.
    if len(outbox) == 1:
        ids = f"to_jsonb((SELECT id FROM {outbox[0]}))"  # noqa: S608
    else:
        union = " UNION ALL ".join(f"SELECT id FROM {part}" for part in outbox)  # noqa: S608
        ids = f"(SELECT jsonb_agg(id ORDER BY id) FROM ({union}) AS ids)"  # noqa: S608
    chain.insert(name, row, computed={"args_kwargs": f"jsonb_set($value, '{{args,0}}', {ids})"})
    return True


def _ids(parts: Any) -> str:
    names = list(parts)
    if not names:
        return "ARRAY[]::bigint[]"
    selects = ", ".join(f"(SELECT id FROM {name})" for name in names)  # noqa: S608  (part names)
    return f"ARRAY[{selects}]"


def _saved(obj: Any, pk: Any) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
