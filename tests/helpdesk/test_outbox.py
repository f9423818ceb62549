"""The outbox against the WhatsApp simulator: sent once, retried when worth it, failures shown."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from channels.base import PlatformEndpoints
from channels.whatsapp.simulator import SimNumber, SimulatorConfig, StatusDelays
from helpdesk.auth import Principal
from helpdesk.db import transaction
from helpdesk.models import ChannelAccount, Message, OutboxItem, Ticket
from helpdesk.outbox import ReplyRefused, queue_reply, retry_failed, send_item
from tests.conftest import ACCESS_TOKEN, APP_SECRET, BREBES_WA, inbound


@pytest.fixture
def simulator(serve_whatsapp_simulator, webhook_receiver):  # type: ignore[no-untyped-def]
    config = SimulatorConfig(
        numbers=[SimNumber(BREBES_WA, "6281100000001", ACCESS_TOKEN, "Brebes")],
        app_secret=APP_SECRET,
        webhook_url=webhook_receiver.url,
        status_delays=StatusDelays(sent=30, delivered=30, read=None),  # not needed here
    )
    return serve_whatsapp_simulator(config)


@pytest.fixture
def endpoints(simulator) -> PlatformEndpoints:  # type: ignore[no-untyped-def]
    return PlatformEndpoints(graph_api_url=simulator.graph_url, timeout_seconds=5)


def admin(seed) -> Principal:  # type: ignore[no-untyped-def]
    return Principal(seed.users["admin_brebes"], "admin_brebes", "Admin", False)


async def queued_reply(rt, seed, receive, body="Silakan datang ke loket 3") -> int:  # type: ignore[no-untyped-def]
    received = await receive(inbound("KTP saya rusak"))
    async with transaction(rt.sessions) as session:
        ticket = await session.get_one(Ticket, received.ticket_id)
        _, item = await queue_reply(session, ticket, admin(seed), body)
        return item.id


async def reply_of(rt, item_id: int) -> tuple[Message, OutboxItem]:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        item = await session.get_one(OutboxItem, item_id)
        return await session.get_one(Message, item.message_id), item


def fault(simulator, kind: str, count: int = 1, **extra) -> None:  # type: ignore[no-untyped-def]
    response = httpx.post(
        f"{simulator.base_url}/_sim/faults", json={"fault": kind, "count": count, **extra}
    )
    response.raise_for_status()


async def test_a_reply_reaches_the_citizen_and_records_the_wamid(rt, seed, receive, simulator):
    item_id = await queued_reply(rt, seed, receive)
    outcome = await send_item(rt, item_id)
    message, item = await reply_of(rt, item_id)
    [sent] = simulator.store.outbound()
    assert outcome.state == "done" and item.state == "done"
    assert (message.status, message.external_id) == ("sent", sent.id)
    assert (sent.citizen, sent.text) == ("6281234567890", "Silakan datang ke loket 3")


async def test_a_reply_is_sent_once_even_if_two_workers_pick_it(rt, seed, receive, simulator):
    item_id = await queued_reply(rt, seed, receive)
    first = await send_item(rt, item_id)
    second = await send_item(rt, item_id)
    assert (first.claimed, first.state) == (True, "done")
    assert (second.claimed, second.state) == (False, "done")
    assert len(simulator.store.outbound()) == 1


@pytest.mark.parametrize("kind", ["rate_limit", "throughput", "server_error", "bad_gateway_html"])
async def test_an_outage_or_rate_limit_keeps_the_reply_queued_for_a_retry(
    rt, seed, receive, simulator, kind
):
    item_id = await queued_reply(rt, seed, receive)
    fault(simulator, kind)
    outcome = await send_item(rt, item_id)
    message, item = await reply_of(rt, item_id)
    assert outcome.state == "pending" and outcome.retry_in and outcome.retry_in >= 5
    assert (message.status, item.state, item.attempts) == ("queued", "pending", 1)
    assert message.error  # the reason shows beside the queued reply meanwhile
    # When the retry falls due, it goes through and the reason is cleared.
    async with transaction(rt.sessions) as session:
        (await session.get_one(OutboxItem, item_id)).next_attempt_at -= timedelta(minutes=5)
    assert (await send_item(rt, item_id)).state == "done"
    message, _ = await reply_of(rt, item_id)
    assert (message.status, message.error) == ("sent", None)


async def test_a_retry_is_not_taken_before_it_falls_due(rt, seed, receive, simulator):
    item_id = await queued_reply(rt, seed, receive)
    fault(simulator, "server_error")
    await send_item(rt, item_id)
    early = await send_item(rt, item_id)
    assert (early.claimed, early.state) == (False, "pending")
    assert simulator.store.outbound() == []


async def test_the_closed_24_hour_window_fails_the_reply_with_its_reason(
    rt, seed, receive, simulator
):
    item_id = await queued_reply(rt, seed, receive)
    fault(simulator, "reengagement")
    assert (await send_item(rt, item_id)).state == "failed"
    message, item = await reply_of(rt, item_id)
    assert (message.status, message.error_code, item.state) == ("failed", "131047", "failed")
    assert "Re-engagement" in message.error


async def test_our_own_window_check_refuses_before_calling_meta(rt, seed, receive, simulator):
    item_id = await queued_reply(rt, seed, receive)
    async with transaction(rt.sessions) as session:
        message = await session.get_one(
            Message, (await session.get_one(OutboxItem, item_id)).message_id
        )
        ticket = await session.get_one(Ticket, message.ticket_id)
        ticket.last_inbound_at -= timedelta(hours=25)
    assert (await send_item(rt, item_id)).state == "failed"
    message, _ = await reply_of(rt, item_id)
    assert message.error_code == "window_closed"
    assert simulator.store.outbound() == []


async def test_an_expired_token_fails_the_reply_and_flags_the_channel(rt, seed, receive, simulator):
    item_id = await queued_reply(rt, seed, receive)
    fault(simulator, "token_expired")
    assert (await send_item(rt, item_id)).state == "failed"
    message, _ = await reply_of(rt, item_id)
    assert message.error_code == "190"
    async with rt.sessions() as session:
        account = await session.scalar(
            select(ChannelAccount).where(ChannelAccount.key == BREBES_WA)
        )
    assert account.health == "needs_attention" and "190" in account.last_error


async def test_a_failed_reply_can_be_retried_by_the_admin(rt, seed, receive, simulator):
    item_id = await queued_reply(rt, seed, receive)
    fault(simulator, "undeliverable")
    await send_item(rt, item_id)
    async with transaction(rt.sessions) as session:
        message = await session.get_one(
            Message, (await session.get_one(OutboxItem, item_id)).message_id
        )
        await retry_failed(session, message, admin(seed))
    assert (await send_item(rt, item_id)).state == "done"


async def test_platform_unreachable_is_transient(rt, seed, receive, simulator):
    item_id = await queued_reply(rt, seed, receive)
    rt.adapters["whatsapp"].endpoints = PlatformEndpoints(graph_api_url="http://127.0.0.1:9/")
    assert (await send_item(rt, item_id)).state == "pending"


@pytest.mark.parametrize(("body", "reason"), [("   ", "empty"), ("x" * 4097, "too_long")])
async def test_a_reply_that_cannot_be_sent_is_refused_before_queueing(
    rt, seed, receive, body, reason
):
    received = await receive(inbound("Halo"))
    async with transaction(rt.sessions) as session:
        ticket = await session.get_one(Ticket, received.ticket_id)
        with pytest.raises(ReplyRefused, match=reason):
            await queue_reply(session, ticket, admin(seed), body)
