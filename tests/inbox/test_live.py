"""Live updates: an event after each change, to the users of the ticket's office only.

The stream is read straight from `inbox.live._stream` with the app's own channels plugin (in
memory on SQLite, Redis pub/sub on PostgreSQL); the browser test reads it over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from helpdesk import notify
from helpdesk.auth import Principal, load_principal
from helpdesk.db import transaction
from helpdesk.models import Direction, Membership, Message, User
from inbox import live
from tests.conftest import TOMOHON_WA, inbound
from tests.inbox.conftest import post_form

WAIT = 15.0


@pytest.fixture
async def plugin(settings, rt):  # type: ignore[no-untyped-def]
    """The web app's channels plugin, started, and `helpdesk.notify` publishing through it."""
    channels = live.channels_plugin(settings)
    async with channels:
        rt.events = live.publisher(channels)
        yield channels
        rt.events = None


async def _principal(rt, seed, username: str) -> Principal:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        principal = await load_principal(session, seed.users[username])
    assert principal is not None
    return principal


async def _open(rt, plugin, principal: Principal, offices: list[int]) -> AsyncIterator[Any]:  # type: ignore[no-untyped-def]
    stream = live._stream(rt, plugin, principal, offices)
    hello = await anext(stream)
    assert hello.comment == "live"  # subscribed from here on
    await asyncio.sleep(0.2)  # Redis confirms a SUBSCRIBE asynchronously
    return stream


async def _next(stream: AsyncIterator[Any]) -> dict[str, Any]:
    while True:
        message = await asyncio.wait_for(anext(stream), WAIT)
        if message.event == "ticket":
            return json.loads(message.data)


async def test_a_received_message_reaches_the_offices_stream(rt, seed, plugin, receive):
    principal = await _principal(rt, seed, "admin_brebes")
    stream = await _open(rt, plugin, principal, [seed.offices["brebes"]])
    received = await receive(inbound("KTP saya hilang"))
    event = await _next(stream)
    assert event == {
        "ticket": received.ticket_id,
        "kind": "message",
        "message": received.message_id,
    }
    again = await receive(inbound("Mohon dibantu"))
    assert (await _next(stream))["message"] == again.message_id
    await stream.aclose()


async def test_events_carry_ids_only(rt, seed, plugin, receive):
    principal = await _principal(rt, seed, "admin_brebes")
    stream = await _open(rt, plugin, principal, [seed.offices["brebes"]])
    await receive(inbound("NIK saya 3329012345678901", name="Siti Aminah"))
    event = await _next(stream)
    assert set(event) == {"ticket", "kind", "message"}
    assert all(isinstance(v, int | str) and "Siti" not in str(v) for v in event.values())
    await stream.aclose()


async def test_another_offices_events_are_never_sent(rt, seed, plugin, receive):
    principal = await _principal(rt, seed, "admin_tomohon")
    # Even subscribed to Brebes' channel by mistake, the membership check drops its events.
    offices = [seed.offices["brebes"], seed.offices["tomohon"]]
    stream = await _open(rt, plugin, principal, offices)
    await receive(inbound("Pesan untuk Brebes", sender="6281234500001"))
    theirs = await receive(inbound("Pesan untuk Tomohon", account=TOMOHON_WA, sender="628520001"))
    assert await _next(stream) == {
        "ticket": theirs.ticket_id,
        "kind": "message",
        "message": theirs.message_id,
    }
    await stream.aclose()


async def test_a_user_removed_from_the_office_stops_hearing_and_a_deactivated_one_is_cut_off(
    rt, seed, plugin, receive, monkeypatch
):
    monkeypatch.setattr(live, "MEMBERSHIP_TTL", 0.0)  # re-read the membership at every event
    principal = await _principal(rt, seed, "admin_brebes")
    stream = await _open(rt, plugin, principal, [seed.offices["brebes"]])
    async with transaction(rt.sessions) as session:
        await session.execute(delete(Membership).where(Membership.user_id == principal.user_id))
    await receive(inbound("Setelah dikeluarkan"))
    async with transaction(rt.sessions) as session:
        await session.execute(update(User).where(User.id == principal.user_id).values(active=False))
    await receive(inbound("Setelah dinonaktifkan", sender="6281234500002"))
    with pytest.raises(StopAsyncIteration):
        await _next(stream)  # the first event was dropped, the second ended the stream


async def test_a_process_without_the_web_app_publishes_through_redis_or_not_at_all(
    rt, seed, settings, receive, backend
):
    """`helpdesk worker` has no channels plugin: on Redis it publishes to the same channels."""
    assert rt.events is None
    if backend == "sqlite":  # no Redis, no web app: nobody could listen
        await receive(inbound("Tanpa pendengar"))
        assert rt.events is None
        return
    channels = live.channels_plugin(settings)  # the web process, elsewhere
    async with channels:
        principal = await _principal(rt, seed, "admin_brebes")
        stream = await _open(rt, channels, principal, [seed.offices["brebes"]])
        received = await receive(inbound("Lewat Redis"))
        assert isinstance(rt.events, notify.RedisPublisher)
        assert (await _next(stream))["ticket"] == received.ticket_id
        await stream.aclose()


async def test_a_changed_ticket_is_published(rt, seed, plugin, receive):
    principal = await _principal(rt, seed, "admin_brebes")
    stream = await _open(rt, plugin, principal, [seed.offices["brebes"]])
    received = await receive(inbound("Halo"))
    await _next(stream)
    await notify.ticket_changed(rt, received.ticket_id)
    assert await _next(stream) == {"ticket": received.ticket_id, "kind": "ticket"}
    await stream.aclose()


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"[]", b'{"kind":"ticket"}', b'{"kind":"x","office":1,"ticket":2}', b"\xff"],
)
def test_malformed_events_are_ignored(raw):
    assert notify.InboxEvent.decode(raw) is None


async def test_the_stream_needs_a_signed_in_user(client, seed):
    response = await client.get("/live", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/login")


async def _latest_message_id(rt, ticket_id: int, direction: str) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        found = await session.scalar(
            select(Message.id)
            .where(Message.ticket_id == ticket_id, Message.direction == direction)
            .order_by(Message.id.desc())
            .limit(1)
        )
    assert found is not None
    return found


async def test_a_note_and_a_reply_from_the_inbox_are_published_as_messages(
    rt, seed, plugin, brebes, ticket
):
    """Another admin's open list and ticket page hear of what staff add, not only citizens."""
    ticket_id = await ticket("Akta kelahiran belum terbit")
    listener = await _principal(rt, seed, "admin_brebes")  # any open page of the office
    stream = await _open(rt, plugin, listener, [seed.offices["brebes"]])

    response = await post_form(brebes, f"/tickets/{ticket_id}/notes", {"body": "Cek arsip"})
    assert response.status_code == 303
    note_id = await _latest_message_id(rt, ticket_id, Direction.note)
    assert await _next(stream) == {"ticket": ticket_id, "kind": "message", "message": note_id}

    response = await post_form(brebes, f"/tickets/{ticket_id}/reply", {"body": "Sudah kami cek."})
    assert response.status_code == 303
    reply_id = await _latest_message_id(rt, ticket_id, Direction.outbound)
    assert await _next(stream) == {"ticket": ticket_id, "kind": "message", "message": reply_id}
    await stream.aclose()


async def test_a_refused_note_publishes_nothing(rt, seed, plugin, brebes, ticket):
    ticket_id = await ticket("KTP saya rusak")
    stream = await _open(
        rt, plugin, await _principal(rt, seed, "admin_brebes"), [seed.offices["brebes"]]
    )
    response = await post_form(brebes, f"/tickets/{ticket_id}/notes", {"body": "   "})
    assert response.status_code == 400
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(_next(stream), 1.0)
    await stream.aclose()


async def test_a_label_change_is_published_to_the_office(rt, seed, plugin, brebes, ticket):
    ticket_id = await ticket("KTP saya rusak")
    stream = await _open(
        rt, plugin, await _principal(rt, seed, "admin_brebes"), [seed.offices["brebes"]]
    )
    response = await post_form(brebes, f"/tickets/{ticket_id}/labels", {"name": "viral"})
    assert response.status_code == 303
    assert await _next(stream) == {"ticket": ticket_id, "kind": "ticket"}
    await stream.aclose()
