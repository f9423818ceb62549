"""An Instagram account in the helpdesk, on both databases: Direct messages and comments on
its media, answered back where they were written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from channels.base import ReplyMode
from channels.meta.simulator.webhooks import signature_headers
from helpdesk.auth import Principal
from helpdesk.db import transaction
from helpdesk.models import Message, Ticket
from helpdesk.outbox import ReplyRefused, send_item
from helpdesk.reply_modes import queue_reply_as, reply_choices
from tests.channels.meta.social_fixtures import CITIZEN_IGSID, IG_ID
from tests.conftest import APP_SECRET


def admin(seed) -> Principal:  # type: ignore[no-untyped-def]
    return Principal(seed.users["admin_tomohon"], "admin_tomohon", "Admin", False)


async def timeline(rt) -> list[Message]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return list(await session.scalars(select(Message).order_by(Message.id)))


async def latest_ticket_choices(rt):  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        ticket = await session.scalar(select(Ticket).order_by(Ticket.id.desc()))
        return await reply_choices(session, rt.adapters, ticket)


async def answer(rt, seed, mode: str, body: str) -> None:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        ticket = await session.scalar(select(Ticket).order_by(Ticket.id.desc()))
        _, item = await queue_reply_as(session, rt.adapters, ticket, admin(seed), body, mode)
        item_id = item.id
    await send_item(rt, item_id)


async def test_a_direct_message_is_answered_in_direct_and_its_echo_adds_nothing(
    rt, jobs, social_seed, meta_sim, relay
):
    meta_sim.act("instagram", "message", account_id=IG_ID, **{"from": CITIZEN_IGSID}, text="Halo")
    assert await relay.forward() == [200]
    await jobs.drain()
    await answer(rt, social_seed, "message", "Halo juga, ada yang bisa kami bantu?")
    [sent] = meta_sim.instagram.store.outbound()
    assert (sent.citizen, sent.kind) == (CITIZEN_IGSID, "message")
    assert await relay.forward() == [200]  # the echo of our send
    await jobs.drain()
    assert [(m.direction, m.channel) for m in await timeline(rt)] == [
        ("in", "instagram"),
        ("out", "instagram"),
    ]


async def test_a_top_level_comment_offers_a_public_and_a_private_reply(
    rt, jobs, social_seed, meta_sim, relay
):
    meta_sim.act(
        "instagram", "comment", account_id=IG_ID, **{"from": CITIZEN_IGSID}, text="Kapan KIA?"
    )
    assert await relay.forward() == [200]
    await jobs.drain()
    chosen = await latest_ticket_choices(rt)
    assert chosen.modes == (ReplyMode.public_comment, ReplyMode.private_reply)
    await answer(rt, social_seed, "public_comment", "Senin sampai Jumat")
    [reply] = meta_sim.instagram.store.outbound()
    assert (reply.kind, reply.text) == ("comment", "Senin sampai Jumat")
    assert await relay.forward() == [200]
    await jobs.drain()
    assert len(await timeline(rt)) == 2


async def test_a_reply_comment_can_only_be_answered_privately(
    rt, jobs, social_seed, meta_sim, relay
):
    top = meta_sim.act(
        "instagram", "comment", account_id=IG_ID, **{"from": "178414000000002"}, text="KIA?"
    )
    meta_sim.act(
        "instagram",
        "comment",
        account_id=IG_ID,
        **{"from": CITIZEN_IGSID},
        text="Saya juga",
        parent_id=top["id"],
    )
    assert await relay.forward(2) == [200, 200]
    await jobs.drain()
    chosen = await latest_ticket_choices(rt)
    assert chosen.modes == (ReplyMode.private_reply,)
    with pytest.raises(ReplyRefused):
        await answer(rt, social_seed, "public_comment", "Tidak boleh")
    await answer(rt, social_seed, "private_reply", "Kami bantu lewat pesan")
    [reply] = meta_sim.instagram.store.outbound()
    assert (reply.kind, reply.citizen) == ("message", CITIZEN_IGSID)


async def test_an_unsent_direct_message_is_kept_and_marked(rt, jobs, social_seed, meta_sim, relay):
    meta_sim.act("instagram", "message", account_id=IG_ID, **{"from": CITIZEN_IGSID}, text="Oops")
    assert await relay.forward() == [200]
    await jobs.drain()
    [message] = await timeline(rt)
    unsent = {
        "object": "instagram",
        "entry": [
            {
                "id": IG_ID,
                "time": 1,
                "messaging": [
                    {
                        "sender": {"id": CITIZEN_IGSID},
                        "recipient": {"id": IG_ID},
                        "timestamp": 2,
                        "message": {"mid": message.external_id, "is_deleted": True},
                    }
                ],
            }
        ],
    }
    body = json.dumps(unsent).encode()
    assert await relay.replay(body, signature_headers(body, APP_SECRET)) == 200
    await jobs.drain()
    [message] = await timeline(rt)
    assert message.body == "Oops" and "removed_at" in message.details
    async with rt.sessions() as session:
        assert await session.scalar(select(func.count(Ticket.id))) == 1
