"""Failed sign-ins that lock an email address, and for how long (issue 8, item 17)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.lockout import locked_until

NOW = datetime(2026, 11, 30, 14, 0)
WINDOW = timedelta(minutes=15)


def minutes_ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_fewer_failures_than_the_limit_lock_nothing():
    assert locked_until(minutes_ago(1, 2, 3, 4), NOW, limit=5, window=WINDOW) is None


def test_the_limit_within_the_window_locks_until_the_oldest_counted_one_leaves_it():
    failures = minutes_ago(10, 8, 6, 4, 2)
    assert locked_until(failures, NOW, limit=5, window=WINDOW) == NOW - timedelta(minutes=10) + WINDOW


def test_failures_older_than_the_window_do_not_count():
    assert locked_until(minutes_ago(20, 16, 3, 2, 1), NOW, limit=5, window=WINDOW) is None


def test_a_lock_lasts_at_most_the_window():
    # Even a flood of failures only ever locks until the window has passed over the limit-th latest of them.
    failures = minutes_ago(*[i / 10 for i in range(1, 200)])
    until = locked_until(failures, NOW, limit=5, window=WINDOW)
    assert until is not None and until - NOW <= WINDOW


def test_the_limit_must_be_positive():
    with pytest.raises(ValueError):
        locked_until([], NOW, limit=0, window=WINDOW)
