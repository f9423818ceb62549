"""What a platform reports about messages after they arrived: the account's own sends coming
back (echoes) and changes to received messages (a comment edited, removed, hidden).

An echo is shown on the ticket as an outbound message, never a complaint: it never opens a
ticket or a contact. Its platform id is the idempotency key (unique per channel account), so
the echo of a reply this helpdesk sent, or a re-delivered echo, adds nothing. While a reply to
the same conversation is still on its way out (its id not recorded yet), the echo waits, as a
status that overtakes its send does. A changed message keeps what it said before, marked.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import EchoMessage, MessageChange, MessageUpdate, ParsedPayload
from helpdesk.db import transaction
from helpdesk.delivery import StatusResult
from helpdesk.dialect import insert_for
from helpdesk.models import (
    AuditEvent,
    ChannelAccount,
    ContactIdentity,
    Direction,
    Message,
    MessageStatus,
    Ticket,
    utcnow,
)
from helpdesk.runtime import Runtime

#: earlier texts of an edited message kept in its details
MAX_EDITS_KEPT = 20


def has_updates(parsed: ParsedPayload) -> bool:
    return bool(parsed.echoes or parsed.updates)


async def apply(rt: Runtime, channel: str, parsed: ParsedPayload) -> list[StatusResult]:
    """Apply every echo and update of a parsed payload, each in its own transaction; the
    results read like delivery statuses' (`unknown_message`: wait and try again)."""
    results: list[StatusResult] = []
    for echo in parsed.echoes:
        async with transaction(rt.sessions) as session:
            results.append(await record_echo(session, channel, echo))
    for change in parsed.updates:
        async with transaction(rt.sessions) as session:
            results.append(await apply_update(session, channel, change))
    return results


async def record_echo(session: AsyncSession, channel: str, echo: EchoMessage) -> StatusResult:
    account = await _account(session, channel, echo.account_key)
    if account is None:
        return StatusResult.unrouted
    if await _message(session, account.id, echo.external_id) is not None:
        return StatusResult.stale  # our own reply, or a re-delivery
    ticket = await _ticket_for_echo(session, account, echo)
    if ticket is None:
        # The account wrote first, to someone with no ticket here: not a complaint, and
        # nothing to show it on.
        return StatusResult.stale
    if await _reply_in_flight(session, ticket.id, account.id):
        return StatusResult.unknown_message
    now = utcnow()
    stmt = (
        insert_for(session, Message)
        .values(
            ticket_id=ticket.id,
            direction=Direction.outbound,
            channel=channel,
            channel_account_id=account.id,
            external_id=echo.external_id,
            content_kind=echo.kind,
            body=echo.body,
            details=dict(echo.details) | {"echo": True},
            status=MessageStatus.sent,
            reply_to_external_id=echo.reply_to_external_id,
            sent_at=echo.sent_at,
            created_at=now,
            status_at=now,
        )
        .on_conflict_do_nothing(index_elements=["channel_account_id", "external_id"])
        .returning(Message.id)
    )
    if (await session.execute(stmt)).scalar_one_or_none() is None:
        return StatusResult.stale
    ticket.last_activity_at = now
    return StatusResult.applied


async def apply_update(session: AsyncSession, channel: str, change: MessageUpdate) -> StatusResult:
    account = await _account(session, channel, change.account_key)
    if account is None:
        return StatusResult.unrouted
    message = await _message(session, account.id, change.external_id)
    if message is None:
        return StatusResult.unknown_message  # its arrival may still be on the way
    details = dict(message.details or {})
    at = change.at.isoformat()
    if change.change is MessageChange.edited:
        if change.body is None or change.body == message.body:
            return StatusResult.stale
        edits = list(details.get("edits") or [])
        edits.append({"body": message.body, "until": at})
        details["edits"] = edits[-MAX_EDITS_KEPT:]
        details["edited_at"] = at
        message.body = change.body
    elif change.change is MessageChange.removed:
        if "removed_at" in details:
            return StatusResult.stale
        details["removed_at"] = at  # the text stays, for the record
    else:
        hidden = change.change is MessageChange.hidden
        if details.get("hidden", False) == hidden:
            return StatusResult.stale
        details["hidden"] = hidden
    message.details = details
    ticket = await session.get_one(Ticket, message.ticket_id)
    session.add(
        AuditEvent(
            office_id=ticket.office_id,
            ticket_id=ticket.id,
            action=f"message.{change.change.value}",
            detail={"message_id": message.id},
        )
    )
    return StatusResult.applied


async def _account(session: AsyncSession, channel: str, key: str) -> ChannelAccount | None:
    return await session.scalar(
        select(ChannelAccount).where(
            ChannelAccount.kind == channel,
            ChannelAccount.key == key,
            ChannelAccount.active.is_(True),
        )
    )


async def _message(session: AsyncSession, account_id: int, external_id: str) -> Message | None:
    return await session.scalar(
        select(Message).where(
            Message.channel_account_id == account_id, Message.external_id == external_id
        )
    )


async def _ticket_for_echo(
    session: AsyncSession, account: ChannelAccount, echo: EchoMessage
) -> Ticket | None:
    """The ticket of the message the echo answers (a comment reply), else the latest ticket
    of the citizen it went to, in the account's office."""
    if echo.reply_to_external_id:
        answered = await _message(session, account.id, echo.reply_to_external_id)
        if answered is not None:
            return await session.get_one(Ticket, answered.ticket_id)
    if not echo.recipient_id:
        return None
    contact_id = await session.scalar(
        select(ContactIdentity.contact_id).where(
            ContactIdentity.office_id == account.office_id,
            ContactIdentity.channel == account.kind,
            ContactIdentity.external_id == echo.recipient_id,
        )
    )
    if contact_id is None:
        return None
    return await session.scalar(
        select(Ticket)
        .where(Ticket.office_id == account.office_id, Ticket.contact_id == contact_id)
        .order_by(Ticket.last_activity_at.desc(), Ticket.id.desc())
        .limit(1)
    )


async def _reply_in_flight(session: AsyncSession, ticket_id: int, account_id: int) -> bool:
    """A reply on this ticket is queued, or sent and its platform id not recorded yet."""
    found = await session.scalar(
        select(Message.id)
        .where(
            Message.ticket_id == ticket_id,
            Message.channel_account_id == account_id,
            Message.direction == Direction.outbound,
            Message.status == MessageStatus.queued,
            Message.external_id.is_(None),
        )
        .limit(1)
    )
    return found is not None
