"""Counting requests per key over a sliding window, shared by every web process.

Two stores behind one small interface (`ThrottleStore`): Redis when the install has one
(`HELPDESK_REDIS_URL`), so several web processes count together and a restart forgets nothing;
this process's memory otherwise (embedded mode, one process). The policies built on it (login,
the public complaint form, the public status page) say what is counted and for how long.

`client_address` is the address to count a request against: behind a reverse proxy every
request comes from the proxy, so `X-Forwarded-For` and the standard `Forwarded` header (RFC 7239)
are believed only from the configured proxy addresses (`HELPDESK_TRUSTED_PROXIES`), taking the
right-most hop that is not one of them (the hops to its left are whatever the client wrote).
"""

from __future__ import annotations

import ipaddress
import math
import re
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from redis.asyncio import Redis

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_ADDRESS = 64


class ThrottleStore(Protocol):
    async def take(self, key: str, limit: int, window: float) -> bool:
        """Count one event under `key` unless `limit` were counted in the last `window`
        seconds; whether it was counted (False: refuse)."""
        ...

    async def add(self, key: str, window: float) -> int:
        """Count one event under `key`; how many there are in the last `window` seconds."""
        ...

    async def lock(self, key: str, seconds: float) -> None:
        """Lock `key` for `seconds`."""
        ...

    async def locked_for(self, key: str) -> float:
        """Seconds `key` stays locked; 0 when it is not."""
        ...

    async def forget(self, *keys: str) -> None:
        """Drop the counts and locks of `keys`."""
        ...


class MemoryStore:
    """This process's memory: for the embedded mode, where there is one process."""

    def __init__(self, max_keys: int = 20_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_keys, self.clock = max_keys, clock
        self._events: dict[str, deque[float]] = {}
        self._locks: dict[str, float] = {}

    def _recent(self, key: str, window: float, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            while len(self._events) >= self.max_keys:  # full: forget the oldest key
                del self._events[next(iter(self._events))]
            events = self._events[key] = deque()
        while events and events[0] <= now - window:
            events.popleft()
        return events

    async def take(self, key: str, limit: int, window: float) -> bool:
        now = self.clock()
        events = self._recent(key, window, now)
        if len(events) >= limit:
            return False
        events.append(now)
        return True

    async def add(self, key: str, window: float) -> int:
        now = self.clock()
        events = self._recent(key, window, now)
        events.append(now)
        return len(events)

    async def lock(self, key: str, seconds: float) -> None:
        now = self.clock()
        for locked, until in list(self._locks.items()):
            if until <= now:
                del self._locks[locked]
        while len(self._locks) >= self.max_keys:
            del self._locks[next(iter(self._locks))]
        self._locks[key] = now + seconds

    async def locked_for(self, key: str) -> float:
        return max(0.0, self._locks.get(key, 0.0) - self.clock())

    async def forget(self, *keys: str) -> None:
        for key in keys:
            self._events.pop(key, None)
            self._locks.pop(key, None)


# One sorted set per key, scored by time: trim what left the window, then count and maybe add,
# in one step on the server, so two processes never both take the last place.
_TAKE = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if limit >= 0 and n >= limit then return {0, n} end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return {1, n + 1}
"""


class RedisStore:
    """Redis, shared by every process of the install; keys live under `prefix` and expire on
    their own. Times are this machine's wall clock (web processes keep their clocks in step)."""

    def __init__(self, redis: Redis, prefix: str, clock: Callable[[], float] = time.time) -> None:
        self.redis, self.prefix, self.clock = redis, prefix, clock
        self._take = redis.register_script(_TAKE)

    async def _count(self, key: str, limit: int, window: float) -> tuple[bool, int]:
        now = self.clock()
        member = f"{now!r}:{secrets.token_hex(6)}"
        added, count = await self._take(
            keys=[self.prefix + "n:" + key], args=[repr(now), window, limit, member]
        )
        return bool(added), int(count)

    async def take(self, key: str, limit: int, window: float) -> bool:
        return (await self._count(key, limit, window))[0]

    async def add(self, key: str, window: float) -> int:
        return (await self._count(key, -1, window))[1]

    async def lock(self, key: str, seconds: float) -> None:
        until = self.clock() + seconds
        await self.redis.set(self.prefix + "lock:" + key, repr(until), px=math.ceil(seconds * 1000))

    async def locked_for(self, key: str) -> float:
        until = await self.redis.get(self.prefix + "lock:" + key)
        if until is None:
            return 0.0
        try:
            return max(0.0, float(until) - self.clock())
        except ValueError:
            return 0.0

    async def forget(self, *keys: str) -> None:
        if keys:
            names = [self.prefix + kind + key for key in keys for kind in ("n:", "lock:")]
            await self.redis.delete(*names)


def parse_proxies(values: Iterable[str]) -> tuple[Network, ...]:
    """Proxy addresses or networks (`10.0.0.5`, `10.0.0.0/24`); ValueError naming a bad one."""
    networks = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise ValueError(f"not an IP address or network: {value!r}") from exc
    return tuple(networks)


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


# RFC 7239 §6.3: an identifier a proxy gives a client in place of its address.
_OBFUSCATED = re.compile(r"_[A-Za-z0-9._-]{1,63}")
_PORT = re.compile(r"[0-9]{1,5}|_[A-Za-z0-9._-]{1,63}")  # a port, or an obfuscated one
_Hop = TypeVar("_Hop")


def _ip(text: str) -> str | None:
    """`text` as a canonical IP address (an IPv4-mapped IPv6 one as IPv4), else None."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def _node(text: str, *, obfuscated: bool) -> str | None:
    """A hop's address without its port: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
    `[2001:db8::1]:443`; with `obfuscated` (the Forwarded header) also `_hidden[:port]`.
    None for `unknown` or anything else."""
    text = text.strip()
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not (rest[0] == ":" and _PORT.fullmatch(rest[1:]))):
            return None
        return _ip(host) if ":" in host else None  # brackets hold IPv6 only
    if text.count(":") == 1:  # IPv4 or a name with a port; bare IPv6 has several colons
        text, _, port = text.partition(":")
        if not _PORT.fullmatch(port):
            return None
    if obfuscated and _OBFUSCATED.fullmatch(text):
        return text
    return _ip(text)


def _forwarded_hops(values: Sequence[str]) -> list[str | None]:
    """The `for=` node of each element of `Forwarded` headers, in order; None where an element
    has none or it cannot be read. Elements are split on commas and pairs on semicolons outside
    quoted strings (a quoted IPv6 address holds colons, a quoted string may hold either)."""
    hops: list[str | None] = []
    for value in values:
        for element in _split(value, ","):
            found: str | None = None
            for pair in _split(element, ";"):
                name, equals, raw = pair.partition("=")
                if equals and name.strip().lower() == "for":
                    found = _node(_unquote(raw.strip()), obfuscated=True)
            if element.strip():
                hops.append(found)
    return hops


def _split(text: str, separator: str) -> list[str]:
    parts, current, quoted, escaped = [], [], False, False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _nearest_client(
    hops: Sequence[_Hop], read: Callable[[_Hop], str | None], proxies: Sequence[Network]
) -> tuple[str | None, bool]:
    """The right-most hop that is not a proxy of ours (read from the right, only as far as
    needed), and True; when all are, the left-most and False (the header names no client).
    None when that hop cannot be read (`unknown`, garbage): nothing to count it against."""
    for hop in reversed(hops):
        node = read(hop)
        if node is None or not _trusted(node, proxies):
            return node, True
    return read(hops[0]), False


def client_address(
    peer: str | None,
    forwarded_for: Sequence[str],
    proxies: Sequence[Network],
    forwarded: Sequence[str] = (),
) -> str:
    """The address a request is counted against. `peer`: who connected; `forwarded_for`: the
    `X-Forwarded-For` header values in order (several headers join as one list); `forwarded`:
    the `Forwarded` header values likewise.

    A proxy appends to one of the two; the other, if present, is whatever the client wrote. So
    when both name a client they must name the same one: if they differ, neither can be told
    from a forgery and the request counts against the peer (the proxy) — only a client that
    forges the header it was not given lands there. A hop that cannot be read counts against
    the peer too; a header whose hops are all proxies of ours names no client and gives way to
    the other."""
    peer = peer or "?"
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h for value in forwarded_for for h in value.split(",") if h.strip()]
    rfc_hops = _forwarded_hops(forwarded)
    chains = [
        *([_nearest_client(hops, partial(_node, obfuscated=False), proxies)] if hops else []),
        *([_nearest_client(rfc_hops, lambda node: node, proxies)] if rfc_hops else []),
    ]
    # A header of our proxies only names no client: the other one, if it does, is believed
    # (forging one of our proxies' addresses gains a client nothing).
    clients = {a for a, named in chains if named} or {a for a, _ in chains}
    if len(clients) != 1:
        return peer  # no header, or the two name different clients
    (address,) = clients
    return address[:MAX_ADDRESS] if address is not None else peer
