"""The app's throttles: the login throttle, and the store and client address every throttle of
the inbox uses (`helpdesk.throttle`: Redis when the install has it, memory otherwise).

Login: after 5 failures in 15 minutes, that (client address, username) pair is refused for 15
minutes, counted across every web process when they share Redis. It slows password guessing at
one account from one address.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Litestar, Request

from helpdesk.runtime import Runtime
from helpdesk.throttle import (
    MemoryStore,
    Network,
    RedisStore,
    ThrottleStore,
    client_address,
    parse_proxies,
)

STATE_KEY = "inbox_throttles"
MAX_USERNAME = 200


class LoginThrottle:
    def __init__(
        self,
        store: ThrottleStore,
        limit: int = 5,
        window: float = 15 * 60,
        lockout: float = 15 * 60,
    ) -> None:
        self.store, self.limit, self.window, self.lockout = store, limit, window, lockout

    @staticmethod
    def key(client: str, username: str) -> str:
        return f"{client}|{username.strip().lower()[:MAX_USERNAME]}"

    async def locked_for(self, key: str) -> float:
        """Seconds this pair must still wait; 0 when it may try."""
        return await self.store.locked_for("login-locked:" + key)

    async def failed(self, key: str) -> None:
        if await self.store.add("login-failed:" + key, self.window) >= self.limit:
            await self.store.lock("login-locked:" + key, self.lockout)
            await self.store.forget("login-failed:" + key)

    async def succeeded(self, key: str) -> None:
        await self.store.forget("login-failed:" + key, "login-locked:" + key)


@dataclass(frozen=True)
class Throttles:
    """What every throttle of the app counts with, and against whom."""

    store: ThrottleStore
    proxies: tuple[Network, ...]

    def client(self, request: Request) -> str:
        """The client's address (through the trusted proxies, if any)."""
        peer = request.client.host if request.client else None
        headers = request.headers
        return client_address(
            peer,
            headers.getall("x-forwarded-for", []),
            self.proxies,
            headers.getall("forwarded", []),
        )

    @property
    def login(self) -> LoginThrottle:
        return LoginThrottle(self.store)


def make_throttles(rt: Runtime) -> Throttles:
    """Redis when the install has it (the job queue's connection, under the queue's name, so
    installs and test runs sharing a Redis count apart), else this process's memory."""
    from helpdesk.jobs.worker import ArqQueue

    proxies = parse_proxies(rt.settings.trusted_proxies)
    queue = rt.queue
    if rt.settings.redis_url and isinstance(queue, ArqQueue):
        return Throttles(RedisStore(queue.pool, f"{queue.queue_name}:throttle:"), proxies)
    return Throttles(MemoryStore(), proxies)


def throttles_of(app: Litestar) -> Throttles:
    """The app's throttles, made on first use (nothing is configured at import time)."""
    throttles = app.state.get(STATE_KEY)
    if throttles is None:
        throttles = app.state[STATE_KEY] = make_throttles(app.state.runtime)
    return throttles
