"""Echoes and message changes, at the level of the helpdesk: what they add, and what they wait
for. (The channels' tests drive the same through real webhooks.)"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from channels.base import ContentKind, EchoMessage, MessageChange, MessageUpdate
from helpdesk.auth import Principal
from helpdesk.db import transaction
from helpdesk.delivery import StatusResult
from helpdesk.message_updates import apply_update, record_echo
from helpdesk.models import Message, Ticket
from helpdesk.outbox import queue_reply
from tests.channels.meta.social_fixtures import CITIZEN_PSID, PAGE_ID, social_seed
from tests.conftest import inbound

__all__ = ["social_seed"]


def echo(external_id: str, **fields) -> EchoMessage:  # type: ignore[no-untyped-def]
    fields.setdefault("recipient_id", CITIZEN_PSID)
    fields.setdefault("account_key", PAGE_ID)
    return EchoMessage(
        external_id=external_id,
        sent_at=datetime.now(UTC),
        kind=ContentKind.text,
        body="Sudah kami cek",
        **fields,
    )


async def citizen_ticket(rt, receive) -> int:  # type: ignore[no-untyped-def]
    received = await receive(
        inbound("KTP saya hilang", sender=CITIZEN_PSID, account=PAGE_ID, external_id="m_in1"),
        "facebook",
    )
    return received.ticket_id


async def test_an_echo_waits_while_a_reply_on_its_ticket_has_no_platform_id(
    rt, receive, social_seed
):
    ticket_id = await citizen_ticket(rt, receive)
    async with transaction(rt.sessions) as session:
        ticket = await session.get_one(Ticket, ticket_id)
        author = Principal(social_seed.users["admin_tomohon"], "admin_tomohon", "A", False)
        reply, _ = await queue_reply(session, ticket, author, "Baik")
        reply_id = reply.id
    async with transaction(rt.sessions) as session:
        # It may be the echo of that very reply: recording it now would make two.
        assert (
            await record_echo(session, "facebook", echo("m_out1")) is StatusResult.unknown_message
        )
    async with transaction(rt.sessions) as session:
        sent = await session.get_one(Message, reply_id)
        sent.external_id, sent.status = "m_out1", "sent"
    async with transaction(rt.sessions) as session:
        assert await record_echo(session, "facebook", echo("m_out1")) is StatusResult.stale
        assert await record_echo(session, "facebook", echo("m_app1")) is StatusResult.applied
        assert await record_echo(session, "facebook", echo("m_app1")) is StatusResult.stale
    async with rt.sessions() as session:
        bodies = list(await session.scalars(select(Message.external_id).order_by(Message.id)))
    assert bodies == ["m_in1", "m_out1", "m_app1"]


async def test_an_echo_for_an_account_we_do_not_have_is_unrouted(rt, social_seed):
    async with transaction(rt.sessions) as session:
        result = await record_echo(session, "facebook", echo("m_x", account_key="999"))
    assert result is StatusResult.unrouted


async def test_a_change_to_an_unknown_message_waits_and_a_repeated_change_is_stale(
    rt, receive, social_seed
):
    await citizen_ticket(rt, receive)
    now = datetime.now(UTC)
    unknown = MessageUpdate(PAGE_ID, "m_unknown", MessageChange.removed, now)
    edit = MessageUpdate(PAGE_ID, "m_in1", MessageChange.edited, now, "KTP dan KK saya hilang")
    async with transaction(rt.sessions) as session:
        assert await apply_update(session, "facebook", unknown) is StatusResult.unknown_message
        assert await apply_update(session, "facebook", edit) is StatusResult.applied
    async with transaction(rt.sessions) as session:
        assert await apply_update(session, "facebook", edit) is StatusResult.stale
        hide = MessageUpdate(PAGE_ID, "m_in1", MessageChange.hidden, now)
        assert await apply_update(session, "facebook", hide) is StatusResult.applied
    async with rt.sessions() as session:
        message = await session.scalar(select(Message).where(Message.external_id == "m_in1"))
    assert message is not None and message.body == "KTP dan KK saya hilang"
    assert message.details["edits"][0]["body"] == "KTP saya hilang"
    assert message.details["hidden"] is True
