"""Receiving: normalised inbound messages become contacts, tickets and timeline messages.

Every channel ends here (STYLE.md habit 3). Messages are received in batches, in one transaction
per batch, with a few set-wise statements per batch instead of a dozen per message; a single
message is a batch of one, so there is one code path. Per message, in arrival order:
identity -> contact -> the ticket the message threads to (platform ids it answers, then a
register number it quotes), else the contact's continuing ticket in that office (for channels
that continue one), else a new ticket with a register number -> the timeline message.

A message whose (account, platform id) is already stored is a duplicate and adds nothing, not
even a contact or a ticket. Two batches racing on the same new citizen or the same re-delivered
message collide on a unique constraint; the caller rolls back and runs the batch again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, insert, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import InboundMessage
from helpdesk import external_deadlines, status_command
from helpdesk.db import next_ids
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
from helpdesk.registers import take_numbers
from helpdesk.workflow import engine as workflow

log = logging.getLogger(__name__)

SUBJECT_LENGTH = 120
MAX_THREAD_REFS = 50
# How stale a channel account's "last message received" may be (it is for the health screen).
ACCOUNT_TOUCH_EVERY = timedelta(seconds=30)


@dataclass(frozen=True)
class Incoming:
    """One message to receive. `event_id`, the raw inbound event it came in, is kept in the
    message's details: channels whose media travel inside that payload (email) read them there."""

    channel: str
    message: InboundMessage
    event_id: int | None = None
    continues_open_ticket: bool = True  # the channel's adapter says
    # A reply whose thread is unknown may wait for the channel's earlier events still being
    # received elsewhere (ingest allows it a few times): see `_waits_for_earlier`.
    may_wait: bool = False


@dataclass(frozen=True)
class Received:
    ticket_id: int
    message_id: int
    new_ticket: bool
    attachment_ids: tuple[int, ...]


# ignored: helpdesk.status_command; waiting: `_waits_for_earlier`, receive it again later.
Outcome = Received | Literal["duplicate", "unrouted", "ignored", "waiting"]


@dataclass
class _Item:
    index: int
    incoming: Incoming
    account: ChannelAccount
    office: Office
    contact: Contact | None = None
    ticket: Ticket | None = None
    new_ticket: bool = False
    waiting: bool = False
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def message(self) -> InboundMessage:
        return self.incoming.message


async def receive(session: AsyncSession, batch: Sequence[Incoming]) -> list[Outcome]:
    """Receive `batch` in the caller's transaction; one outcome per message, in order."""
    outcomes: list[Outcome | None] = [None] * len(batch)
    accounts = await _accounts(session, batch)
    offices = await _offices(session, accounts.values())
    routed: list[_Item] = []
    for index, incoming in enumerate(batch):
        account = accounts.get((incoming.channel, incoming.message.account_key))
        if account is None:
            outcomes[index] = "unrouted"
        else:
            routed.append(_Item(index, incoming, account, offices[account.office_id]))

    items = await _drop_duplicates(session, routed)
    for item in routed:
        if item not in items:
            outcomes[item.index] = "duplicate"
    if not items:
        return [o for o in outcomes if o is not None]

    now = utcnow()
    await _find_contacts(session, items)
    items = await status_command.answer(session, items, outcomes, now)  # `STATUS <register no>`
    if not items:
        return [o for o in outcomes if o is not None]
    await _find_tickets(session, items, {i.event_id for i in batch if i.event_id is not None})
    for item in items:
        if item.waiting:
            outcomes[item.index] = "waiting"
    items = [item for item in items if not item.waiting]
    if not items:
        return [o for o in outcomes if o is not None]
    await _open_tickets(session, items, now)
    message_ids = await _insert_messages(session, items, now)
    await _insert_attachments(session, items, message_ids)
    _update_tickets(session, items, now)
    _touch_accounts(items, now)
    await session.flush()
    for item, message_id in zip(items, message_ids, strict=True):
        assert item.ticket is not None
        outcomes[item.index] = Received(
            ticket_id=item.ticket.id,
            message_id=message_id,
            new_ticket=item.new_ticket,
            attachment_ids=tuple(a.id for a in item.attachments),
        )
    return [o for o in outcomes if o is not None]


async def _accounts(
    session: AsyncSession, batch: Sequence[Incoming]
) -> dict[tuple[str, str], ChannelAccount]:
    keys = {(i.channel, i.message.account_key) for i in batch}
    rows = await session.scalars(
        select(ChannelAccount).where(
            tuple_(ChannelAccount.kind, ChannelAccount.key).in_(keys),
            ChannelAccount.active.is_(True),
        )
    )
    return {(a.kind, a.key): a for a in rows}


async def _offices(session: AsyncSession, accounts: Iterable[ChannelAccount]) -> dict[int, Office]:
    ids = {a.office_id for a in accounts}
    if not ids:
        return {}
    return {o.id: o for o in await session.scalars(select(Office).where(Office.id.in_(ids)))}


async def _drop_duplicates(session: AsyncSession, items: list[_Item]) -> list[_Item]:
    """The items whose platform id is new: neither stored nor earlier in this batch."""
    keys = {(i.account.id, i.message.external_id) for i in items}
    if not keys:
        return []
    stored: set[tuple[int, str | None]] = set(
        (
            await session.execute(
                select(Message.channel_account_id, Message.external_id).where(
                    tuple_(Message.channel_account_id, Message.external_id).in_(keys)
                )
            )
        ).all()
    )
    fresh = []
    for item in items:
        key = (item.account.id, item.message.external_id)
        if key not in stored:
            stored.add(key)
            fresh.append(item)
    return fresh


async def _find_contacts(session: AsyncSession, items: list[_Item]) -> None:
    """Each item's contact, by its sender's identity on the channel; new ones created."""
    keys = {(i.office.id, i.incoming.channel, i.message.sender_id) for i in items}
    identities = {
        (x.office_id, x.channel, x.external_id): x
        for x in await session.scalars(
            select(ContactIdentity)
            .where(
                tuple_(
                    ContactIdentity.office_id, ContactIdentity.channel, ContactIdentity.external_id
                ).in_(keys)
            )
            # Serialises two batches receiving from the same citizen, so they agree on one
            # ticket; a fixed order, so two batches never wait on each other in a cycle.
            .order_by(ContactIdentity.id)
            .with_for_update()
        )
    }
    contacts: dict[int, Contact] = {}
    if identities:
        ids = sorted({x.contact_id for x in identities.values()})
        query = select(Contact).where(Contact.id.in_(ids)).order_by(Contact.id).with_for_update()
        contacts = {c.id: c for c in await session.scalars(query)}

    created: dict[tuple[int, str, str], Contact] = {}
    for item in items:
        key = (item.office.id, item.incoming.channel, item.message.sender_id)
        name = (item.message.sender_name or "")[:200]
        identity = identities.get(key)
        if identity is None:
            contact = created.get(key)
            if contact is None:
                contact = created[key] = Contact(
                    office_id=item.office.id, name=name, phone=item.message.sender_phone
                )
            item.contact = contact
            continue
        contact = contacts[identity.contact_id]
        while contact.merged_into_id is not None:
            contact = await session.get_one(Contact, contact.merged_into_id)
        if name and not contact.name:
            contact.name = name
        if name and identity.display != name:
            identity.display = name
        item.contact = contact
    if not created:
        return
    session.add_all(created.values())
    await session.flush()
    session.add_all(
        ContactIdentity(
            office_id=office_id,
            contact_id=contact.id,
            channel=channel,
            external_id=sender_id,
            display=contact.name,
        )
        for (office_id, channel, sender_id), contact in created.items()
    )
    await session.flush()  # a concurrent twin raises IntegrityError here; the caller retries


async def _find_tickets(session: AsyncSession, items: list[_Item], batch_events: set[int]) -> None:
    """The ticket each item continues: the one it threads to, else its contact's continuing
    one. Items left without a ticket open a new one (`_open_tickets`), unless they wait."""
    continuing = await _continuing_tickets(session, items)
    by_ref: dict[tuple[int, str], Ticket] = {}  # a platform reference opened in this batch
    earlier: dict[tuple[int, str], Ticket] = {}  # (account, platform id) of this batch's items
    for item in items:
        assert item.contact is not None
        ref = (item.office.id, item.message.external_ref or "")
        ticket = by_ref.get(ref) if ref[1] else None
        ticket = ticket or await _threaded_ticket(session, item, earlier)
        if ticket is None and item.incoming.continues_open_ticket:
            ticket = continuing.get(item.contact.id)
        if ticket is None and await _waits_for_earlier(session, item, batch_events):
            item.waiting = True
            continue
        if ticket is None:
            ticket = _new_ticket(item)
            item.new_ticket = True
        item.ticket = ticket
        earlier[(item.account.id, item.message.external_id)] = ticket
        # The contact's next message in this batch continues the ticket this one went to.
        continuing[item.contact.id] = ticket
        if ref[1]:
            by_ref[ref] = ticket


async def _continuing_tickets(session: AsyncSession, items: list[_Item]) -> dict[int, Ticket]:
    """Per contact id, its most recently active continuable ticket."""
    by_office: dict[int, tuple[Office, set[int]]] = {}
    for item in items:
        assert item.contact is not None
        if item.incoming.continues_open_ticket:
            by_office.setdefault(item.office.id, (item.office, set()))[1].add(item.contact.id)
    found: dict[int, Ticket] = {}
    for office, contact_ids in by_office.values():
        rows = await session.scalars(
            select(Ticket)
            .where(
                Ticket.office_id == office.id,
                Ticket.contact_id.in_(contact_ids),
                _continuable(office),
            )
            .order_by(Ticket.last_activity_at.desc())
        )
        for ticket in rows:
            found.setdefault(ticket.contact_id, ticket)
    return found


def _continuable(office: Office) -> ColumnElement[bool]:
    """Open tickets, and resolved ones still inside the office's reopen window."""
    reopen_after = utcnow() - timedelta(days=office.reopen_days)
    return or_(
        Ticket.status.in_(TicketStatus.active()),
        (Ticket.status == TicketStatus.resolved) & (Ticket.resolved_at >= reopen_after),
    )


async def _threaded_ticket(
    session: AsyncSession, item: _Item, earlier: dict[tuple[int, str], Ticket]
) -> Ticket | None:
    """The continuable ticket this message answers: by the platform ids it refers to (the
    nearest known one wins, stored or `earlier` in this batch), then by a register number it
    quotes. Ids are unguessable, so any sender on the thread may add to it; a register number
    is sequential, so it only counts for the ticket's own contact."""
    message, office = item.message, item.office
    if message.external_ref:  # the platform's own matter, whatever the ticket's state
        found = await session.scalar(
            select(Ticket)
            .where(
                Ticket.office_id == office.id,
                Ticket.channel == item.account.kind,
                Ticket.external_ref == message.external_ref[:120],
            )
            .order_by(Ticket.id)
            .limit(1)
        )
        if found is not None:
            return found
    refs = [r for r in dict.fromkeys(message.thread_refs) if r][:MAX_THREAD_REFS]
    if refs:
        rows = await session.execute(
            select(Message.external_id, Message.ticket_id)
            .join(Ticket, Ticket.id == Message.ticket_id)
            .where(
                Message.channel_account_id == item.account.id,
                Message.external_id.in_(refs),
                Ticket.office_id == office.id,
                _continuable(office),
            )
        )
        by_ref = {external_id: ticket_id for external_id, ticket_id in rows}
        for ref in refs:
            if (item.account.id, ref) in earlier:
                return earlier[(item.account.id, ref)]
            if ref in by_ref:
                return await session.get_one(Ticket, by_ref[ref])
    if message.ticket_hint and item.contact is not None:
        return await session.scalar(
            select(Ticket).where(
                Ticket.office_id == office.id,
                Ticket.register_no == message.ticket_hint[:80],
                Ticket.contact_id == item.contact.id,
                _continuable(office),
            )
        )
    return None


async def _waits_for_earlier(session: AsyncSession, item: _Item, batch_events: set[int]) -> bool:
    """Whether a reply to a thread we do not know should wait rather than open a ticket: its
    channel has earlier events that another batch, not yet committed, may be receiving (its
    parent among them). Two drains take neighbouring batches at once after a backlog (a
    mailbox catching up), so otherwise a reply can overtake the mail it answers."""
    incoming = item.incoming
    if not (incoming.may_wait and incoming.event_id and item.message.thread_refs):
        return False
    earlier = await session.scalar(
        select(InboundEvent.id)
        .where(
            InboundEvent.status == InboundStatus.pending,
            InboundEvent.channel == incoming.channel,
            InboundEvent.id < incoming.event_id,
            InboundEvent.id.not_in(batch_events),
        )
        .limit(1)
    )
    return earlier is not None


def _new_ticket(item: _Item) -> Ticket:
    """A ticket not yet numbered nor added: numbers are taken for the whole batch at once."""
    return Ticket(
        office_id=item.office.id,
        channel=item.account.kind,
        channel_account_id=item.account.id,
        subject=_subject(item.message),
        status=TicketStatus.new,
        external_ref=(item.message.external_ref or "")[:120] or None,
        confidential=item.message.confidential,
    )


async def _open_tickets(session: AsyncSession, items: list[_Item], now: datetime) -> None:
    """Number, insert and start the batch's new tickets, in arrival order."""
    new = [item for item in items if item.new_ticket]
    if not new:
        return
    by_office: dict[int, list[_Item]] = defaultdict(list)
    for item in new:
        by_office[item.office.id].append(item)
    for office_items in by_office.values():
        office = office_items[0].office
        numbers = await take_numbers(session, office, now, len(office_items))
        for item, (year, seq, register_no) in zip(office_items, numbers, strict=True):
            ticket = item.ticket
            assert ticket is not None and item.contact is not None
            ticket.register_no, ticket.register_year, ticket.register_seq = register_no, year, seq
            ticket.contact_id = item.contact.id
            ticket.created_at = ticket.last_activity_at = now
    session.add_all(item.ticket for item in new if item.ticket is not None)
    await session.flush()
    for item in new:
        ticket = item.ticket
        assert ticket is not None
        session.add(
            AuditEvent(
                office_id=item.office.id,
                ticket_id=ticket.id,
                action="ticket.opened",
                detail={"channel": item.account.kind, "register_no": ticket.register_no},
            )
        )
        workflow.start(session, item.office, ticket, f"{ticket.subject}\n{item.message.body}", now)
        external_deadlines.start_for(item.office, ticket, item.account.kind, item.message.sent_at)


async def _insert_messages(session: AsyncSession, items: list[_Item], now: datetime) -> list[int]:
    rows = []
    for item in items:
        message = item.message
        assert item.ticket is not None and item.contact is not None
        details = dict(message.details)
        if item.incoming.event_id is not None:
            details["event_id"] = item.incoming.event_id
        rows.append(
            {
                "ticket_id": item.ticket.id,
                "direction": Direction.inbound,
                "channel": item.incoming.channel,
                "channel_account_id": item.account.id,
                "external_id": message.external_id,
                "content_kind": message.kind,
                "body": message.body,
                "details": details,
                "status": MessageStatus.received,
                "contact_id": item.contact.id,
                "reply_to_external_id": message.reply_to_external_id,
                "sent_at": message.sent_at,
                "created_at": now,
            }
        )
    # A message stored since `_drop_duplicates` looked (another batch) raises IntegrityError.
    ids = await next_ids(session, Message.id, len(rows))
    if ids is not None:
        for row, message_id in zip(rows, ids, strict=True):
            row["id"] = message_id
        await session.execute(insert(Message), rows)
        return list(ids)
    result = await session.execute(
        insert(Message).returning(Message.id, sort_by_parameter_order=True), rows
    )
    return list(result.scalars())


async def _insert_attachments(
    session: AsyncSession, items: list[_Item], message_ids: list[int]
) -> None:
    for item, message_id in zip(items, message_ids, strict=True):
        item.attachments = [
            Attachment(
                message_id=message_id,
                media_id=media.media_id,
                kind=media.kind,
                filename=(media.filename or "")[:255],
                declared_type=media.mime_type,
                sha256=media.sha256,
            )
            for media in item.message.media
        ]
        session.add_all(item.attachments)


def _update_tickets(session: AsyncSession, items: list[_Item], now: datetime) -> None:
    """What a citizen's message does to its ticket: reopen it, restart its clock, and keep
    the reply window (the last inbound time) current."""
    for item in items:
        ticket = item.ticket
        assert ticket is not None
        if item.message.confidential:
            ticket.confidential = True  # never the other way: a hidden report stays hidden
        if not item.new_ticket:
            previous_status = ticket.status
            if ticket.status == TicketStatus.resolved:
                ticket.status = TicketStatus.open
                ticket.resolved_at = None
                session.add(
                    AuditEvent(
                        office_id=item.office.id, ticket_id=ticket.id, action="ticket.reopened"
                    )
                )
            elif ticket.status == TicketStatus.waiting:
                ticket.status = TicketStatus.open
            # The SOP clock runs again, a reopened ticket restarts its workflow.
            workflow.citizen_wrote(
                session, item.office, ticket, previous_status, item.message.body, now
            )
        # A platform clock ahead of ours must not extend reply windows.
        sent_at = min(item.message.sent_at, now)
        ticket.last_inbound_at = max(filter(None, (ticket.last_inbound_at, sent_at)))
        ticket.last_activity_at = now


def _touch_accounts(items: list[_Item], now: datetime) -> None:
    for account in {id(i.account): i.account for i in items}.values():
        if account.last_inbound_at is None or now - account.last_inbound_at > ACCOUNT_TOUCH_EVERY:
            # Every message would otherwise lock the account's row: a hot spot for its traffic.
            account.last_inbound_at = now


def _subject(message: InboundMessage) -> str:
    text = " ".join((message.subject or message.body).split())
    if len(text) > SUBJECT_LENGTH:
        text = text[: SUBJECT_LENGTH - 1].rstrip() + "…"
    return text
