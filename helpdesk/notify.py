"""Telling open inbox pages that a ticket changed, in whichever process it changed.

Called after a commit (ingest, delivery statuses, the outbox, workflow actions). An event carries
only ids and the office, never personal data: a page that hears of it fetches what changed
through the normal, scoped routes. Channels are one per office; the web app's SSE endpoint
(inbox/live.py) subscribes its user to the channels of their offices.

Where it goes: the web app sets `rt.events` to its Litestar channels plugin (in memory, or Redis
when HELPDESK_REDIS_URL is set, so every web process hears every other). A process without the
web app (`helpdesk worker`) publishes straight to Redis on the same channel names. Without Redis
and without the web app nobody can be listening, so nothing is sent. Publishing never raises: a
missed live update costs a refresh, a failed ingest would cost a message.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from helpdesk.models import Direction, Message, Ticket
from helpdesk.runtime import Runtime
from helpdesk.settings import Settings

if TYPE_CHECKING:
    from helpdesk.receiving import Outcome

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "helpdesk:inbox:"
KINDS = ("ticket", "message", "status")

# (data, channels): the shape of ChannelsPlugin.wait_published.
Publisher = Callable[[bytes, list[str]], Awaitable[None]]


@dataclass(frozen=True)
class InboxEvent:
    kind: str  # "ticket" (new or changed), "message" (timeline grew), "status" (delivery tick)
    office: int
    ticket: int
    message: int | None = None

    def encode(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()

    @classmethod
    def decode(cls, raw: bytes | str) -> InboxEvent | None:
        try:
            data = json.loads(raw)
            event = cls(
                kind=str(data["kind"]),
                office=int(data["office"]),
                ticket=int(data["ticket"]),
                message=int(data["message"]) if data.get("message") is not None else None,
            )
        except (ValueError, TypeError, KeyError):
            return None
        return event if event.kind in KINDS else None


def channel_for(settings: Settings, office_id: int) -> str:
    """Named after the database too: installs (or test runs) sharing one Redis never hear each
    other, while every process of one install, reading the same settings, agrees."""
    install = hashlib.blake2b(settings.database_url.encode(), digest_size=6).hexdigest()
    return f"{CHANNEL_PREFIX}{install}:{office_id}"


class RedisPublisher:
    """For processes without the web app: PUBLISH as Litestar's Redis pub/sub backend does."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)

    async def __call__(self, data: bytes, channels: list[str]) -> None:
        for channel in channels:
            await self._redis.publish(channel, data)

    async def publish_many(self, messages: list[tuple[bytes, str]]) -> None:
        """(data, channel) pairs in one round trip: an ingest batch announces a hundred tickets,
        and a round trip each was a quarter of the worker's CPU per ticket."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for data, channel in messages:
                pipe.publish(channel, data)
            await pipe.execute()

    async def aclose(self) -> None:
        await self._redis.aclose()


def _publisher(rt: Runtime) -> Publisher | None:
    if rt.events is None and rt.settings.redis_url:
        rt.events = RedisPublisher(rt.settings.redis_url)
    return rt.events


async def publish(rt: Runtime, events: Iterable[InboxEvent]) -> None:
    publisher = _publisher(rt)
    if publisher is None:
        return
    if isinstance(publisher, RedisPublisher):
        events = list(events)
        try:
            await publisher.publish_many(
                [(e.encode(), channel_for(rt.settings, e.office)) for e in events]
            )
        except Exception:  # as below
            log.warning("live updates for %d tickets not published", len(events), exc_info=True)
        return
    for event in events:
        try:
            await publisher(event.encode(), [channel_for(rt.settings, event.office)])
        except Exception:  # a live update must never undo the work done before it
            log.warning("live update for ticket %s not published", event.ticket, exc_info=True)


async def ticket_changed(
    rt: Runtime,
    ticket_ids: int | Iterable[int],
    kind: str = "ticket",
    message_ids: dict[int, int] | None = None,
) -> None:
    """After a commit: these tickets changed (`message_ids`: ticket -> its new message)."""
    ids = [ticket_ids] if isinstance(ticket_ids, int) else list(dict.fromkeys(ticket_ids))
    if not ids or _publisher(rt) is None:
        return
    try:
        async with rt.sessions() as session:
            query = select(Ticket.id, Ticket.office_id).where(Ticket.id.in_(ids))
            rows = (await session.execute(query)).all()
    except Exception:  # as above
        log.warning("live update for tickets %s not published", ids, exc_info=True)
        return
    messages = message_ids or {}
    await publish(
        rt, [InboxEvent(kind, office, ticket, messages.get(ticket)) for ticket, office in rows]
    )


async def timeline_grew(rt: Runtime, ticket: Ticket, message_id: int) -> None:
    """After a commit: staff added to the ticket's timeline (an internal note, a reply queued or
    queued again): a "message" event, as for a citizen's message, so another admin's open list
    and ticket page show it. The office is known here: no round trip to look it up."""
    await publish(rt, [InboxEvent("message", ticket.office_id, ticket.id, message_id)])


async def received(rt: Runtime, outcomes: Iterable[Outcome]) -> None:
    """After ingest committed: a "message" event per ticket that got a message (new or not)."""
    from helpdesk.receiving import Received  # it imports the workflow, which imports the outbox

    got = {o.ticket_id: o.message_id for o in outcomes if isinstance(o, Received)}
    if got:
        await ticket_changed(rt, list(got), "message", got)


async def delivery_changed(rt: Runtime, external_ids: Iterable[str]) -> None:
    """After delivery statuses were applied: the tickets of those sent messages changed ticks."""
    ids = [i for i in dict.fromkeys(external_ids) if i]
    if not ids or _publisher(rt) is None:
        return
    try:
        async with rt.sessions() as session:
            query = select(Message.ticket_id).where(
                Message.external_id.in_(ids), Message.direction == Direction.outbound
            )
            tickets = list(await session.scalars(query))
    except Exception:  # as above
        log.warning("live update for deliveries %s not published", ids, exc_info=True)
        return
    await ticket_changed(rt, tickets, "status")
