"""The per-process login throttle, on a fake clock."""

from __future__ import annotations

from inbox.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_within_the_window_lock_the_pair_for_the_lockout():
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    key = throttle.key("10.0.0.1", " Admin_Brebes ")
    assert key == ("10.0.0.1", "admin_brebes")
    for _ in range(4):
        throttle.failed(key)
        assert throttle.locked_for(key) == 0
    throttle.failed(key)
    assert throttle.locked_for(key) == 15 * 60
    clock.now += 15 * 60
    assert throttle.locked_for(key) == 0


def test_failures_older_than_the_window_are_forgotten():
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    key = throttle.key("10.0.0.1", "a")
    for _ in range(4):
        throttle.failed(key)
    clock.now += 15 * 60 + 1
    throttle.failed(key)
    assert throttle.locked_for(key) == 0


def test_a_success_clears_the_count_and_other_pairs_are_separate():
    throttle = LoginThrottle(clock=Clock())
    key, other = throttle.key("10.0.0.1", "a"), throttle.key("10.0.0.2", "a")
    for _ in range(4):
        throttle.failed(key)
    throttle.succeeded(key)
    throttle.failed(key)
    assert throttle.locked_for(key) == 0
    for _ in range(5):
        throttle.failed(other)
    assert throttle.locked_for(other) > 0 and throttle.locked_for(key) == 0


def test_memory_stays_bounded():
    clock = Clock()
    throttle = LoginThrottle(clock=clock, max_keys=10)
    for n in range(100):
        throttle.failed(throttle.key(f"10.0.0.{n}", "a"))
    assert len(throttle._entries) <= 10
