import datetime as dt

import pytest

from tongban.core.models import RateCounter
from tongban.core.ratelimit import rate_limit_hit, rate_limit_reset, seconds_until_reset

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
    assert RateCounter.objects.filter(key="k").count() == 1


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
