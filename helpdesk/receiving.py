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

New rows (contacts and identities, tickets with their step transitions and audit events,
messages, attachments) are plain rows inserted set-wise, one statement per table and batch
(`helpdesk.receiving_rows`); the ORM is kept for what already exists and changes (a continued
ticket goes through the SOP engine as before).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Table, bindparam, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import InboundMessage
from helpdesk import external_deadlines, status_command, status_reports
from helpdesk.models import (
    Attachment,
    AuditEvent,
    ChannelAccount,
    Contact,
    ContactIdentity,
    Direction,
    Message,
    MessageStatus,
    Office,
    Ticket,
    TicketStatus,
    utcnow,
)
from helpdesk.personal_data import name_key, phone_key
from helpdesk.receiving_rows import RowSink, StartPlan, TicketDraft, insert_drafts, insert_rows
from helpdesk.receiving_threads import EarlierEvents, Threads, continuable
from helpdesk.registers import take_numbers
from helpdesk.workflow import engine as workflow

log = logging.getLogger(__name__)

SUBJECT_LENGTH = 120
# How stale a channel account's "last message received" may be (it is for the health screen).
ACCOUNT_TOUCH_EVERY = timedelta(seconds=30)

CONTACTS: Table = Contact.__table__  # type: ignore[assignment]
IDENTITIES: Table = ContactIdentity.__table__  # type: ignore[assignment]
MESSAGES: Table = Message.__table__  # type: ignore[assignment]
ATTACHMENTS: Table = Attachment.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Incoming:
    """One message to receive. `event_id`, the raw inbound event it came in, is kept in the
    message's details: channels whose media travel inside that payload (email) read them there."""

    channel: str
    message: InboundMessage
    event_id: int | None = None
    continues_open_ticket: bool = True  # the channel's adapter says
    # A reply whose thread is unknown may wait for the channel's earlier events still being
    # received elsewhere (ingest allows it a few times): see `receiving_threads.EarlierEvents`.
    may_wait: bool = False


@dataclass(frozen=True)
class Received:
    ticket_id: int
    message_id: int
    new_ticket: bool
    attachment_ids: tuple[int, ...]
    # Outbox items queued while receiving: a STATUS answer, a reopening told to the platform.
    replies: tuple[int, ...] = ()


# ignored: helpdesk.status_command; waiting: `receiving_threads.EarlierEvents`, again later.
Outcome = Received | Literal["duplicate", "unrouted", "ignored", "waiting"]


@dataclass(frozen=True, slots=True)
class ContactRef:
    """An item's contact: its id is all receiving (and `status_command`) needs of it."""

    id: int
    new: bool = False  # created by this batch: it has no tickets yet


@dataclass(slots=True, eq=False)  # compared by identity
class _Item:
    index: int
    incoming: Incoming
    account: ChannelAccount
    office: Office
    contact: ContactRef | None = None
    ticket: Ticket | TicketDraft | None = None  # a stored ticket, or one this batch opens
    new_ticket: bool = False
    waiting: bool = False
    attachment_ids: tuple[int, ...] = ()

    @property
    def message(self) -> InboundMessage:
        return self.incoming.message


async def receive(session: AsyncSession, batch: Sequence[Incoming]) -> list[Outcome]:
    """Receive `batch` in the caller's transaction; one outcome per message, in order."""
    outcomes: list[Outcome | None] = [None] * len(batch)
    accounts = await _accounts(session, batch)
    routed: list[_Item] = []
    for index, incoming in enumerate(batch):
        found = accounts.get((incoming.channel, incoming.message.account_key))
        if found is None:
            outcomes[index] = "unrouted"
        else:
            routed.append(_Item(index, incoming, *found))

    items = await _drop_duplicates(session, routed)
    fresh = {id(item) for item in items}
    for item in routed:
        if id(item) not in fresh:
            outcomes[item.index] = "duplicate"
    if not items:
        return [o for o in outcomes if o is not None]

    now = utcnow()
    await _find_contacts(session, items, now)
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
    sink = RowSink(now)
    opened = await _open_tickets(session, items, now)
    # The new tickets get what their messages do to them before they are inserted, and their
    # rows go in before the stored tickets' changes (the order the audit trail had).
    _update_tickets(session, sink, [i for i in items if isinstance(i.ticket, TicketDraft)], now)
    if opened is not None:
        await insert_drafts(session, *opened, sink)
    # Stored tickets this batch reopens: a platform that tracks their status is told (below).
    resolved = [
        t for i in items if isinstance(t := i.ticket, Ticket) and t.status == TicketStatus.resolved
    ]
    _update_tickets(session, sink, [i for i in items if isinstance(i.ticket, Ticket)], now)
    message_ids = await _insert_messages(session, items, now)
    await _insert_attachments(session, items, message_ids)
    reopen_reports = await status_reports.citizen_reopened(session, resolved)
    _touch_accounts(items, now)
    await session.flush()
    for item, message_id in zip(items, message_ids, strict=True):
        assert item.ticket is not None and item.ticket.id is not None
        outcomes[item.index] = Received(
            ticket_id=item.ticket.id,
            message_id=message_id,
            new_ticket=item.new_ticket,
            attachment_ids=item.attachment_ids,
            replies=_one(reopen_reports.pop(item.ticket.id, None)),
        )
    return [o for o in outcomes if o is not None]


def _one(item_id: int | None) -> tuple[int, ...]:
    return () if item_id is None else (item_id,)


async def _accounts(
    session: AsyncSession, batch: Sequence[Incoming]
) -> dict[tuple[str, str], tuple[ChannelAccount, Office]]:
    """The batch's active accounts with their offices, read with the batch (one round trip):
    what the offices file last loaded is what this batch goes by."""
    keys = {(i.channel, i.message.account_key) for i in batch}
    rows = await session.execute(
        select(ChannelAccount, Office)
        .join(Office, Office.id == ChannelAccount.office_id)
        .where(
            tuple_(ChannelAccount.kind, ChannelAccount.key).in_(keys),
            ChannelAccount.active.is_(True),
        )
    )
    return {(a.kind, a.key): (a, o) for a, o in rows}


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


async def _find_contacts(session: AsyncSession, items: list[_Item], now: datetime) -> None:
    """Each item's contact, by its sender's identity on the channel; new ones created."""
    keys = {(i.office.id, i.incoming.channel, i.message.sender_id) for i in items}
    # Plain rows, not ORM objects (a hundred a batch): key -> [id, contact id, display].
    identities = {
        (office_id, channel, external_id): [identity_id, contact_id, display]
        for identity_id, office_id, channel, external_id, contact_id, display in (
            await session.execute(
                select(
                    ContactIdentity.id,
                    ContactIdentity.office_id,
                    ContactIdentity.channel,
                    ContactIdentity.external_id,
                    ContactIdentity.contact_id,
                    ContactIdentity.display,
                )
                .where(
                    tuple_(
                        ContactIdentity.office_id,
                        ContactIdentity.channel,
                        ContactIdentity.external_id,
                    ).in_(keys)
                )
                # Serialises two batches receiving from the same citizen, so they agree on one
                # ticket; a fixed order, so two batches never wait on each other in a cycle.
                .order_by(ContactIdentity.id)
                .with_for_update()
            )
        ).all()
    }
    contacts: dict[int, list[Any]] = {}  # id -> [name, merged_into_id]
    if identities:
        ids = sorted({x[1] for x in identities.values()})
        query = (
            select(Contact.id, Contact.name, Contact.merged_into_id)
            .where(Contact.id.in_(ids))
            .order_by(Contact.id)
            .with_for_update()
        )
        contacts = {c_id: [name, merged] for c_id, name, merged in await session.execute(query)}

    created: dict[tuple[int, str, str], list[_Item]] = {}
    named: dict[int, str] = {}  # contact id -> the name it now gets (it had none)
    shown: dict[int, str] = {}  # identity id -> the display name the platform now gives
    for item in items:
        key = (item.office.id, item.incoming.channel, item.message.sender_id)
        name = (item.message.sender_name or "")[:200]
        identity = identities.get(key)
        if identity is None:
            created.setdefault(key, []).append(item)
            continue
        contact_id = identity[1]
        while (merged_into := contacts[contact_id][1]) is not None:
            if merged_into not in contacts:
                row = (
                    await session.execute(
                        select(Contact.name, Contact.merged_into_id).where(
                            Contact.id == merged_into
                        )
                    )
                ).one()
                contacts[merged_into] = list(row)
            contact_id = merged_into
        if name and not contacts[contact_id][0]:
            contacts[contact_id][0] = named[contact_id] = name
        if name and identity[2] != name:
            identity[2] = shown[identity[0]] = name
        item.contact = ContactRef(contact_id)
    if named:
        await session.execute(
            update(CONTACTS)
            .where(CONTACTS.c.id == bindparam("b_id"))
            .values(name=bindparam("b_name"), name_key=bindparam("b_key")),
            [{"b_id": i, "b_name": n, "b_key": name_key(n)} for i, n in named.items()],
        )
    if shown:
        await session.execute(
            update(IDENTITIES)
            .where(IDENTITIES.c.id == bindparam("b_id"))
            .values(display=bindparam("b_display")),
            [{"b_id": i, "b_display": d} for i, d in shown.items()],
        )
    if created:
        await _create_contacts(session, created, now)


async def _create_contacts(
    session: AsyncSession, created: dict[tuple[int, str, str], list[_Item]], now: datetime
) -> None:
    """One contact and identity per new sender, named by their first message of the batch."""
    rows = []
    for (office_id, _, _), senders_items in created.items():
        first = senders_items[0].message
        name, phone = (first.sender_name or "")[:200], first.sender_phone
        rows.append(
            {
                "office_id": office_id,
                "name": name,
                "phone": phone,
                "email": None,
                "merged_into_id": None,
                # What Contact's validators keep (merge proposals compare these).
                "name_key": name_key(name),
                "phone_key": phone_key(phone),
                "created_at": now,
            }
        )
    ids = await insert_rows(session, CONTACTS, rows)
    identities = []
    for ((office_id, channel, sender_id), senders_items), row, contact_id in zip(
        created.items(), rows, ids, strict=True
    ):
        ref = ContactRef(contact_id, new=True)
        for item in senders_items:
            item.contact = ref
        identities.append(
            {
                "office_id": office_id,
                "contact_id": contact_id,
                "channel": channel,
                "external_id": sender_id,
                "display": row["name"],
                "created_at": now,
            }
        )
    # A concurrent twin raises IntegrityError here; the caller retries.
    await session.execute(IDENTITIES.insert(), identities)


async def _find_tickets(session: AsyncSession, items: list[_Item], batch_events: set[int]) -> None:
    """The ticket each item continues: the one it threads to, else its contact's continuing
    one. Items left without a ticket open a new one (`_open_tickets`), unless they wait."""
    continuing: dict[int, Ticket | TicketDraft] = dict(await _continuing_tickets(session, items))
    threads = await Threads.load(session, items)
    earlier_events = EarlierEvents(session, batch_events)
    by_ref: dict[tuple[int, str], Ticket | TicketDraft] = {}  # a reference opened in this batch
    # (account, platform id) of this batch's items
    earlier: dict[tuple[int, str], Ticket | TicketDraft] = {}
    for item in items:
        assert item.contact is not None
        ref = (item.office.id, item.message.external_ref or "")
        ticket = by_ref.get(ref) if ref[1] else None
        ticket = ticket or threads.ticket_for(item, earlier)
        if ticket is None and item.incoming.continues_open_ticket:
            ticket = continuing.get(item.contact.id)
        if ticket is None and await earlier_events.wait_for(item):
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
    """Per contact id, its most recently active continuable ticket (a contact this batch
    created has none)."""
    by_office: dict[int, tuple[Office, set[int]]] = {}
    for item in items:
        assert item.contact is not None
        if item.incoming.continues_open_ticket and not item.contact.new:
            by_office.setdefault(item.office.id, (item.office, set()))[1].add(item.contact.id)
    found: dict[int, Ticket] = {}
    for office, contact_ids in by_office.values():
        rows = await session.scalars(
            select(Ticket)
            .where(
                Ticket.office_id == office.id,
                Ticket.contact_id.in_(contact_ids),
                continuable(office),
            )
            .order_by(Ticket.last_activity_at.desc())
        )
        for ticket in rows:
            found.setdefault(ticket.contact_id, ticket)
    return found


def _new_ticket(item: _Item) -> TicketDraft:
    """A ticket not yet numbered nor inserted: numbers are taken for the whole batch at once."""
    return TicketDraft(
        office_id=item.office.id,
        channel=item.account.kind,
        channel_account_id=item.account.id,
        subject=_subject(item.message),
        external_ref=(item.message.external_ref or "")[:120] or None,
        confidential=item.message.confidential,
    )


_Opened = tuple[list[TicketDraft], list[StartPlan], list[dict[str, Any]]]


async def _open_tickets(session: AsyncSession, items: list[_Item], now: datetime) -> _Opened | None:
    """Number and start the batch's new tickets, in arrival order: the drafts, the SOP start
    of each and its "opened" audit event, for `insert_drafts` once the citizens' messages
    have done to them what they do (`_update_tickets`)."""
    new = [item for item in items if item.new_ticket]
    if not new:
        return None
    # The SOP start first (CPU: the category suggested from each text), the numbers after: the
    # office's register counter stays locked from its number until the batch commits.
    plans: dict[tuple[int, str], StartPlan] = {}
    started: list[StartPlan] = []
    by_office: dict[int, list[_Item]] = defaultdict(list)
    for item in new:
        draft = item.ticket
        assert isinstance(draft, TicketDraft)
        key = (item.office.id, item.account.kind)
        plan = plans.get(key)
        if plan is None:  # every new ticket of an office and channel starts alike at `now`
            plan = plans[key] = StartPlan.make(item.office, item.account.kind, now)
        plan.apply(draft, f"{draft.subject}\n{item.message.body}")
        external_deadlines.start_for(item.office, draft, item.account.kind, item.message.sent_at)  # type: ignore[arg-type]
        started.append(plan)
        by_office[item.office.id].append(item)
    for office_items in by_office.values():
        office = office_items[0].office
        numbers = await take_numbers(session, office, now, len(office_items))
        for item, (year, seq, register_no) in zip(office_items, numbers, strict=True):
            draft = item.ticket
            assert isinstance(draft, TicketDraft) and item.contact is not None
            draft.register_no, draft.register_year, draft.register_seq = register_no, year, seq
            draft.contact_id = item.contact.id
            draft.created_at = draft.updated_at = draft.last_activity_at = now
    drafts: list[TicketDraft] = []
    opened: list[dict[str, Any]] = []
    for item in new:
        draft = item.ticket
        assert isinstance(draft, TicketDraft)
        drafts.append(draft)
        opened.append(
            {
                "office_id": item.office.id,
                "ticket_id": None,
                "user_id": None,
                "action": "ticket.opened",
                "detail": {"channel": item.account.kind, "register_no": draft.register_no},
                "created_at": now,
            }
        )
    return drafts, started, opened


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
    return await insert_rows(session, MESSAGES, rows)


async def _insert_attachments(
    session: AsyncSession, items: list[_Item], message_ids: list[int]
) -> None:
    owners: list[_Item] = []
    rows = []
    for item, message_id in zip(items, message_ids, strict=True):
        for media in item.message.media:
            owners.append(item)
            rows.append(
                {
                    "message_id": message_id,
                    "media_id": media.media_id,
                    "kind": media.kind,
                    "filename": (media.filename or "")[:255],
                    "declared_type": media.mime_type,
                    "sha256": media.sha256,
                }
            )
    ids = await insert_rows(session, ATTACHMENTS, rows)
    for item, attachment_id in zip(owners, ids, strict=True):
        item.attachment_ids += (attachment_id,)


def _update_tickets(
    session: AsyncSession, sink: RowSink, items: list[_Item], now: datetime
) -> None:
    """What a citizen's message does to its ticket: reopen it, restart its clock, and keep
    the reply window (the last inbound time) current. A ticket this batch opens is still a
    draft: the same rules apply to it, and what they record goes to `sink`."""
    for item in items:
        ticket = item.ticket
        assert ticket is not None
        recorder: Any = session
        if isinstance(ticket, TicketDraft):
            recorder = sink
            sink.current = ticket
        if item.message.confidential:
            ticket.confidential = True  # never the other way: a hidden report stays hidden
        if not item.new_ticket:
            previous_status = ticket.status
            if ticket.status == TicketStatus.resolved:
                ticket.status = TicketStatus.open
                ticket.resolved_at = None
                recorder.add(
                    AuditEvent(
                        office_id=item.office.id, ticket_id=ticket.id, action="ticket.reopened"
                    )
                )
            elif ticket.status == TicketStatus.waiting:
                ticket.status = TicketStatus.open
            # The SOP clock runs again, a reopened ticket restarts its workflow.
            workflow.citizen_wrote(
                recorder,
                item.office,
                ticket,  # type: ignore[arg-type]
                previous_status,
                item.message.body,
                now,
            )
        # A platform clock ahead of ours must not extend reply windows.
        sent_at = min(item.message.sent_at, now)
        ticket.last_inbound_at = max(filter(None, (ticket.last_inbound_at, sent_at)))
        ticket.last_activity_at = now
    sink.current = None


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
