"""The outbox: the one path every reply takes to a citizen (STYLE.md habit 5).

A reply is first a queued message row with an outbox item, committed; a job then claims the
item, sends it through the channel's adapter and records the platform id. Transient errors retry
with backoff; permanent ones fail the message with a visible reason; an auth error also marks the
channel account as needing attention.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import (
    AuthError,
    ChannelError,
    ContentKind,
    OutboundMedia,
    OutboundMessage,
    OutboundTemplate,
    PermanentError,
    ReplyMode,
    StatusReport,
    TicketChange,
    TransientError,
)
from helpdesk import first_contact, notify, outbound, status_reports
from helpdesk.auth import Principal
from helpdesk.consultation_mirror import outgoing as mirror_outgoing
from helpdesk.db import transaction
from helpdesk.models import (
    AccountHealth,
    Attachment,
    AttachmentStatus,
    AuditEvent,
    ChannelAccount,
    ContactIdentity,
    Direction,
    Message,
    MessageStatus,
    OutboxItem,
    OutboxState,
    Ticket,
    TicketStatus,
    utcnow,
)
from helpdesk.offices import account_config
from helpdesk.runtime import Runtime

log = logging.getLogger(__name__)

MAX_BODY = 4096  # WhatsApp's text limit; the strictest of our channels
# Seconds to wait before attempt n+1; after the last, the reply fails for good.
BACKOFF = (5, 15, 45, 120, 300, 900, 1800, 3600, 3600, 3600)
CLAIM_SECONDS = 120
THREAD_REFS = 20


class ReplyRefused(ValueError):
    """The reply cannot be queued (empty, too long, no channel to answer on)."""


@dataclass(frozen=True)
class SendOutcome:
    state: OutboxState
    retry_in: float | None = None
    claimed: bool = True  # False: another worker holds it, or it is done or not due yet


async def queue_reply(
    session: AsyncSession,
    ticket: Ticket,
    author: Principal,
    body: str,
    *,
    reply_to_external_id: str | None = None,
    content_kind: str = "text",
    details: dict[str, Any] | None = None,
    attachment: Attachment | None = None,
) -> tuple[Message, OutboxItem]:
    """Queue a reply on the ticket's reply account (its channel of origin, or for a counter,
    phone or web ticket the citizen's WhatsApp or email); the caller commits, then enqueues.

    `reply_to_external_id` quotes a message; `details["template"]` (name, language,
    parameters) sends an approved template whose filled text is `body`; `attachment`, already
    stored and checked, is sent as a file with `body` as its caption.
    """
    body = body.replace("\x00", "").strip()
    if not body and attachment is None:
        raise ReplyRefused("empty")
    if len(body) > MAX_BODY:
        raise ReplyRefused("too_long")
    if ticket.channel_account_id is None:
        raise ReplyRefused("no_channel")
    account = await session.get_one(ChannelAccount, ticket.channel_account_id)
    message, item = await outbound.queue(
        session,
        ticket,
        account,
        author_id=author.user_id,
        content_kind=content_kind,
        body=body,
        details=details or {},
        audit=("reply.queued", {}),
        reply_to_external_id=reply_to_external_id,
        attachment=attachment,
    )
    if ticket.first_response_at is None:
        ticket.first_response_at = message.created_at
    if ticket.status == TicketStatus.new:
        ticket.status = TicketStatus.open
    ticket.last_activity_at = message.created_at
    await session.flush()
    return message, item


async def send_item(rt: Runtime, item_id: int) -> SendOutcome:
    """Claim one outbox item and try to send it."""
    now = utcnow()
    async with transaction(rt.sessions) as session:
        claimed = await session.execute(
            update(OutboxItem)
            .where(
                OutboxItem.id == item_id,
                OutboxItem.state == OutboxState.pending,
                OutboxItem.next_attempt_at <= now + timedelta(seconds=1),
                or_(OutboxItem.locked_until.is_(None), OutboxItem.locked_until < now),
            )
            .values(
                attempts=OutboxItem.attempts + 1,
                locked_until=now + timedelta(seconds=CLAIM_SECONDS),
            )
        )
        if not claimed.rowcount:
            state = await session.scalar(select(OutboxItem.state).where(OutboxItem.id == item_id))
            return SendOutcome(OutboxState(state or OutboxState.failed), claimed=False)
        item = await session.get_one(OutboxItem, item_id)
        message = await session.get_one(Message, item.message_id)
        ticket = await session.get_one(Ticket, message.ticket_id)
        account = await session.get_one(ChannelAccount, message.channel_account_id)
        recipient = await session.scalar(
            select(ContactIdentity.external_id)
            .where(
                ContactIdentity.contact_id == ticket.contact_id,
                ContactIdentity.channel == account.kind,
            )
            .order_by(ContactIdentity.id.desc())
            .limit(1)
        )
        attempts = item.attempts
        config = account_config(account)
        last_inbound_at = await first_contact.last_inbound_on(session, ticket, account)
        outbound = OutboundMessage(
            recipient_id=recipient or "",
            body=message.body,
            reply_to_external_id=message.reply_to_external_id,
            last_inbound_at=last_inbound_at,
            subject=ticket.subject or None,
            register_no=ticket.register_no,
            thread_refs=await _thread_refs(session, message),
            template=_template_of(message),
            reply_mode=ReplyMode((message.details or {}).get("reply_mode") or ReplyMode.message),
        )
        media_file = await _media_file(session, message)
        adapter = rt.adapters.get(account.kind)
        # A consultation note mirrored to the office's staff group: no citizen involved.
        mirrored = message.id if message.direction == Direction.note else None
        # The reply box's rule, applied as it showed it: as written, as the account's
        # first-contact template, or refused before any platform call.
        way = (
            first_contact.free_reply(adapter, ticket, account, last_inbound_at, now)
            if first_contact.is_free_reply(message)
            else first_contact.AS_WRITTEN
        )
        values = (
            await first_contact.values_for(session, ticket, message)
            if way.way == first_contact.Way.as_template
            else None
        )
        status_report = (
            StatusReport(
                change=TicketChange((message.details or {}).get("ticket_status")),
                note=str((message.details or {}).get("note") or ""),
                thread_refs=outbound.thread_refs,
            )
            if message.content_kind == status_reports.KIND
            else None
        )
        # A status goes after the replies queued before it (the answer, then "done").
        replies_ahead = (
            await status_reports.replies_ahead(session, message)
            if status_report is not None
            else False
        )

    try:
        if adapter is None:
            raise PermanentError(f"no adapter for channel {account.kind}", code="no_adapter")
        if not recipient and mirrored is None and status_report is None:
            raise PermanentError("the citizen has no identity on this channel", code="no_recipient")
        if media_file is not None:
            outbound = replace(outbound, media=await _read_media(rt, media_file))
        if replies_ahead:
            raise TransientError("an earlier reply is still being sent", code="replies_ahead")
        if way.way == first_contact.Way.refused:
            raise PermanentError(way.reason, code=way.code)
        if way.template is not None and values is not None:
            outbound = await first_contact.as_template(
                rt, account, way.template, message.id, outbound, values
            )
        if mirrored is not None:
            external_id = await mirror_outgoing.deliver(rt, adapter, config, mirrored)
        elif status_report is not None:
            await adapter.report_status(config, status_report)
            external_id = None
        else:
            external_id = await adapter.send(config, outbound)
    except TransientError as exc:
        if attempts >= len(BACKOFF):
            await _fail(rt, item_id, exc, attempts)
            return SendOutcome(OutboxState.failed)
        delay = max(exc.retry_after or 0, BACKOFF[attempts - 1])
        await _retry(rt, item_id, exc, delay)
        if status_report is not None and replies_ahead:
            # The reply ahead may have finished while this waited: then go now, not later.
            async with transaction(rt.sessions) as session:
                if not await status_reports.replies_ahead(session, message):
                    item = await session.get_one(OutboxItem, item_id)
                    item.next_attempt_at = utcnow()
                    delay = 0
            if not delay:
                await _send_now(rt, [item_id])
        return SendOutcome(OutboxState.pending, retry_in=delay)
    except ChannelError as exc:
        await _fail(rt, item_id, exc, attempts, auth=isinstance(exc, AuthError))
        return SendOutcome(OutboxState.failed)
    await _done(rt, item_id, external_id)
    return SendOutcome(OutboxState.done)


async def _send_now(rt: Runtime, item_ids: list[int]) -> None:
    for item_id in item_ids:
        await rt.jobs.enqueue("send_outbox_item", item_id)


def _template_of(message: Message) -> OutboundTemplate | None:
    template = (message.details or {}).get("template")
    if not isinstance(template, dict):
        return None
    return OutboundTemplate(
        name=str(template.get("name") or ""),
        language=str(template.get("language") or ""),
        parameters=tuple(str(v) for v in template.get("parameters") or ()),
    )


async def _media_file(session: AsyncSession, message: Message) -> Attachment | None:
    """The file an outbound message carries (stored when the admin attached it)."""
    if message.content_kind not in (ContentKind.image, ContentKind.document):
        return None
    return await session.scalar(
        select(Attachment).where(Attachment.message_id == message.id).order_by(Attachment.id)
    )


async def _read_media(rt: Runtime, attachment: Attachment) -> OutboundMedia:
    if attachment.status != AttachmentStatus.stored or not attachment.storage_key:
        raise PermanentError("the attached file is not stored", code="attachment_missing")
    try:
        content = await asyncio.to_thread(rt.storage.path(attachment.storage_key).read_bytes)
    except (OSError, ValueError) as exc:
        raise PermanentError(
            f"the attached file cannot be read: {exc}", code="attachment_missing"
        ) from exc
    return OutboundMedia(
        kind=ContentKind(attachment.kind),
        content=content,
        mime_type=attachment.content_type or "application/octet-stream",
        filename=attachment.filename or None,
    )


async def _thread_refs(session: AsyncSession, message: Message) -> tuple[str, ...]:
    """Platform ids of the ticket's earlier messages on this account, oldest first: the first
    and the latest THREAD_REFS - 1 (how mail clients trim References)."""
    refs = list(
        await session.scalars(
            select(Message.external_id)
            .where(
                Message.ticket_id == message.ticket_id,
                Message.channel_account_id == message.channel_account_id,
                Message.external_id.is_not(None),
                Message.id != message.id,
                Message.direction.in_((Direction.inbound, Direction.outbound)),
            )
            .order_by(Message.created_at, Message.id)
        )
    )
    if len(refs) > THREAD_REFS:
        refs = refs[:1] + refs[-(THREAD_REFS - 1) :]
    return tuple(r for r in refs if r)


async def _done(rt: Runtime, item_id: int, external_id: str | None) -> None:
    now = utcnow()
    async with transaction(rt.sessions) as session:
        item = await session.get_one(OutboxItem, item_id)
        item.state, item.locked_until, item.last_error = OutboxState.done, None, None
        message = await session.get_one(Message, item.message_id)
        message.external_id = external_id
        if message.status == MessageStatus.queued:  # a status webhook may already be ahead
            message.status, message.status_at = MessageStatus.sent, now
        message.error = message.error_code = None
        account = await session.get_one(ChannelAccount, message.channel_account_id)
        account.last_outbound_at = now
        if account.health != AccountHealth.ok:
            account.health = AccountHealth.ok
        behind = await status_reports.waiting_behind(session, message, account.kind)
    await _send_now(rt, behind)
    await notify.ticket_changed(rt, message.ticket_id, "status")  # the tick, live


async def _retry(rt: Runtime, item_id: int, exc: ChannelError, delay: float) -> None:
    async with transaction(rt.sessions) as session:
        item = await session.get_one(OutboxItem, item_id)
        item.next_attempt_at = utcnow() + timedelta(seconds=delay)
        item.locked_until = None
        item.last_error = _describe(exc)
        message = await session.get_one(Message, item.message_id)
        # Stays queued; the reason shows beside the reply until a try succeeds.
        message.error, message.error_code = _describe(exc), exc.code
    await rt.jobs.enqueue("send_outbox_item", item_id, defer=delay)


async def _fail(
    rt: Runtime, item_id: int, exc: ChannelError, attempts: int, auth: bool = False
) -> None:
    now = utcnow()
    async with transaction(rt.sessions) as session:
        item = await session.get_one(OutboxItem, item_id)
        item.state, item.locked_until, item.last_error = OutboxState.failed, None, _describe(exc)
        message = await session.get_one(Message, item.message_id)
        message.status, message.status_at = MessageStatus.failed, now
        message.error, message.error_code = _describe(exc), exc.code
        account = await session.get_one(ChannelAccount, message.channel_account_id)
        account.last_error, account.last_error_at = _describe(exc), now
        if auth:
            account.health = AccountHealth.needs_attention
        ticket = await session.get_one(Ticket, message.ticket_id)
        session.add(
            AuditEvent(
                office_id=ticket.office_id,
                ticket_id=ticket.id,
                action="reply.failed",
                detail={"message_id": message.id, "code": exc.code, "attempts": attempts},
            )
        )
        behind = await status_reports.waiting_behind(session, message, account.kind)
    await _send_now(rt, behind)
    await notify.ticket_changed(rt, ticket.id, "status")  # the failure shows live
    log.warning("outbox item %s failed: %s", item_id, exc)


async def retry_failed(session: AsyncSession, message: Message, who: Principal) -> OutboxItem:
    """Put a failed reply back in the queue (the admin's retry button)."""
    item = await session.scalar(select(OutboxItem).where(OutboxItem.message_id == message.id))
    if item is None or message.status != MessageStatus.failed:
        raise ReplyRefused("not_failed")
    now = utcnow()
    item.state, item.attempts, item.next_attempt_at, item.locked_until = (
        OutboxState.pending,
        0,
        now,
        None,
    )
    message.status, message.status_at, message.error, message.error_code = (
        MessageStatus.queued,
        now,
        None,
        None,
    )
    ticket = await session.get_one(Ticket, message.ticket_id)
    session.add(
        AuditEvent(
            office_id=ticket.office_id,
            ticket_id=ticket.id,
            user_id=who.user_id,
            action="reply.retried",
            detail={"message_id": message.id},
        )
    )
    await session.flush()
    return item


def _describe(exc: ChannelError) -> str:
    return (f"[{exc.code}] {exc.message}" if exc.code else exc.message)[:1000]
