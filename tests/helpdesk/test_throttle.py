"""The throttle's two stores, held to one specification on a fake clock (memory, and the real
Redis), and the client address behind trusted proxies."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from helpdesk.settings import Settings
from helpdesk.throttle import MemoryStore, RedisStore, ThrottleStore, client_address, parse_proxies
from tests.conftest import REDIS_URL, _require


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    _require("Redis", "127.0.0.1", 6379)
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, clock: Clock) -> AsyncIterator[ThrottleStore]:
    if request.param == "memory":
        yield MemoryStore(clock=clock)
        return
    _require("Redis", "127.0.0.1", 6379)
    redis = Redis.from_url(REDIS_URL)
    prefix = f"helpdesk:test:{uuid.uuid4().hex}:throttle:"
    yield RedisStore(redis, prefix, clock=clock)
    names = [name async for name in redis.scan_iter(match=prefix + "*")]
    if names:
        await redis.delete(*names)
    await redis.aclose()


async def test_take_counts_up_to_the_limit_then_refuses_without_counting(store, clock):
    assert [await store.take("a", 3, 60) for _ in range(4)] == [True, True, True, False]
    clock.now += 59
    assert not await store.take("a", 3, 60)
    clock.now += 1.5  # the first three left the window; the refusal was never counted
    assert await store.take("a", 3, 60)
    assert await store.take("b", 3, 60)  # keys count apart


async def test_add_counts_every_event_in_the_window(store, clock):
    assert [await store.add("f", 60) for _ in range(3)] == [1, 2, 3]
    clock.now += 30
    assert await store.add("f", 60) == 4
    clock.now += 31
    assert await store.add("f", 60) == 2  # the first three are older than the window


async def test_a_lock_lasts_its_time_and_forget_drops_counts_and_locks(store, clock):
    assert await store.locked_for("k") == 0
    await store.lock("k", 900)
    clock.now += 100
    assert await store.locked_for("k") == pytest.approx(800)
    clock.now += 800
    assert await store.locked_for("k") == 0
    await store.lock("k", 900)
    await store.add("k", 60)
    await store.forget("k")
    assert await store.locked_for("k") == 0 and await store.add("k", 60) == 1


async def test_two_processes_sharing_redis_never_both_take_the_last_place(redis, clock):
    prefix = f"helpdesk:test:{uuid.uuid4().hex}:throttle:"
    first, second = (RedisStore(redis, prefix, clock=clock) for _ in range(2))
    taken = await asyncio.gather(*(s.take("x", 5, 60) for s in (first, second) * 10))
    assert taken.count(True) == 5
    assert await second.add("y", 60) == 1 and await first.add("y", 60) == 2
    await first.lock("z", 60)
    assert await second.locked_for("z") == pytest.approx(60)
    await redis.delete(*[n async for n in redis.scan_iter(match=prefix + "*")])


async def test_memory_stays_bounded(clock):
    store = MemoryStore(max_keys=10, clock=clock)
    for n in range(100):
        await store.add(f"10.0.0.{n}", 60)
        await store.lock(f"10.0.0.{n}", 60)
    assert len(store._events) <= 10 and len(store._locks) <= 10


PROXIES = parse_proxies(["10.0.0.5", "172.16.0.0/12"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # No proxy configured: the header is anyone's to write, never believed.
        ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),
        # From our proxy: the right-most hop it did not add itself.
        ("10.0.0.5", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.5", ["1.2.3.4, 198.51.100.1"], "198.51.100.1"),  # 1.2.3.4: the client's lie
        ("10.0.0.5", ["1.2.3.4", "198.51.100.1, 172.16.4.4"], "198.51.100.1"),
        ("10.0.0.5", ["2001:db8::1"], "2001:db8::1"),
        # Only proxies in the chain: the one nearest the client.
        ("10.0.0.5", ["172.16.4.4, 172.20.0.1"], "172.16.4.4"),
        # From our proxy without the header: the proxy itself.
        ("10.0.0.5", [], "10.0.0.5"),
        # Not from a proxy of ours: the header is ignored.
        ("198.51.100.9", ["10.0.0.5"], "198.51.100.9"),
        (None, ["198.51.100.1"], "?"),
    ],
)
def test_the_client_address_behind_trusted_proxies(peer, forwarded, expected):
    proxies = PROXIES if peer != "203.0.113.7" else ()
    assert client_address(peer, forwarded, proxies) == expected


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        # Hops with ports, as some proxies write them.
        (["198.51.100.1:5678"], "198.51.100.1"),
        (["[2001:db8::1]:443"], "2001:db8::1"),
        (["[2001:DB8::1]"], "2001:db8::1"),
        (["1.2.3.4, 198.51.100.1:5678, 172.16.4.4:80"], "198.51.100.1"),
        (["::ffff:198.51.100.1"], "198.51.100.1"),
        # Nothing to count against: the proxy itself, never a crash.
        (["unknown"], "10.0.0.5"),
        (["1.2.3.4, unknown"], "10.0.0.5"),  # not the client's lie to the left either
        (["198.51.100.1:http"], "10.0.0.5"),
        (["[2001:db8::1"], "10.0.0.5"),
        (["[198.51.100.1]:443"], "10.0.0.5"),
        (["_hidden"], "10.0.0.5"),  # obfuscation is the Forwarded header's, not this one's
        (["x" * 10_000], "10.0.0.5"),
        ([" , ,"], "10.0.0.5"),
    ],
)
def test_forwarded_for_hops_with_ports_or_garbage(forwarded_for, expected):
    assert client_address("10.0.0.5", forwarded_for, PROXIES) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        (["for=198.51.100.1"], "198.51.100.1"),
        (["For=198.51.100.1;proto=https;by=10.0.0.5"], "198.51.100.1"),
        (['for="198.51.100.1:47011"'], "198.51.100.1"),
        (['for="[2001:db8:cafe::17]:4711"'], "2001:db8:cafe::17"),
        (['for="[2001:db8:cafe::17]"'], "2001:db8:cafe::17"),
        # The right-most element our proxy did not add; the client's own to its left.
        (["for=1.2.3.4, for=198.51.100.1, for=172.16.4.4"], "198.51.100.1"),
        (["for=1.2.3.4", "for=198.51.100.1"], "198.51.100.1"),
        # A quoted string may hold the separators.
        (['for=198.51.100.1;note="a, b; c", for=172.16.4.4'], "198.51.100.1"),
        (['for=1.2.3.4;note="x\\", for=9.9.9.9", for=198.51.100.1'], "198.51.100.1"),
        # An obfuscated identifier (RFC 7239 6.3) is the proxy's name for the client.
        (["for=_hidden"], "_hidden"),
        (['for="_SEVKISEK:_port"'], "_SEVKISEK"),
        # Unreadable or missing: the proxy itself.
        (["for=unknown"], "10.0.0.5"),
        (["proto=https"], "10.0.0.5"),
        (["for=1.2.3.4, proto=https"], "10.0.0.5"),
        (["for=[2001:db8::1]:443"], "2001:db8::1"),  # unquoted, against the RFC: still read
        (['for="[2001:db8::1'], "10.0.0.5"),
        (["for=;;==,,"], "10.0.0.5"),
        (["for=_" + "x" * 100], "10.0.0.5"),
        (['"' * 5001], "10.0.0.5"),
    ],
)
def test_the_standard_forwarded_header(forwarded, expected):
    assert client_address("10.0.0.5", [], PROXIES, forwarded) == expected


def test_forwarded_headers_are_believed_only_from_a_proxy_and_must_agree():
    client = "198.51.100.1"
    # From anyone else: neither header counts.
    assert client_address("203.0.113.7", [], PROXIES, [f"for={client}"]) == "203.0.113.7"
    assert client_address("203.0.113.7", [client], (), [f"for={client}"]) == "203.0.113.7"
    # Both naming the same client (a proxy chain that writes both).
    assert client_address("10.0.0.5", [f"{client}:5555"], PROXIES, [f"for={client}"]) == client
    # They differ: one of them is the client's forgery, and there is no telling which.
    forged = "for=1.2.3.4"
    assert client_address("10.0.0.5", [client], PROXIES, [forged]) == "10.0.0.5"
    assert client_address("10.0.0.5", ["1.2.3.4"], PROXIES, [f"for={client}"]) == "10.0.0.5"
    # A header of our proxies only names no client: the other one does.
    assert client_address("10.0.0.5", [client], PROXIES, ["for=172.16.4.4"]) == client
    assert client_address("10.0.0.5", ["172.16.4.4"], PROXIES, [f"for={client}"]) == client
    both_proxies = client_address("10.0.0.5", ["172.16.4.4"], PROXIES, ["for=172.20.0.1"])
    assert both_proxies == "10.0.0.5"  # two different proxies, no client: the peer


def test_trusted_proxies_come_from_the_environment_and_a_bad_one_is_refused(tmp_path):
    env = {"HELPDESK_DATA_DIR": str(tmp_path), "HELPDESK_SECRET_KEY": "k" * 40}
    assert Settings.from_env(env).trusted_proxies == ()
    proxies = Settings.from_env({**env, "HELPDESK_TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16"})
    assert proxies.trusted_proxies == ("10.0.0.5", "10.1.0.0/16")
    with pytest.raises(ValueError, match=r"not an IP address or network: 'proxy\.local'"):
        Settings.from_env({**env, "HELPDESK_TRUSTED_PROXIES": "10.0.0.5,proxy.local"})
