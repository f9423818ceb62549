"""The login throttle (on a fake clock), and the app's throttles as web processes see them: one
count across two app instances sharing Redis, one per process in embedded mode, and the client
address believed from trusted proxies only."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from helpdesk.app import create_app
from helpdesk.runtime import Runtime
from helpdesk.throttle import MemoryStore, RedisStore
from inbox.throttle import LoginThrottle, throttles_of
from tests.conftest import PASSWORD, REDIS_URL
from tests.inbox.conftest import post_form

SecondApp = Callable[..., Awaitable[httpx.AsyncClient]]


async def login(
    client: httpx.AsyncClient,
    username: str,
    password: str = PASSWORD,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    fields = {"username": username, "password": password, "next": "/"}
    return await post_form(client, "/login", fields, headers=headers or {})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_five_failures_within_the_window_lock_the_pair_for_the_lockout():
    clock = Clock()
    throttle = LoginThrottle(MemoryStore(clock=clock))
    key = throttle.key("10.0.0.1", " Admin_Brebes ")
    assert key == throttle.key("10.0.0.1", "admin_brebes")
    for _ in range(4):
        await throttle.failed(key)
        assert await throttle.locked_for(key) == 0
    await throttle.failed(key)
    assert await throttle.locked_for(key) == 15 * 60
    clock.now += 15 * 60
    assert await throttle.locked_for(key) == 0


async def test_failures_older_than_the_window_are_forgotten():
    clock = Clock()
    throttle = LoginThrottle(MemoryStore(clock=clock))
    key = throttle.key("10.0.0.1", "a")
    for _ in range(4):
        await throttle.failed(key)
    clock.now += 15 * 60 + 1
    await throttle.failed(key)
    assert await throttle.locked_for(key) == 0


async def test_a_success_clears_the_count_and_other_pairs_are_separate():
    throttle = LoginThrottle(MemoryStore(clock=Clock()))
    key, other = throttle.key("10.0.0.1", "a"), throttle.key("10.0.0.2", "a")
    for _ in range(4):
        await throttle.failed(key)
    await throttle.succeeded(key)
    await throttle.failed(key)
    assert await throttle.locked_for(key) == 0
    for _ in range(5):
        await throttle.failed(other)
    assert await throttle.locked_for(other) > 0 and await throttle.locked_for(key) == 0


@pytest.fixture
async def second_app(settings, rt) -> AsyncIterator[SecondApp]:  # type: ignore[no-untyped-def]
    """`await second_app(**settings_changes)`: a client of another app instance (another web
    process), with its own runtime; on Redis it shares the install's namespace with `rt`."""
    made: list[tuple[Runtime, httpx.AsyncClient, Any]] = []

    async def make(**changes: Any) -> httpx.AsyncClient:
        other = Runtime.create(dataclasses.replace(settings, **changes))
        if settings.redis_url:
            from helpdesk.jobs.worker import ArqQueue

            other.queue = await ArqQueue.connect(REDIS_URL, rt.queue.queue_name)
        app = create_app(other.settings, runtime=other, jobs=False)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
        )
        made.append((other, client, other.queue))
        return client

    yield make
    for other, client, queue in made:
        await client.aclose()
        if queue is not None:
            await queue.close()
        await other.close()


async def test_the_store_is_redis_when_the_install_has_it(app, settings):
    store = throttles_of(app).store
    assert isinstance(store, RedisStore if settings.redis_url else MemoryStore)


async def test_web_processes_sharing_redis_count_failed_logins_together(
    client, seed, settings, second_app
):
    other = await second_app()
    for attempt in range(5):
        browser = (client, other)[attempt % 2]
        assert (await login(browser, "admin_brebes", password="salah")).status_code == 400
    first, second = await login(client, "admin_brebes"), await login(other, "admin_brebes")
    if settings.redis_url:
        assert (first.status_code, second.status_code) == (429, 429)
    else:  # embedded mode is one process: each app counted its own (3 and 2)
        assert (first.status_code, second.status_code) == (303, 303)


async def test_behind_a_trusted_proxy_each_client_is_counted_apart(seed, second_app):
    # httpx's ASGI transport connects from 127.0.0.1: here, the reverse proxy.
    proxied = await second_app(trusted_proxies=("127.0.0.1",))
    guesser = {"X-Forwarded-For": "203.0.113.1, 198.51.100.7"}
    for _ in range(5):
        response = await login(proxied, "admin_brebes", password="salah", headers=guesser)
        assert response.status_code == 400
    assert (await login(proxied, "admin_brebes", headers=guesser)).status_code == 429
    # The guesser's own first hop is theirs to write; the proxy's hop is not.
    lying = {"X-Forwarded-For": "203.0.113.99, 198.51.100.7"}
    assert (await login(proxied, "admin_brebes", headers=lying)).status_code == 429
    colleague = {"X-Forwarded-For": "198.51.100.8"}
    assert (await login(proxied, "admin_brebes", headers=colleague)).status_code == 303


async def test_without_trusted_proxies_the_forwarded_header_changes_nothing(client, seed):
    for n in range(5):
        spoofed = {"X-Forwarded-For": f"203.0.113.{n}"}
        response = await login(client, "admin_brebes", password="salah", headers=spoofed)
        assert response.status_code == 400
    spoofed = {"X-Forwarded-For": "203.0.113.200"}
    assert (await login(client, "admin_brebes", headers=spoofed)).status_code == 429


async def test_guessing_a_register_number_from_two_processes_locks_it_on_both(
    client, seed, settings, second_app
):
    other = await second_app()
    number = "ADU/BREBES/2026/888888"
    for n, guess in enumerate(("0000", "0001", "0002", "0003", "0004")):
        browser = (client, other)[n % 2]
        assert (await status_lookup(browser, number, guess)).status_code == 404
    first, second = (
        await status_lookup(client, number, "1111"),
        await status_lookup(other, number, "1111"),
    )
    if settings.redis_url:
        assert (first.status_code, second.status_code) == (429, 429)
    else:  # embedded mode: each process counted its own (3 and 2 failures)
        assert (first.status_code, second.status_code) == (404, 404)


async def status_lookup(client: httpx.AsyncClient, register: str, digits: str) -> httpx.Response:
    return await post_form(client, "/publik/status", {"register": register, "digits": digits})
