"""The stored tickets a received batch threads to, looked up for the whole batch at once
(helpdesk.receiving).

A message answers a ticket by the platform's own reference for the matter (a LAPOR tracking
ID), by the platform ids of earlier messages it refers to (email: In-Reply-To, References), or
by a register number it quotes. Looked up one message at a time, a batch of a hundred mails
with a quarter of replies made some fifty round trips (the referenced messages, then each
ticket); here each kind of reference is one query for the batch, made only when some message
of the batch carries one, and the tickets come with it. Which reference wins stays per message
(`Threads.ticket_for`), with the messages earlier in the same batch that the database does not
hold yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import ColumnElement, and_, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import InboundMessage
from helpdesk.models import (
    ChannelAccount,
    InboundEvent,
    InboundStatus,
    Message,
    Office,
    Ticket,
    TicketStatus,
    utcnow,
)

if TYPE_CHECKING:
    from helpdesk.receiving import ContactRef, Incoming
    from helpdesk.receiving_rows import TicketDraft

MAX_THREAD_REFS = 50
EXTERNAL_REF_LENGTH = 120
REGISTER_NO_LENGTH = 80


class Threading(Protocol):
    """What the lookup needs of a batch's item (helpdesk.receiving's)."""

    incoming: Incoming
    account: ChannelAccount
    office: Office
    contact: ContactRef | None

    @property
    def message(self) -> InboundMessage: ...


def continuable(office: Office) -> ColumnElement[bool]:
    """Open tickets, and resolved ones still inside the office's reopen window."""
    reopen_after = utcnow() - timedelta(days=office.reopen_days)
    return or_(
        Ticket.status.in_(TicketStatus.active()),
        (Ticket.status == TicketStatus.resolved) & (Ticket.resolved_at >= reopen_after),
    )


def thread_refs(message: InboundMessage) -> list[str]:
    """The ids a message refers to, nearest first, each once, at most MAX_THREAD_REFS."""
    return [r for r in dict.fromkeys(message.thread_refs) if r][:MAX_THREAD_REFS]


def _in_offices(offices: Mapping[int, Office]) -> ColumnElement[bool]:
    """A ticket of one of `offices` that is continuable by its own office's reopen window."""
    return or_(*(and_(Ticket.office_id == o.id, continuable(o)) for o in offices.values()))


def _known_contact(item: Threading) -> int | None:
    # A contact this batch created has no ticket to quote.
    contact = item.contact
    return contact.id if contact is not None and not contact.new else None


@dataclass
class Threads:
    """The stored tickets a batch's references name, each kind read in one query."""

    # (office, channel, the platform's reference) -> the first ticket carrying it, any state
    by_external_ref: dict[tuple[int, str, str], Ticket] = field(default_factory=dict)
    # (account, platform message id) -> the continuable ticket of the account's office holding it
    by_message: dict[tuple[int, str], Ticket] = field(default_factory=dict)
    # (office, register number, contact) -> that contact's continuable ticket
    by_register: dict[tuple[int, str, int], Ticket] = field(default_factory=dict)

    @classmethod
    async def load(cls, session: AsyncSession, items: Sequence[Threading]) -> Threads:
        threads = cls()
        await threads._load_external_refs(session, items)
        await threads._load_messages(session, items)
        await threads._load_registers(session, items)
        return threads

    async def _load_external_refs(self, session: AsyncSession, items: Sequence[Threading]) -> None:
        keys = {
            (i.office.id, i.account.kind, i.message.external_ref[:EXTERNAL_REF_LENGTH])
            for i in items
            if i.message.external_ref
        }
        if not keys:
            return
        found = await session.scalars(
            select(Ticket)
            .where(tuple_(Ticket.office_id, Ticket.channel, Ticket.external_ref).in_(keys))
            .order_by(Ticket.id)
        )
        for ticket in found:
            key = (ticket.office_id, ticket.channel, ticket.external_ref or "")
            self.by_external_ref.setdefault(key, ticket)

    async def _load_messages(self, session: AsyncSession, items: Sequence[Threading]) -> None:
        refs: dict[int, set[str]] = {}  # account id -> the ids its messages refer to
        offices: dict[int, Office] = {}  # account id -> its office
        for item in items:
            wanted = thread_refs(item.message)
            if wanted:
                refs.setdefault(item.account.id, set()).update(wanted)
                offices[item.account.id] = item.office
        if not refs:
            return
        rows = await session.execute(
            select(Message.channel_account_id, Message.external_id, Ticket)
            .join(Ticket, Ticket.id == Message.ticket_id)
            .where(
                or_(
                    *(
                        and_(Message.channel_account_id == account_id, Message.external_id.in_(ids))
                        for account_id, ids in refs.items()
                    )
                ),
                _in_offices({o.id: o for o in offices.values()}),
            )
        )
        for account_id, external_id, ticket in rows:
            # Only a ticket of the account's own office (an account may have moved offices).
            if external_id is not None and ticket.office_id == offices[account_id].id:
                self.by_message[(account_id, external_id)] = ticket

    async def _load_registers(self, session: AsyncSession, items: Sequence[Threading]) -> None:
        keys: set[tuple[int, str, int]] = set()
        offices: dict[int, Office] = {}
        for item in items:
            contact_id = _known_contact(item)
            hint = item.message.ticket_hint
            if not hint or contact_id is None:
                continue
            refs = thread_refs(item.message)
            if any((item.account.id, r) in self.by_message for r in refs):
                continue  # its thread is known: the number it quotes is never asked
            keys.add((item.office.id, hint[:REGISTER_NO_LENGTH], contact_id))
            offices[item.office.id] = item.office
        if not keys:
            return
        found = await session.scalars(
            select(Ticket)
            .where(
                tuple_(Ticket.office_id, Ticket.register_no, Ticket.contact_id).in_(keys),
                _in_offices(offices),
            )
            .order_by(Ticket.id)
        )
        for ticket in found:
            key = (ticket.office_id, ticket.register_no, ticket.contact_id)
            self.by_register.setdefault(key, ticket)

    def ticket_for(
        self, item: Threading, earlier: Mapping[tuple[int, str], Ticket | TicketDraft]
    ) -> Ticket | TicketDraft | None:
        """The continuable ticket this message answers: by the platform ids it refers to (the
        nearest known one wins, stored or `earlier` in this batch), then by a register number
        it quotes. Ids are unguessable, so any sender on the thread may add to it; a register
        number is sequential, so it only counts for the ticket's own contact."""
        message, office, account = item.message, item.office, item.account
        if message.external_ref:  # the platform's own matter, whatever the ticket's state
            key = (office.id, account.kind, message.external_ref[:EXTERNAL_REF_LENGTH])
            found = self.by_external_ref.get(key)
            if found is not None:
                return found
        for ref in thread_refs(message):
            if (account.id, ref) in earlier:
                return earlier[(account.id, ref)]
            if (account.id, ref) in self.by_message:
                return self.by_message[(account.id, ref)]
        contact_id = _known_contact(item)
        if message.ticket_hint and contact_id is not None:
            hint = message.ticket_hint[:REGISTER_NO_LENGTH]
            return self.by_register.get((office.id, hint, contact_id))
        return None


class EarlierEvents:
    """Whether a reply to a thread we do not know should wait rather than open a ticket: its
    channel has earlier events that another batch, not yet committed, may be receiving (its
    parent among them). Two drains take neighbouring batches at once after a backlog (a
    mailbox catching up), so otherwise a reply can overtake the mail it answers.

    One query per channel and batch, when a message first asks: the oldest event of the
    channel still pending outside this batch (a message waits if it came after that one)."""

    def __init__(self, session: AsyncSession, batch_events: set[int]) -> None:
        self.session = session
        self.batch_events = batch_events
        self._oldest: dict[str, int | None] = {}

    async def wait_for(self, item: Threading) -> bool:
        incoming = item.incoming
        if not (incoming.may_wait and incoming.event_id and item.message.thread_refs):
            return False
        if incoming.channel not in self._oldest:
            self._oldest[incoming.channel] = await self.session.scalar(
                select(func.min(InboundEvent.id)).where(
                    InboundEvent.status == InboundStatus.pending,
                    InboundEvent.channel == incoming.channel,
                    InboundEvent.id.not_in(self.batch_events),
                )
            )
        oldest = self._oldest[incoming.channel]
        return oldest is not None and oldest < incoming.event_id
