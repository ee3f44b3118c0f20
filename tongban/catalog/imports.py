"""Background catalogue imports (R-CT-3): the workbook stored, imported by a task.

One .xlsx and one .json status document per import, in the default storage
(local disk, or S3-compatible storage shared by web and workers). Progress is
kept outside the database on purpose: the rows are loaded in one transaction
(all or nothing, ``transfer.catalog_import_xlsx``), and progress written inside
it would not be visible to the page polling it until the very end.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from tongban.catalog.transfer import catalog_import_xlsx
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError

IMPORT_DIR = "catalog-imports"


@dataclass
class ImportStatus:
    id: str
    status: str  # queued, running, succeeded, failed
    done: int = 0
    total: int = 0
    filename: str = ""
    actor_id: int | None = None
    created_at: str = ""
    finished_at: str = ""
    report: dict[str, Any] | None = None
    error: dict[str, Any] | None = None  # {"code", "detail", "fields"} of a failed import

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed")


def _status_name(import_id: str) -> str:
    return f"{IMPORT_DIR}/{import_id}.json"


def _file_name(import_id: str) -> str:
    return f"{IMPORT_DIR}/{import_id}.xlsx"


def _write(name: str, content: bytes) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(content))


def _save_status(status: ImportStatus) -> None:
    _write(_status_name(status.id), json.dumps(asdict(status), ensure_ascii=False).encode("utf-8"))


def catalog_import_status(import_id: str) -> ImportStatus:
    """The progress or result of a background import; ``not_found`` if unknown."""
    try:
        uuid.UUID(import_id)
    except ValueError:
        raise DomainError(core_errors.NOT_FOUND, "导入任务不存在。") from None
    name = _status_name(import_id)
    if not default_storage.exists(name):
        raise DomainError(core_errors.NOT_FOUND, "导入任务不存在。")
    with default_storage.open(name, "rb") as handle:
        return ImportStatus(**json.loads(handle.read()))


def catalog_import_start(
    data: bytes, *, actor: Any, filename: str = "", now: dt.datetime | None = None
) -> str:
    """Store the workbook and enqueue its import; returns the import id.

    The task is enqueued after the surrounding transaction commits.
    """
    from tongban.catalog.tasks import catalog_import_task

    import_id = str(uuid.uuid4())
    _write(_file_name(import_id), data)
    _save_status(
        ImportStatus(
            id=import_id,
            status="queued",
            filename=filename[:200],
            actor_id=actor.pk if actor is not None else None,
            created_at=(now or clock.now()).isoformat(),
        )
    )
    transaction.on_commit(lambda: catalog_import_task.enqueue(import_id))
    return import_id


def catalog_import_run(import_id: str) -> ImportStatus:
    """Run a stored import (the task's body); records progress and the outcome."""
    from django.contrib.auth import get_user_model

    status = catalog_import_status(import_id)
    if status.finished:
        return status  # a task retried after success does nothing twice
    actor = get_user_model().objects.filter(pk=status.actor_id).first() if status.actor_id else None
    with default_storage.open(_file_name(import_id), "rb") as handle:
        data = handle.read()
    status.status = "running"
    _save_status(status)
    last_write = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last_write
        status.done, status.total = done, total
        if done in (0, total) or time.monotonic() - last_write > 1.0:
            _save_status(status)
            last_write = time.monotonic()

    try:
        report = catalog_import_xlsx(data, actor=actor, progress=progress)
    except DomainError as exc:
        status.status = "failed"
        status.error = {"code": exc.code, "detail": exc.detail, "fields": exc.fields}
    else:
        status.status = "succeeded"
        status.report = report.as_dict()
    status.finished_at = clock.now().isoformat()
    _save_status(status)
    return status
