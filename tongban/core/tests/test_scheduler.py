"""The scheduler: one lease holder at a time, one run per job per time slot."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks import task

from tongban.core import scheduler
from tongban.core.models import Lease, ScheduledRun

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 8, 1, 0, 5, tzinfo=dt.UTC)
runs: list[str] = []


@task()
def counted_job() -> None:
    runs.append("ran")


@pytest.fixture
def test_job(monkeypatch):
    runs.clear()
    job = scheduler.Job("test_counted", 60, f"{__name__}.counted_job")
    monkeypatch.setitem(scheduler._jobs, job.name, job)
    yield job
    runs.clear()


def test_a_second_holder_is_refused_while_the_lease_is_live():
    assert scheduler.lease_acquire(name="s", holder="a", seconds=30, now=T0)

    assert not scheduler.lease_acquire(
        name="s", holder="b", seconds=30, now=T0 + dt.timedelta(seconds=29)
    )
    assert Lease.objects.get(name="s").holder == "a"


def test_the_holder_renews_its_own_lease():
    scheduler.lease_acquire(name="s", holder="a", seconds=30, now=T0)

    assert scheduler.lease_acquire(
        name="s", holder="a", seconds=30, now=T0 + dt.timedelta(seconds=20)
    )
    assert Lease.objects.get(name="s").expires_at == T0 + dt.timedelta(seconds=50)
    # Renewed, so b is still refused after the first expiry.
    assert not scheduler.lease_acquire(
        name="s", holder="b", seconds=30, now=T0 + dt.timedelta(seconds=40)
    )


def test_an_expired_lease_is_granted_to_another_holder():
    scheduler.lease_acquire(name="s", holder="a", seconds=30, now=T0)

    assert scheduler.lease_acquire(
        name="s", holder="b", seconds=30, now=T0 + dt.timedelta(seconds=31)
    )
    assert Lease.objects.get(name="s").holder == "b"
    assert not scheduler.lease_acquire(
        name="s", holder="a", seconds=30, now=T0 + dt.timedelta(seconds=32)
    )


def test_a_released_lease_is_free_at_once():
    scheduler.lease_acquire(name="s", holder="a", seconds=30, now=T0)
    scheduler.lease_release(name="s", holder="b")  # not b's to release
    assert Lease.objects.filter(name="s").exists()

    scheduler.lease_release(name="s", holder="a")

    assert scheduler.lease_acquire(name="s", holder="b", seconds=30, now=T0)


def test_running_due_jobs_twice_in_one_slot_runs_the_job_once(test_job):
    first = scheduler.run_due_jobs(holder="a", now=T0)
    second = scheduler.run_due_jobs(holder="a", now=T0 + dt.timedelta(seconds=30))

    assert "test_counted" in first
    assert "test_counted" not in second
    assert runs == ["ran"]
    assert ScheduledRun.objects.filter(job="test_counted").count() == 1


def test_the_next_slot_runs_the_job_again(test_job):
    scheduler.run_due_jobs(holder="a", now=T0)

    started = scheduler.run_due_jobs(holder="a", now=T0 + dt.timedelta(seconds=60))

    assert "test_counted" in started
    assert runs == ["ran", "ran"]
    slots = ScheduledRun.objects.filter(job="test_counted").order_by("slot")
    assert [s.slot for s in slots] == [
        dt.datetime(2026, 10, 8, 1, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 8, 1, 1, tzinfo=dt.UTC),
    ]


def test_a_scheduler_without_the_lease_runs_nothing(test_job):
    scheduler.lease_acquire(name=scheduler.LEASE_NAME, holder="a", seconds=30, now=T0)

    assert scheduler.run_due_jobs(holder="b", now=T0 + dt.timedelta(seconds=1)) == []
    assert runs == []
    assert not ScheduledRun.objects.exists()


def test_a_second_scheduler_in_the_same_slot_after_takeover_does_not_double_run(test_job):
    scheduler.run_due_jobs(holder="a", now=T0)

    # a dies; b takes over after the lease expires, still within the same minute slot.
    started = scheduler.run_due_jobs(holder="b", now=T0 + dt.timedelta(seconds=40))

    assert "test_counted" not in started
    assert runs == ["ran"]
