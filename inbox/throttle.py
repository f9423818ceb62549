"""A small login throttle: after 5 failures in 15 minutes, refuse that pair for 15 minutes.

Keyed by (client IP, username) and kept in this process's memory only: with several web
processes each counts on its own, and a restart forgets. It slows password guessing at one
account from one address; it is not the shared rate limiter (a later issue, in Redis).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from litestar import Litestar

STATE_KEY = "inbox_login_throttle"


@dataclass
class _Entry:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class LoginThrottle:
    def __init__(
        self,
        limit: int = 5,
        window: float = 15 * 60,
        lockout: float = 15 * 60,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.lockout, self.max_keys = limit, window, lockout, max_keys
        self.clock = clock
        self._entries: dict[tuple[str, str], _Entry] = {}

    @staticmethod
    def key(client_ip: str | None, username: str) -> tuple[str, str]:
        return (client_ip or "?", username.strip().lower()[:200])

    def locked_for(self, key: tuple[str, str]) -> float:
        """Seconds this pair must still wait; 0 when it may try."""
        entry = self._entries.get(key)
        if entry is None:
            return 0.0
        return max(0.0, entry.locked_until - self.clock())

    def failed(self, key: tuple[str, str]) -> None:
        now = self.clock()
        entry = self._entries.get(key)
        if entry is None:
            self._make_room(now)
            entry = self._entries[key] = _Entry()
        while entry.failures and entry.failures[0] <= now - self.window:
            entry.failures.popleft()
        entry.failures.append(now)
        if len(entry.failures) >= self.limit:
            entry.locked_until = now + self.lockout
            entry.failures.clear()

    def succeeded(self, key: tuple[str, str]) -> None:
        self._entries.pop(key, None)

    def _make_room(self, now: float) -> None:
        if len(self._entries) < self.max_keys:
            return
        for key, entry in list(self._entries.items()):
            stale = not entry.failures or entry.failures[-1] <= now - self.window
            if stale and entry.locked_until <= now:
                del self._entries[key]
        while len(self._entries) >= self.max_keys:  # still full: forget the oldest
            del self._entries[next(iter(self._entries))]


def throttle_of(app: Litestar) -> LoginThrottle:
    """The app's throttle, made on first use (nothing is configured at import time)."""
    throttle = app.state.get(STATE_KEY)
    if throttle is None:
        throttle = app.state[STATE_KEY] = LoginThrottle()
    return throttle
