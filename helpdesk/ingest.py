"""Ingest: the one place where inbound traffic becomes contacts, tickets and timeline messages.

Every channel ends here (STYLE.md habit 3). A stored inbound event is parsed by its channel's
adapter; each message is then received in its own transaction:
identity -> contact -> the ticket the message threads to (platform ids it answers, then a
register number it quotes), else the contact's continuing ticket in that office (for channels
that continue one), else a new one with a register number -> the message, inserted with
ON CONFLICT DO NOTHING on (account, platform id).
A duplicate rolls the whole transaction back, so a re-delivery can never open a ticket either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import InboundMessage, InvalidPayload, ParsedPayload
from helpdesk.db import transaction
from helpdesk.delivery import StatusResult, apply_status
from helpdesk.dialect import insert_for, is_postgresql
from helpdesk.jobs.queue import RetryLater
from helpdesk.models import (
    Attachment,
    AuditEvent,
    ChannelAccount,
    Contact,
    ContactIdentity,
    Direction,
    InboundEvent,
    InboundStatus,
    Message,
    MessageStatus,
    Office,
    Ticket,
    TicketStatus,
    utcnow,
)
from helpdesk.registers import take_number
from helpdesk.runtime import Runtime
from helpdesk.workflow import engine as workflow

log = logging.getLogger(__name__)

SUBJECT_LENGTH = 120
MAX_THREAD_REFS = 50
# How stale a channel account's "last message received" may be (it is for the health screen).
ACCOUNT_TOUCH_EVERY = timedelta(seconds=30)
# A status can overtake the send that produced its message id; wait for it this many times.
STATUS_WAIT_TRIES = 5
# An event whose processing keeps crashing is parked as failed (kept for replay) after this.
MAX_ATTEMPTS = 10


class _Duplicate(Exception):
    pass


@dataclass(frozen=True)
class Received:
    ticket_id: int
    message_id: int
    new_ticket: bool
    attachment_ids: tuple[int, ...]


async def process_event(rt: Runtime, event_id: int) -> str | None:
    """Process one stored inbound event; safe to run twice. Returns its final status."""
    async with transaction(rt.sessions) as session:
        event = await session.get(InboundEvent, event_id)
        if event is None or event.status != InboundStatus.pending:
            return event.status if event else None
        if event.attempts >= MAX_ATTEMPTS:
            event.status = InboundStatus.failed
            event.error = f"gave up after {event.attempts} attempts"
            return event.status
        event.attempts += 1
        attempts, channel, body = event.attempts, event.channel, event.body
    adapter = rt.adapters.get(channel)
    try:
        if adapter is None:
            raise InvalidPayload(f"no adapter for channel {channel!r}")
        parsed = adapter.parse(body)
    except InvalidPayload as exc:
        await _finish(rt, event_id, InboundStatus.rejected, str(exc))
        return InboundStatus.rejected

    status, note, received = await _apply(rt, channel, parsed, event_id)
    if status is None:  # statuses for messages not recorded yet
        if attempts < STATUS_WAIT_TRIES:
            await _schedule_media(rt, received)
            raise RetryLater(defer=2.0 * attempts)
        status, note = InboundStatus.processed, "status for a message we never sent"
    await _finish(rt, event_id, status, note)
    await _schedule_media(rt, received)
    return status


async def _apply(
    rt: Runtime, channel: str, parsed: ParsedPayload, event_id: int | None = None
) -> tuple[InboundStatus | None, str | None, list[Received]]:
    unrouted: set[str] = set()
    routed = 0
    received: list[Received] = []
    for message in parsed.messages:
        result = await receive_message(rt, channel, message, event_id=event_id)
        if result == "unrouted":
            unrouted.add(message.account_key)
        else:
            routed += 1
            if isinstance(result, Received):
                received.append(result)
    waiting = False
    for status in parsed.statuses:
        outcome = await apply_status(rt, channel, status)
        if outcome is StatusResult.unrouted:
            unrouted.add(status.account_key)
        else:
            routed += 1
            waiting = waiting or outcome is StatusResult.unknown_message
    note = f"no {channel} account for: {', '.join(sorted(unrouted))}" if unrouted else None
    if unrouted and not routed:
        return InboundStatus.unrouted, note, received
    if waiting:
        return None, note, received
    return InboundStatus.processed, note, received


async def _finish(rt: Runtime, event_id: int, status: InboundStatus, error: str | None) -> None:
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(InboundEvent)
            .where(InboundEvent.id == event_id)
            .values(status=status, error=(error or None) and error[:2000], processed_at=utcnow())
        )


async def _schedule_media(rt: Runtime, received: list[Received]) -> None:
    for item in received:
        for attachment_id in item.attachment_ids:
            await rt.jobs.enqueue(
                "fetch_attachment", attachment_id, job_id=f"attachment:{attachment_id}"
            )


async def receive_message(
    rt: Runtime, channel: str, message: InboundMessage, *, event_id: int | None = None
) -> Received | str:
    """Record one inbound message. Returns Received, "duplicate" or "unrouted".

    `event_id`, the raw inbound event it came in, is kept in the message's details (`event_id`):
    channels whose media travel inside that payload (email) read their attachments from it."""
    adapter = rt.adapters.get(channel)
    continue_open = adapter.continues_open_ticket if adapter is not None else True
    for _ in range(3):
        try:
            async with transaction(rt.sessions) as session:
                await _relax_durability(session)
                return await _receive(session, channel, message, event_id, continue_open)
        except _Duplicate:
            return "duplicate"
        except IntegrityError:
            # Another worker created the same contact identity at the same moment; go again
            # and find theirs.
            log.info(
                "retrying %s message %s after a concurrent insert", channel, message.external_id
            )
    raise RuntimeError(f"could not record {channel} message {message.external_id}")


async def _relax_durability(session: AsyncSession) -> None:
    """Commit without waiting for the WAL flush (PostgreSQL only).

    Safe because the raw event was stored durably before the platform got its 200: should the
    server crash before this commit reaches disk, the event (whose "processed" mark is written
    later, so is lost too) is still pending and the sweep receives it again. Any later durable
    commit (a reply, a step change) flushes this one first. Without the fsync wait the register
    counter's row lock is held for microseconds, not milliseconds.
    """
    if is_postgresql(session):
        await session.execute(text("SET LOCAL synchronous_commit TO OFF"))


async def _receive(
    session: AsyncSession,
    channel: str,
    message: InboundMessage,
    event_id: int | None = None,
    continue_open: bool = True,
) -> Received | str:
    account = await session.scalar(
        select(ChannelAccount).where(
            ChannelAccount.kind == channel,
            ChannelAccount.key == message.account_key,
            ChannelAccount.active.is_(True),
        )
    )
    if account is None:
        return "unrouted"
    office = await session.get_one(Office, account.office_id)
    contact = await _contact_for(session, office, channel, message)
    ticket = await _threaded_ticket(session, office, account, contact, message)
    if ticket is not None:
        new_ticket = False
    else:
        ticket, new_ticket = await _ticket_for(
            session, office, account, contact, message, continue_open=continue_open
        )
    details = dict(message.details)
    if event_id is not None:
        details["event_id"] = event_id

    now = utcnow()
    insert = insert_for(session, Message)
    stmt = (
        insert.values(
            ticket_id=ticket.id,
            direction=Direction.inbound,
            channel=channel,
            channel_account_id=account.id,
            external_id=message.external_id,
            content_kind=message.kind,
            body=message.body,
            details=details,
            status=MessageStatus.received,
            contact_id=contact.id,
            reply_to_external_id=message.reply_to_external_id,
            sent_at=message.sent_at,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["channel_account_id", "external_id"])
        .returning(Message.id)
    )
    message_id = (await session.execute(stmt)).scalar_one_or_none()
    if message_id is None:
        raise _Duplicate

    attachments = [
        Attachment(
            message_id=message_id,
            media_id=media.media_id,
            kind=media.kind,
            filename=(media.filename or "")[:255],
            declared_type=media.mime_type,
            sha256=media.sha256,
        )
        for media in message.media
    ]
    session.add_all(attachments)

    previous_status = ticket.status
    if ticket.status == TicketStatus.resolved:
        ticket.status = TicketStatus.open
        ticket.resolved_at = None
        session.add(AuditEvent(office_id=office.id, ticket_id=ticket.id, action="ticket.reopened"))
    elif ticket.status == TicketStatus.waiting:
        ticket.status = TicketStatus.open
    if not new_ticket:  # the SOP clock runs again, a reopened ticket restarts its workflow
        workflow.citizen_wrote(session, office, ticket, previous_status, message.body, now)
    sent_at = min(message.sent_at, now)  # a platform clock ahead of ours must not extend windows
    ticket.last_inbound_at = max(filter(None, (ticket.last_inbound_at, sent_at)))
    ticket.last_activity_at = now
    if account.last_inbound_at is None or now - account.last_inbound_at > ACCOUNT_TOUCH_EVERY:
        # Every message would otherwise lock the account's row: a hot spot for all its traffic.
        account.last_inbound_at = now
    await session.flush()
    return Received(
        ticket_id=ticket.id,
        message_id=message_id,
        new_ticket=new_ticket,
        attachment_ids=tuple(a.id for a in attachments),
    )


async def _contact_for(
    session: AsyncSession, office: Office, channel: str, message: InboundMessage
) -> Contact:
    query = (
        select(ContactIdentity)
        .where(
            ContactIdentity.office_id == office.id,
            ContactIdentity.channel == channel,
            ContactIdentity.external_id == message.sender_id,
        )
        # Serialises two workers receiving from the same citizen, so they agree on one ticket.
        .with_for_update()
    )
    identity = await session.scalar(query)
    if identity is not None:
        contact = await session.get_one(Contact, identity.contact_id, with_for_update=True)
        while contact.merged_into_id is not None:
            contact = await session.get_one(Contact, contact.merged_into_id)
        if message.sender_name and not contact.name:
            contact.name = message.sender_name[:200]
        if message.sender_name and identity.display != message.sender_name[:200]:
            identity.display = message.sender_name[:200]
        return contact
    contact = Contact(
        office_id=office.id,
        name=(message.sender_name or "")[:200],
        phone=message.sender_phone,
    )
    session.add(contact)
    await session.flush()
    session.add(
        ContactIdentity(
            office_id=office.id,
            contact_id=contact.id,
            channel=channel,
            external_id=message.sender_id,
            display=(message.sender_name or "")[:200],
        )
    )
    await session.flush()  # a concurrent twin raises IntegrityError here; the caller retries
    return contact


async def _ticket_for(
    session: AsyncSession,
    office: Office,
    account: ChannelAccount,
    contact: Contact,
    message: InboundMessage,
    *,
    continue_open: bool = True,
) -> tuple[Ticket, bool]:
    ticket = None
    if continue_open:
        ticket = await session.scalar(
            select(Ticket)
            .where(
                Ticket.office_id == office.id,
                Ticket.contact_id == contact.id,
                _continuable(office),
            )
            .order_by(Ticket.last_activity_at.desc())
            .limit(1)
        )
    if ticket is not None:
        return ticket, False
    now = utcnow()
    year, seq, register_no = await take_number(session, office, now)
    ticket = Ticket(
        office_id=office.id,
        register_no=register_no,
        register_year=year,
        register_seq=seq,
        channel=account.kind,
        channel_account_id=account.id,
        contact_id=contact.id,
        subject=_subject(message),
        status=TicketStatus.new,
        created_at=now,
        last_activity_at=now,
    )
    session.add(ticket)
    await session.flush()
    session.add(
        AuditEvent(
            office_id=office.id,
            ticket_id=ticket.id,
            action="ticket.opened",
            detail={"channel": account.kind, "register_no": register_no},
        )
    )
    workflow.start(session, office, ticket, f"{ticket.subject}\n{message.body}", now)
    return ticket, True


def _continuable(office: Office) -> ColumnElement[bool]:
    """Open tickets, and resolved ones still inside the office's reopen window."""
    reopen_after = utcnow() - timedelta(days=office.reopen_days)
    return or_(
        Ticket.status.in_(TicketStatus.active()),
        (Ticket.status == TicketStatus.resolved) & (Ticket.resolved_at >= reopen_after),
    )


async def _threaded_ticket(
    session: AsyncSession,
    office: Office,
    account: ChannelAccount,
    contact: Contact,
    message: InboundMessage,
) -> Ticket | None:
    """The continuable ticket this message answers: by the platform ids it refers to (the
    nearest known one wins), then by a register number it quotes. Ids are unguessable, so any
    sender on the thread may add to it; a register number is sequential, so it only counts
    for the ticket's own contact."""
    refs = [r for r in dict.fromkeys(message.thread_refs) if r][:MAX_THREAD_REFS]
    if refs:
        rows = await session.execute(
            select(Message.external_id, Message.ticket_id)
            .join(Ticket, Ticket.id == Message.ticket_id)
            .where(
                Message.channel_account_id == account.id,
                Message.external_id.in_(refs),
                Ticket.office_id == office.id,
                _continuable(office),
            )
        )
        by_ref = {external_id: ticket_id for external_id, ticket_id in rows}
        for ref in refs:
            if ref in by_ref:
                return await session.get_one(Ticket, by_ref[ref])
    if message.ticket_hint:
        return await session.scalar(
            select(Ticket).where(
                Ticket.office_id == office.id,
                Ticket.register_no == message.ticket_hint[:80],
                Ticket.contact_id == contact.id,
                _continuable(office),
            )
        )
    return None


def _subject(message: InboundMessage) -> str:
    text = " ".join((message.subject or message.body).split())
    if len(text) > SUBJECT_LENGTH:
        text = text[: SUBJECT_LENGTH - 1].rstrip() + "…"
    return text
