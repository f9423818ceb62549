"""Queueing an outbound message: the message on the account it really goes out on (which the
timeline and reports show), its outbox item due now, and its audit entry. Replies, receipts and
status reports to a platform all go this way; the outbox sends them (`helpdesk.outbox`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.models import (
    Attachment,
    AuditEvent,
    ChannelAccount,
    Direction,
    Message,
    MessageStatus,
    OutboxItem,
    Ticket,
    utcnow,
)


async def queue(
    session: AsyncSession,
    ticket: Ticket,
    account: ChannelAccount,
    *,
    author_id: int | None,
    content_kind: str,
    body: str,
    details: dict[str, Any],
    audit: tuple[str, dict[str, Any]],
    reply_to_external_id: str | None = None,
    attachment: Attachment | None = None,
) -> tuple[Message, OutboxItem]:
    """`audit` is the entry's action and its detail beside the message id. The caller checked
    what may be sent; it commits, then enqueues `send_outbox_item` for the item."""
    now = utcnow()
    message = Message(
        ticket_id=ticket.id,
        direction=Direction.outbound,
        channel=account.kind,
        channel_account_id=account.id,
        content_kind=content_kind,
        body=body,
        details=details,
        reply_to_external_id=reply_to_external_id,
        status=MessageStatus.queued,
        author_id=author_id,
        created_at=now,
        status_at=now,
    )
    session.add(message)
    await session.flush()
    if attachment is not None:
        attachment.message_id = message.id
        session.add(attachment)
    item = OutboxItem(message_id=message.id, next_attempt_at=now)
    session.add(item)
    action, detail = audit
    session.add(
        AuditEvent(
            office_id=ticket.office_id,
            ticket_id=ticket.id,
            user_id=author_id,
            action=action,
            detail={"message_id": message.id, **detail},
        )
    )
    await session.flush()
    return message, item
