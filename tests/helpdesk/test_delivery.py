"""Delivery statuses only move forward, whatever order the platform sends them in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.base import DeliveryStatus, StatusUpdate
from helpdesk.db import transaction
from helpdesk.delivery import StatusResult, apply_status
from helpdesk.models import Direction, Message, MessageStatus
from tests.conftest import BREBES_WA, inbound


async def outbound(rt, receive, status=MessageStatus.sent) -> int:  # type: ignore[no-untyped-def]
    received = await receive(inbound("Halo"))
    async with transaction(rt.sessions) as session:
        ticket_message = await session.get_one(Message, received.message_id)
        message = Message(
            ticket_id=received.ticket_id,
            direction=Direction.outbound,
            channel="whatsapp",
            channel_account_id=ticket_message.channel_account_id,
            external_id="wamid.out1",
            body="Silakan datang ke loket",
            status=status,
        )
        session.add(message)
        await session.flush()
        return message.id


def update(status: DeliveryStatus, **kw) -> StatusUpdate:  # type: ignore[no-untyped-def]
    return StatusUpdate(BREBES_WA, "wamid.out1", status, datetime.now(UTC), **kw)


async def final_status(rt, message_id: int) -> Message:  # type: ignore[no-untyped-def]
    async with rt.sessions() as session:
        return await session.get_one(Message, message_id)


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [
        (["delivered", "read"], "read"),
        (["read", "delivered"], "read"),
        (["read", "sent"], "read"),
        (["delivered", "sent"], "delivered"),
        (["sent", "read"], "read"),  # delivered may be skipped
        (["failed"], "failed"),
        (["delivered", "failed"], "delivered"),  # a late failure never undoes a delivery
    ],
)
async def test_statuses_never_move_backwards(rt, receive, sequence, expected):
    message_id = await outbound(rt, receive)
    for status in sequence:
        await apply_status(rt, "whatsapp", update(DeliveryStatus(status)))
    assert (await final_status(rt, message_id)).status == expected


async def test_a_failed_status_keeps_the_platforms_reason(rt, receive):
    message_id = await outbound(rt, receive)
    result = await apply_status(
        rt,
        "whatsapp",
        update(DeliveryStatus.failed, error="Re-engagement message", error_code="131047"),
    )
    message = await final_status(rt, message_id)
    assert result is StatusResult.applied
    assert (message.status, message.error, message.error_code) == (
        "failed",
        "Re-engagement message",
        "131047",
    )


async def test_a_status_for_an_unknown_message_is_reported_as_such(rt, receive):
    await receive(inbound("Halo"))
    result = await apply_status(rt, "whatsapp", update(DeliveryStatus.read))
    assert result is StatusResult.unknown_message


async def test_a_status_for_an_unknown_account_is_unrouted(rt, seed):
    status = StatusUpdate("000", "wamid.x", DeliveryStatus.read, datetime.now(UTC))
    assert await apply_status(rt, "whatsapp", status) is StatusResult.unrouted


async def test_an_inbound_message_never_takes_a_status(rt, receive):
    received = await receive(inbound("Halo", external_id="wamid.out1"))
    await apply_status(rt, "whatsapp", update(DeliveryStatus.read))
    assert (await final_status(rt, received.message_id)).status == "received"
