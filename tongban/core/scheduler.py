"""The scheduler process: enqueues periodic jobs, one scheduler at a time.

Two guards keep two schedulers from double-running a job: a database lease
(only its holder enqueues) and a unique ``ScheduledRun(job, slot)`` row per
time slot (if two ever overlapped, the second insert fails and it skips).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from tongban.core import clock
from tongban.core.models import Lease, ScheduledRun

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_SECONDS = 30


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    task_path: str  # dotted path of a django-tasks Task


_jobs: dict[str, Job] = {}


def register(name: str, *, every_seconds: int, task_path: str) -> None:
    """Register a periodic job (apps call this in ``AppConfig.ready``)."""
    _jobs[name] = Job(name, every_seconds, task_path)


def jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda j: j.name)


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_acquire(*, name: str, holder: str, seconds: int, now: dt.datetime | None = None) -> bool:
    """Take or renew the lease ``name`` for ``holder``; False if another holds it."""
    moment = now or clock.now()
    expires = moment + dt.timedelta(seconds=seconds)
    try:
        with transaction.atomic():
            lease = Lease.objects.select_for_update().filter(name=name).first()
            if lease is None:
                Lease.objects.create(name=name, holder=holder, expires_at=expires)
                return True
            if lease.holder != holder and lease.expires_at > moment:
                return False
            lease.holder = holder
            lease.expires_at = expires
            lease.save(update_fields=["holder", "expires_at"])
            return True
    except IntegrityError:
        return False


def lease_release(*, name: str, holder: str) -> None:
    Lease.objects.filter(name=name, holder=holder).delete()


def slot_of(job: Job, moment: dt.datetime) -> dt.datetime:
    epoch = int(moment.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % job.every_seconds, tz=dt.UTC)


def run_due_jobs(*, holder: str, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job whose current slot has not run; needs the lease."""
    from django.utils.module_loading import import_string

    moment = now or clock.now()
    if not lease_acquire(name=LEASE_NAME, holder=holder, seconds=LEASE_SECONDS, now=moment):
        return []
    started = []
    for job in jobs():
        slot = slot_of(job, moment)
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=slot, enqueued_at=moment)
                task: Any = import_string(job.task_path)
                task.enqueue()
        except IntegrityError:
            continue
        started.append(job.name)
    return started


def run_forever(stop: threading.Event, *, tick_seconds: float = 2.0) -> None:
    holder = holder_id()
    logger.info("scheduler %s started with jobs %s", holder, [j.name for j in jobs()])
    try:
        while not stop.is_set():
            try:
                for name in run_due_jobs(holder=holder):
                    logger.info("enqueued %s", name)
            except Exception:
                logger.exception("scheduler tick failed")
            stop.wait(tick_seconds)
    finally:
        lease_release(name=LEASE_NAME, holder=holder)
