"""`GET /live`: Server-Sent Events telling a signed-in user's pages which tickets changed.

Events come through Litestar's channels plugin: in memory in one process, on Redis pub/sub when
HELPDESK_REDIS_URL is set, so an event published by any web process or worker reaches every
web process (https://docs.litestar.dev/2/usage/channels.html). A user listens to the channels
of their offices, and every event is checked again against their memberships (re-read from the
database at most every MEMBERSHIP_TTL seconds) before it is sent, so a user removed from an
office stops hearing of it. The stream holds no database connection while it waits.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from litestar import Request, get
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.exceptions import NotAuthorizedException
from litestar.response import ServerSentEvent, ServerSentEventMessage
from sqlalchemy import select

from helpdesk.auth import Principal, load_principal
from helpdesk.models import Office
from helpdesk.notify import InboxEvent, Publisher, channel_for
from helpdesk.runtime import Runtime
from helpdesk.settings import Settings
from helpdesk.web.deps import SESSION_USER

KEEPALIVE_SECONDS = 20.0  # a comment line keeps proxies from closing a quiet stream
MEMBERSHIP_TTL = 10.0
BACKLOG = 500  # events queued for one slow client before the oldest are dropped


def channels_plugin(settings: Settings) -> ChannelsPlugin:
    if settings.redis_url:
        from redis.asyncio import Redis

        backend: MemoryChannelsBackend | RedisChannelsPubSubBackend = RedisChannelsPubSubBackend(
            redis=Redis.from_url(settings.redis_url)
        )
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=BACKLOG,
        subscriber_backlog_strategy="dropleft",
    )


def publisher(plugin: ChannelsPlugin) -> Publisher:
    """What `helpdesk.notify` publishes through in the web process."""

    async def publish(data: bytes, channels: list[str]) -> None:
        await plugin.wait_published(data, channels)

    return publish


async def _principal(rt: Runtime, user_id: int) -> Principal | None:
    async with rt.sessions() as session:
        return await load_principal(session, user_id)


async def _office_ids(rt: Runtime, principal: Principal) -> list[int]:
    scope = principal.office_scope()
    if scope is not None:
        return scope
    async with rt.sessions() as session:
        return list(await session.scalars(select(Office.id)))


@get("/live", include_in_schema=False)
async def live_events(request: Request, rt: Runtime, channels: ChannelsPlugin) -> ServerSentEvent:
    user_id = request.session.get(SESSION_USER) if request.scope.get("session") else None
    principal = await _principal(rt, user_id) if isinstance(user_id, int) else None
    if principal is None:
        raise NotAuthorizedException("sign in first")
    offices = await _office_ids(rt, principal)
    return ServerSentEvent(
        _stream(rt, channels, principal, offices),
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(
    rt: Runtime, channels: ChannelsPlugin, principal: Principal, offices: list[int]
) -> AsyncIterator[ServerSentEventMessage]:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    checked = time.monotonic()
    async with (
        channels.start_subscription([channel_for(rt.settings, o) for o in offices]) as subscriber,
        subscriber.run_in_background(queue.put, join=False),
    ):
        # Comments only (no data line): browsers dispatch no event for them.
        yield ServerSentEventMessage(comment="live", data=None, retry=5000)
        while True:
            try:
                raw = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive", data=None)
                continue
            event = InboxEvent.decode(raw)
            if event is None:
                continue
            if time.monotonic() - checked > MEMBERSHIP_TTL:
                fresh = await _principal(rt, principal.user_id)
                if fresh is None:  # deactivated: the stream ends, the page's retry gets a 401
                    return
                principal, checked = fresh, time.monotonic()
            if not principal.can_see_office(event.office):
                continue
            data = {"ticket": event.ticket, "kind": event.kind}
            if event.message is not None:
                data["message"] = event.message
            yield ServerSentEventMessage(event="ticket", data=json.dumps(data))
