import datetime as dt

import pytest

from tongban.core.models import Backoff, RateCounter
from tongban.core.ratelimit import (
    backoff_delay,
    backoff_fail,
    backoff_reset,
    backoff_wait,
    private_part,
    rate_limit_check,
    rate_limit_hit,
    rate_limit_reset,
    retry_after_clear,
    retry_after_noted,
    seconds_until_reset,
    wait_text,
)

NOW = dt.datetime(2026, 11, 20, 8, 0, 10, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def hit(key="k", now=NOW, limit=3):
    return rate_limit_hit(key=key, limit=limit, window_seconds=60, now=now)


def test_attempts_up_to_the_limit_pass_and_the_next_is_over():
    assert [hit() for _ in range(5)] == [False, False, False, True, True]
    assert RateCounter.objects.get(key="k").count == 5


def test_a_new_window_starts_counting_again_and_drops_the_old_row():
    for _ in range(4):
        hit()
    assert hit(now=NOW + dt.timedelta(seconds=60)) is False
    assert RateCounter.objects.count() == 1


def test_the_window_is_fixed_not_sliding():
    # 08:00:10 and 08:00:59 share the window starting 08:00:00.
    for _ in range(3):
        hit()
    assert hit(now=NOW + dt.timedelta(seconds=49)) is True
    assert seconds_until_reset(NOW, 60) == 50


def test_keys_are_counted_separately():
    for _ in range(4):
        hit(key="a")
    assert hit(key="b") is False


def test_reset_forgets_the_attempts():
    for _ in range(4):
        hit()
    rate_limit_reset("k")
    assert hit() is False


def test_a_very_long_key_is_stored_hashed():
    key = "x" * 500
    for _ in range(4):
        result = hit(key=key)
    assert result is True
    assert RateCounter.objects.get().key.startswith("sm3:")


def test_personal_parts_of_a_key_are_hashed_with_the_search_key():
    part = private_part("320102198503120011")
    assert len(part) == 32 and "3201" not in part
    assert part == private_part("320102198503120011")
    fail(key="login:pair:13800000001|10.0.0.1")
    assert "1380000" not in Backoff.objects.get().key


def test_check_looks_without_counting_and_notes_the_wait():
    retry_after_clear()
    for _ in range(3):
        hit()
    assert rate_limit_check(key="k", limit=4, window_seconds=60, now=NOW) == 0
    assert RateCounter.objects.get().count == 3
    assert rate_limit_check(key="k", limit=3, window_seconds=60, now=NOW) == 50
    assert retry_after_noted() == 50


def test_an_exceeded_limit_notes_the_wait_for_retry_after():
    retry_after_clear()
    for _ in range(4):
        hit()
    assert retry_after_noted() == 50


# --- back-off -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "delay"),
    [(0, 0), (5, 0), (6, 30), (7, 60), (8, 120), (10, 480), (11, 900), (50, 900), (10**6, 900)],
)
def test_the_delay_doubles_after_the_free_failures_up_to_the_cap(failures, delay):
    assert backoff_delay(failures, free=5, base_seconds=30, cap_seconds=900) == delay


def fail(key="acct", now=NOW):
    return backoff_fail(
        key=key, free=2, base_seconds=30, cap_seconds=900, forget_after_seconds=3600, now=now
    )


def test_failures_past_the_free_ones_make_the_key_wait():
    assert [fail(), fail()] == [0, 0]
    assert backoff_wait("acct", now=NOW) == 0
    assert fail() == 30
    assert backoff_wait("acct", now=NOW) == 30
    assert backoff_wait("acct", now=NOW + dt.timedelta(seconds=29)) == 1
    assert backoff_wait("acct", now=NOW + dt.timedelta(seconds=30)) == 0
    assert fail(now=NOW + dt.timedelta(seconds=30)) == 60


def test_a_reset_clears_the_wait_and_other_keys_are_not_touched():
    for _ in range(4):
        fail()
        fail(key="other")
    backoff_reset("acct")
    assert backoff_wait("acct", now=NOW) == 0
    assert backoff_wait("other", now=NOW) > 0
    assert fail() == 0


def test_old_failures_are_forgotten():
    for _ in range(3):
        fail()
    later = NOW + dt.timedelta(seconds=3601)
    assert fail(now=later) == 0
    assert Backoff.objects.get(failures=1).last_failure_at == later


def test_wait_text_in_seconds_or_minutes():
    assert wait_text(30) == "30 秒"
    assert wait_text(60) == "1 分钟"
    assert wait_text(61) == "2 分钟"
    assert wait_text(900) == "15 分钟"
