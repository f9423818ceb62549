"""Contacts: one citizen's identities across channels, merge proposals, merging, reveals.

The same person writing on Facebook and then on WhatsApp arrives as two contacts (ingest knows
only the identity it was given). They become one when a member of staff merges them, by hand or
by accepting a proposal. A proposal is another contact of the same office with the same
normalised phone number or the same normalised name (helpdesk.personal_data); a dismissed pair
is remembered and never proposed again.

Merging moves the merged contact's identities and tickets to the surviving contact and points
`merged_into_id` at it, so ingest (which looks a sender up by identity) lands on the survivor
and the citizen has one history. Nothing ever crosses offices: every function here takes the
acting principal and refuses a contact outside their offices as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from helpdesk.auth import Principal
from helpdesk.models import (
    AuditEvent,
    Contact,
    ContactIdentity,
    MergeDismissal,
    Message,
    Ticket,
)
from helpdesk.personal_data import may_reveal

# Staff who work the shared inbox may merge; officials decide tickets, not who wrote them.
MERGE_ROLES = frozenset({"admin", "cs", "superuser"})
MAX_PROPOSALS = 10
MAX_TICKETS = 200
MAX_HISTORY = 100


class ContactError(Exception):
    """A refused contact action; `code` names why (for the screen's message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class NotFound(ContactError):
    def __init__(self) -> None:
        super().__init__("not_found")


class NotAllowed(ContactError):
    def __init__(self) -> None:
        super().__init__("not_allowed")


@dataclass
class Proposal:
    contact: Contact
    reasons: list[str] = field(default_factory=list)  # "phone", "name"


async def visible_contact(
    session: AsyncSession, principal: Principal, contact_id: int, *, for_update: bool = False
) -> Contact:
    """The contact if this user may see its office; NotFound otherwise (never says which)."""
    query = (
        select(Contact)
        .where(Contact.id == contact_id)
        .options(selectinload(Contact.identities))
        .execution_options(populate_existing=True)
    )
    scope = principal.office_scope()
    if scope is not None:
        query = query.where(Contact.office_id.in_(scope))
    if for_update:
        query = query.with_for_update()
    contact = await session.scalar(query)
    if contact is None:
        raise NotFound
    return contact


def may_merge(principal: Principal, office_id: int) -> bool:
    role = principal.role_in(office_id)
    return role is not None and str(role) in MERGE_ROLES


def may_reveal_in(principal: Principal, office_id: int) -> bool:
    return may_reveal(principal.role_in(office_id))


async def tickets_of(
    session: AsyncSession, contact: Contact, *, limit: int = MAX_TICKETS
) -> list[Ticket]:
    """The contact's tickets, newest first (after a merge, the merged contact's too)."""
    rows = await session.scalars(
        select(Ticket)
        .where(Ticket.contact_id == contact.id, Ticket.office_id == contact.office_id)
        .options(selectinload(Ticket.office))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    return list(rows)


async def history_of(
    session: AsyncSession, contact: Contact, *, limit: int = MAX_HISTORY
) -> list[Message]:
    """The latest messages across all the contact's tickets, newest first: one history."""
    rows = await session.scalars(
        select(Message)
        .join(Ticket, Ticket.id == Message.ticket_id)
        .where(Ticket.contact_id == contact.id, Ticket.office_id == contact.office_id)
        .options(selectinload(Message.author))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    )
    return list(rows)


async def merges_of(session: AsyncSession, contact: Contact) -> list[AuditEvent]:
    """The contact-level audit trail (merges, dismissals) of this contact."""
    rows = await session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.office_id == contact.office_id,
            AuditEvent.ticket_id.is_(None),
            AuditEvent.action.in_(("contact.merged", "contact.proposal_dismissed")),
        )
        .order_by(AuditEvent.id.desc())
        .limit(500)
    )
    return [e for e in rows if contact.id in (e.detail.get("into"), e.detail.get("contact"))][:50]


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


async def proposals_for(session: AsyncSession, contact: Contact) -> list[Proposal]:
    """Other live contacts of the same office with the same phone or name, not dismissed,
    oldest first.

    One query per key, each walking its index (office, key, id) in id order and stopping at
    MAX_PROPOSALS: a common name shared by hundreds of contacts costs no more than a rare one."""
    if contact.merged_into_id is not None:
        return []
    dismissed_low = select(MergeDismissal.other_id).where(MergeDismissal.contact_id == contact.id)
    dismissed_high = select(MergeDismissal.contact_id).where(MergeDismissal.other_id == contact.id)
    ids: set[int] = set()
    for column, value in (
        (Contact.phone_key, contact.phone_key),
        (Contact.name_key, contact.name_key),
    ):
        if not value:
            continue
        ids.update(
            await session.scalars(
                select(Contact.id)
                .where(
                    Contact.office_id == contact.office_id,
                    column == value,
                    Contact.id != contact.id,
                    Contact.merged_into_id.is_(None),
                    Contact.id.not_in(dismissed_low),
                    Contact.id.not_in(dismissed_high),
                )
                .order_by(Contact.id)
                .limit(MAX_PROPOSALS)
            )
        )
    if not ids:
        return []
    rows = await session.scalars(
        select(Contact)
        .where(Contact.id.in_(sorted(ids)[:MAX_PROPOSALS]))
        .options(selectinload(Contact.identities))
        .order_by(Contact.id)
    )
    proposals = []
    for other in rows:
        reasons = []
        if contact.phone_key and other.phone_key == contact.phone_key:
            reasons.append("phone")
        if contact.name_key and other.name_key == contact.name_key:
            reasons.append("name")
        proposals.append(Proposal(other, reasons))
    return proposals


async def dismiss(
    session: AsyncSession, principal: Principal, contact_id: int, other_id: int
) -> None:
    """Remember that these two are not the same citizen."""
    contact = await visible_contact(session, principal, contact_id)
    other = await visible_contact(session, principal, other_id)
    if contact.office_id != other.office_id or contact.id == other.id:
        raise NotFound
    if not may_merge(principal, contact.office_id):
        raise NotAllowed
    low, high = _pair(contact.id, other.id)
    exists = await session.scalar(
        select(MergeDismissal.id).where(
            and_(MergeDismissal.contact_id == low, MergeDismissal.other_id == high)
        )
    )
    if exists is not None:
        return  # a double click: already remembered
    session.add(
        MergeDismissal(
            office_id=contact.office_id, contact_id=low, other_id=high, user_id=principal.user_id
        )
    )
    session.add(
        AuditEvent(
            office_id=contact.office_id,
            user_id=principal.user_id,
            action="contact.proposal_dismissed",
            detail={"contact": contact.id, "other": other.id, "username": principal.username},
        )
    )
    await session.flush()


async def merge(
    session: AsyncSession, principal: Principal, survivor_id: int, merged_id: int
) -> Contact:
    """Merge `merged_id` into `survivor_id`; returns the survivor. The caller commits.

    Lock order matches ingest (identities by id, then contacts by id): the merged contact's
    identities first, so a message arriving meanwhile waits and then lands on the survivor."""
    if survivor_id == merged_id:
        raise ContactError("same")
    # Scope first, without locks: a contact of another office is simply not found.
    survivor = await visible_contact(session, principal, survivor_id)
    merged = await visible_contact(session, principal, merged_id)
    if survivor.office_id != merged.office_id:
        raise NotFound  # never across offices, and never saying the other exists
    if not may_merge(principal, survivor.office_id):
        raise NotAllowed
    await session.execute(
        select(ContactIdentity.id)
        .where(ContactIdentity.contact_id == merged.id)
        .order_by(ContactIdentity.id)  # the order ingest locks them in: no wait cycle
        .with_for_update()
    )
    first, second = sorted((survivor.id, merged.id))
    locked = {
        c.id: c
        for c in [
            await visible_contact(session, principal, first, for_update=True),
            await visible_contact(session, principal, second, for_update=True),
        ]
    }
    survivor, merged = locked[survivor.id], locked[merged.id]
    if survivor.merged_into_id is not None or merged.merged_into_id is not None:
        raise ContactError("already_merged")

    moved_identities = [(i.channel, i.external_id) for i in merged.identities]
    ticket_ids = list(
        await session.scalars(
            select(Ticket.id).where(
                Ticket.contact_id == merged.id, Ticket.office_id == merged.office_id
            )
        )
    )
    await session.execute(
        update(ContactIdentity)
        .where(ContactIdentity.contact_id == merged.id)
        .values(contact_id=survivor.id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Ticket)
        .where(Ticket.contact_id == merged.id, Ticket.office_id == merged.office_id)
        .values(contact_id=survivor.id)
        .execution_options(synchronize_session=False)
    )
    if ticket_ids:
        await session.execute(
            update(Message)
            .where(Message.ticket_id.in_(ticket_ids), Message.contact_id == merged.id)
            .values(contact_id=survivor.id)
            .execution_options(synchronize_session=False)
        )
    # Contacts merged into this one earlier now point at the survivor: chains stay one long.
    await session.execute(
        update(Contact)
        .where(Contact.merged_into_id == merged.id)
        .values(merged_into_id=survivor.id)
        .execution_options(synchronize_session=False)
    )
    # What the survivor lacks, the merged contact may know.
    if not survivor.name and merged.name:
        survivor.name = merged.name
    if not survivor.phone and merged.phone:
        survivor.phone = merged.phone
    if not survivor.email and merged.email:
        survivor.email = merged.email
    merged.merged_into_id = survivor.id

    detail = {
        "into": survivor.id,
        "contact": merged.id,
        "username": principal.username,
        "identities": [f"{channel}:{external_id}" for channel, external_id in moved_identities],
        "tickets": ticket_ids,
    }
    session.add(
        AuditEvent(
            office_id=survivor.office_id,
            user_id=principal.user_id,
            action="contact.merged",
            detail=detail,
        )
    )
    for ticket_id in ticket_ids:
        session.add(
            AuditEvent(
                office_id=survivor.office_id,
                ticket_id=ticket_id,
                user_id=principal.user_id,
                action="contact.merged",
                detail={"into": survivor.id, "contact": merged.id},
            )
        )
    await session.flush()
    return await visible_contact(session, principal, survivor_id)  # identities reloaded


def record_reveal(
    session: AsyncSession, principal: Principal, ticket: Ticket, message_id: int | None
) -> AuditEvent:
    """A member of staff asked to see a NIK or KK number in full. The caller checked the role
    (`may_reveal_in`) and commits."""
    row = AuditEvent(
        office_id=ticket.office_id,
        ticket_id=ticket.id,
        user_id=principal.user_id,
        action="personal_data.revealed",
        detail={
            "what": "id_number",
            "message": message_id,
            "username": principal.username,
            "role": str(principal.role_in(ticket.office_id)),
        },
    )
    session.add(row)
    return row
