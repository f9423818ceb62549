"""A Facebook page in the helpdesk, on both databases: what the simulator's signed webhooks
make of the timeline, and how each way of answering goes out and comes back.

The simulator posts to a recorder; `relay` hands each body to the helpdesk's webhook route
byte for byte, as Meta would, and the job system processes it.
"""

from __future__ import annotations

import base64

from sqlalchemy import func, select

from channels.base import ReplyMode
from helpdesk.auth import Principal
from helpdesk.db import transaction
from helpdesk.models import (
    AccountHealth,
    Attachment,
    ChannelAccount,
    Message,
    OutboxItem,
    Ticket,
    utcnow,
)
from helpdesk.outbox import send_item
from helpdesk.reply_modes import queue_reply_as, reply_choices
from tests.channels.facebook.test_adapter import PNG
from tests.channels.meta.social_fixtures import CITIZEN_PSID, PAGE_ID, MetaSim, Relay
from tests.conftest import VERIFY_TOKEN


def admin(seed) -> Principal:  # type: ignore[no-untyped-def]
    return Principal(seed.users["admin_tomohon"], "admin_tomohon", "Admin", False)


async def timeline(rt) -> list[Message]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return list(await session.scalars(select(Message).order_by(Message.id)))


async def ticket_count(rt) -> int:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return int(await session.scalar(select(func.count(Ticket.id))) or 0)


async def citizen_message(meta_sim: MetaSim, relay: Relay, jobs, text: str = "KTP saya hilang"):  # type: ignore[no-untyped-def]
    meta_sim.act("facebook", "message", account_id=PAGE_ID, **{"from": CITIZEN_PSID}, text=text)
    assert await relay.forward() == [200]
    await jobs.drain()


async def citizen_comment(meta_sim: MetaSim, relay: Relay, jobs, **extra) -> str:  # type: ignore[no-untyped-def]
    answer = meta_sim.act(
        "facebook",
        "comment",
        account_id=PAGE_ID,
        **{"from": "6001002003004005"},
        name="Maria Lumowa",
        text=extra.pop("text", "Jadwal perekaman KTP-el kapan?"),
        **extra,
    )
    assert await relay.forward() == [200]
    await jobs.drain()
    return str(answer["id"])


async def answer(rt, seed, mode: str, body: str = "Setiap hari kerja pukul 08.00") -> int:  # type: ignore[no-untyped-def]
    async with transaction(rt.sessions) as session:
        ticket = await session.scalar(select(Ticket))
        assert ticket is not None
        _, item = await queue_reply_as(session, rt.adapters, ticket, admin(seed), body, mode)
        item_id = item.id
    await send_item(rt, item_id)
    return item_id


async def choices(rt):  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        ticket = await session.scalar(select(Ticket))
        return await reply_choices(session, rt.adapters, ticket)


async def test_a_messenger_message_opens_a_ticket_and_the_reply_reaches_messenger(
    rt, jobs, social_seed, meta_sim, relay
):
    await citizen_message(meta_sim, relay, jobs)
    [inbound] = await timeline(rt)
    assert (inbound.direction, inbound.channel, inbound.body) == (
        "in",
        "facebook",
        "KTP saya hilang",
    )
    chosen = await choices(rt)
    assert chosen.modes == (ReplyMode.message,) and chosen.window == "open"

    await answer(rt, social_seed, "message", "Silakan datang ke loket 3")
    [sent] = meta_sim.facebook.store.outbound()
    assert (sent.citizen, sent.text) == (CITIZEN_PSID, "Silakan datang ke loket 3")
    # Meta echoes our own send back: it is the same message, not a second one.
    assert await relay.forward() == [200]
    await jobs.drain()
    messages = await timeline(rt)
    assert [(m.direction, m.external_id) for m in messages] == [
        ("in", inbound.external_id),
        ("out", sent.id),
    ]
    assert await ticket_count(rt) == 1


async def test_an_answer_typed_in_metas_own_app_shows_as_outbound_never_a_complaint(
    rt, jobs, social_seed, meta_sim, relay
):
    await citizen_message(meta_sim, relay, jobs)
    meta_sim.act(
        "facebook", "app_message", account_id=PAGE_ID, to=CITIZEN_PSID, text="Sudah kami cek"
    )
    assert await relay.forward() == [200]
    await jobs.drain()
    messages = await timeline(rt)
    assert [(m.direction, m.body, m.status) for m in messages] == [
        ("in", "KTP saya hilang", "received"),
        ("out", "Sudah kami cek", "sent"),
    ]
    assert messages[1].details["echo"] is True and messages[1].author_id is None
    assert await ticket_count(rt) == 1


async def test_an_echo_to_someone_without_a_ticket_opens_nothing(
    rt, jobs, social_seed, meta_sim, relay
):
    meta_sim.act("facebook", "app_message", account_id=PAGE_ID, to="7009", text="Halo")
    assert await relay.forward() == [200]
    await jobs.drain()
    assert await timeline(rt) == [] and await ticket_count(rt) == 0


async def test_a_duplicate_delivery_adds_nothing(rt, jobs, social_seed, meta_sim, relay):
    await citizen_message(meta_sim, relay, jobs)
    [webhook] = meta_sim.receiver.requests
    assert await relay.replay(webhook.body, webhook.headers) == 200
    await jobs.drain()
    assert len(await timeline(rt)) == 1 and await ticket_count(rt) == 1


async def test_a_bad_signature_is_refused_and_stores_nothing(
    rt, jobs, client, social_seed, meta_sim, relay
):
    meta_sim.act("facebook", "message", account_id=PAGE_ID, **{"from": CITIZEN_PSID}, text="x")
    [webhook] = meta_sim.receiver.wait_for(1)
    forged = webhook.body.replace(b"x", b"y")
    status = await relay.replay(forged, webhook.headers)
    assert status == 403
    await jobs.drain()
    assert await timeline(rt) == []


async def test_a_comment_is_a_ticket_answered_publicly_and_privately_once(
    rt, jobs, social_seed, meta_sim, relay
):
    comment_id = await citizen_comment(meta_sim, relay, jobs)
    chosen = await choices(rt)
    assert chosen.modes == (ReplyMode.public_comment, ReplyMode.private_reply)
    assert chosen.target_external_id == comment_id

    await answer(rt, social_seed, "public_comment", "Setiap hari kerja")
    [public] = meta_sim.facebook.store.outbound()
    assert (public.kind, public.parent_id, public.text) == (
        "comment",
        comment_id,
        "Setiap hari kerja",
    )
    assert await relay.forward() == [200]  # the page's own comment comes back as a feed change
    await jobs.drain()

    await answer(rt, social_seed, "private_reply", "Nomor antrean Anda kami kirim di sini")
    private = meta_sim.facebook.store.outbound()[1]
    assert (private.kind, private.private_reply_to) == ("message", comment_id)
    assert await relay.forward() == [200]
    await jobs.drain()

    messages = await timeline(rt)
    assert [(m.direction, m.external_id, m.status) for m in messages] == [
        ("in", comment_id, "received"),
        ("out", public.id, "sent"),
        ("out", private.id, "sent"),
    ]
    assert (await choices(rt)).modes == (ReplyMode.public_comment,)  # the private reply is used


async def test_a_reply_meta_rejects_shows_why_on_the_message(
    rt, jobs, social_seed, meta_sim, relay
):
    await citizen_comment(meta_sim, relay, jobs)
    meta_sim.fault("facebook", "already_replied")
    await answer(rt, social_seed, "private_reply")
    [reply] = [m for m in await timeline(rt) if m.direction == "out"]
    assert reply.status == "failed"
    assert reply.error == "[10900] (#10900) Activity already replied to"


async def test_a_rate_limit_is_retried_later_with_backoff(rt, jobs, social_seed, meta_sim, relay):
    await citizen_message(meta_sim, relay, jobs)
    meta_sim.fault("facebook", "rate_limit", code=613, retry_after=30)
    async with transaction(rt.sessions) as session:
        ticket = await session.scalar(select(Ticket))
        _, item = await queue_reply_as(
            session, rt.adapters, ticket, admin(social_seed), "Baik", "message"
        )
        item_id = item.id
    outcome = await send_item(rt, item_id)
    assert (outcome.state, outcome.retry_in) == ("pending", 30)
    [reply] = [m for m in await timeline(rt) if m.direction == "out"]
    assert reply.status == "queued" and reply.error_code == "613"
    assert meta_sim.facebook.store.outbound() == []
    async with transaction(rt.sessions) as session:  # the backoff has passed
        item = await session.get_one(OutboxItem, item_id)
        item.next_attempt_at = utcnow()
    assert (await send_item(rt, item_id)).state == "done"
    [reply] = [m for m in await timeline(rt) if m.direction == "out"]
    assert (reply.status, reply.error) == ("sent", None)
    assert [i.text for i in meta_sim.facebook.store.outbound()] == ["Baik"]


async def test_an_expired_token_marks_the_page_as_needing_attention(
    rt, jobs, social_seed, meta_sim, relay
):
    await citizen_message(meta_sim, relay, jobs)
    meta_sim.fault("facebook", "token_expired")
    await answer(rt, social_seed, "message")
    [reply] = [m for m in await timeline(rt) if m.direction == "out"]
    assert (reply.status, reply.error_code) == ("failed", "190")
    async with rt.sessions() as session:
        page = await session.scalar(select(ChannelAccount).where(ChannelAccount.kind == "facebook"))
        assert page is not None and page.health == AccountHealth.needs_attention


async def test_an_edited_then_removed_comment_keeps_its_record_marked(
    rt, jobs, social_seed, meta_sim, relay
):
    comment_id = await citizen_comment(meta_sim, relay, jobs, text="Jadwal KTP kapan?")
    meta_sim.act(
        "facebook", "comment_change", comment_id=comment_id, verb="edited", text="Jadwal KIA kapan?"
    )
    meta_sim.act("facebook", "comment_change", comment_id=comment_id, verb="remove")
    assert await relay.forward(2) == [200, 200]
    await jobs.drain()
    [message] = await timeline(rt)
    assert message.body == "Jadwal KIA kapan?"
    assert [e["body"] for e in message.details["edits"]] == ["Jadwal KTP kapan?"]
    assert "removed_at" in message.details
    assert await ticket_count(rt) == 1


async def test_a_citizens_reply_under_their_comment_joins_its_ticket(
    rt, jobs, social_seed, meta_sim, relay
):
    first = await citizen_comment(meta_sim, relay, jobs)
    meta_sim.act(
        "facebook",
        "comment",
        account_id=PAGE_ID,
        **{"from": "6009"},
        text="Saya juga",
        parent_id=first,
    )
    assert await relay.forward() == [200]
    await jobs.drain()
    messages = await timeline(rt)
    assert len({m.ticket_id for m in messages}) == 1 and len(messages) == 2


async def test_the_subscription_handshake_answers_only_a_known_verify_token(client, social_seed):
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    for channel in ("facebook", "instagram"):
        good = await client.get(
            f"/webhooks/{channel}", params=query | {"hub.verify_token": VERIFY_TOKEN}
        )
        assert (good.status_code, good.text) == (200, "1158201444")
        bad = await client.get(f"/webhooks/{channel}", params=query | {"hub.verify_token": "x"})
        assert bad.status_code == 403


async def test_a_photo_sent_on_messenger_is_downloaded_into_the_ticket(
    rt, jobs, social_seed, meta_sim, relay
):
    meta_sim.act(
        "facebook",
        "message",
        account_id=PAGE_ID,
        **{"from": CITIZEN_PSID},
        content_base64=base64.b64encode(PNG).decode(),
        mime_type="image/png",
    )
    assert await relay.forward() == [200]
    await jobs.drain()
    async with rt.sessions() as session:
        [attachment] = await session.scalars(select(Attachment))
    assert (attachment.status, attachment.content_type) == ("stored", "image/png")
    assert rt.storage.path(attachment.storage_key).read_bytes() == PNG
