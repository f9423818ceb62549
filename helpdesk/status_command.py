"""`STATUS <register number>` sent on WhatsApp or Telegram: the citizen's own ticket's status,
answered on the same channel through the outbox. It never opens a ticket.

Hooked into `helpdesk.receiving.receive` by one call, after the senders' contacts are known:
`answer` takes the batch's items that are such commands out of it. A command for the sender's
own ticket (same contact, same office) is recorded on that ticket's timeline with the answer;
a number that is not the sender's gets the same "not found" answer as one that does not exist,
on the sender's latest ticket in that office; a sender with no ticket there gets no answer (the
message is dropped, so a stranger cannot make the office write to anyone). The inbound message
is stored (so a re-delivery is a duplicate and answers once); the ticket's status, step and SOP
clock are untouched. The answer's outbox item rides on the outcome (`Received.replies`), so
ingest enqueues its send as soon as the batch is committed; a queue that is down leaves it to
the next outbox sweep.

A report closed as another agency's ("bukan kewenangan") is answered as such, with the agency
to go to, as on the public status page (`helpdesk.status_lookup.out_of_authority`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import InboundMessage
from helpdesk.models import (
    AuditEvent,
    Direction,
    Message,
    MessageStatus,
    Office,
    OutboxItem,
    Ticket,
    utcnow,
)
from helpdesk.reports.answers import answers, aware
from helpdesk.status_lookup import normalise_register, out_of_authority, public_status

CHANNELS = ("whatsapp", "telegram")
COMMAND = re.compile(r"^\s*STATUS\s+(\S[^\n]{0,79}?)\s*$", re.IGNORECASE)
NOT_FOUND = (
    "Nomor register {register_no} tidak ditemukan untuk nomor Anda. Periksa kembali nomor "
    "register yang Anda terima saat mengadu."
)
FOUND = "Status pengaduan {register_no} ({office}): {status}"
ANSWER = "\n\nJawaban petugas:\n{answer}"
AGENCY = "\n\nInstansi yang berwenang:\n{reason}"
MAX_REPLY = 4000


def command_of(channel: str, message: InboundMessage) -> str | None:
    """The register number asked about, when the message is a STATUS command."""
    if channel not in CHANNELS or message.media:
        return None
    match = COMMAND.match(message.body or "")
    return normalise_register(match.group(1)) if match else None


async def answer(
    session: AsyncSession, items: Sequence[Any], outcomes: list[Any], now: datetime | None = None
) -> list[Any]:
    """Answer the batch's STATUS commands; the other items are returned, to be received."""
    rest = []
    for item in items:
        wanted = command_of(item.incoming.channel, item.message)
        if wanted is None or item.contact is None or item.contact.id is None:
            rest.append(item)
            continue
        outcomes[item.index] = await _answer_one(session, item, wanted, now or utcnow())
    return rest


async def _answer_one(session: AsyncSession, item: Any, wanted: str, now: datetime) -> Any:
    from helpdesk.receiving import Received  # at call time: receiving imports this module

    office, contact, message = item.office, item.contact, item.message
    own = await session.scalar(
        select(Ticket).where(
            Ticket.office_id == office.id,
            Ticket.contact_id == contact.id,
            func.upper(Ticket.register_no) == wanted,
        )
    )
    ticket = own or await session.scalar(
        select(Ticket)
        .where(Ticket.office_id == office.id, Ticket.contact_id == contact.id)
        .order_by(Ticket.last_activity_at.desc(), Ticket.id.desc())
        .limit(1)
    )
    if ticket is None:
        return "ignored"
    inbound = Message(
        ticket_id=ticket.id,
        direction=Direction.inbound,
        channel=item.incoming.channel,
        channel_account_id=item.account.id,
        external_id=message.external_id,
        content_kind="text",
        body=message.body,
        details={"status_command": wanted},
        status=MessageStatus.received,
        contact_id=contact.id,
        sent_at=message.sent_at,
        created_at=now,
    )
    session.add(inbound)
    # The citizen just wrote on this channel: its reply window is open again.
    written = min(message.sent_at, now)
    ticket.last_inbound_at = max(filter(None, (ticket.last_inbound_at, written)))
    await session.flush()
    body = await _text(session, ticket, office, wanted) if own is not None else None
    reply = Message(
        ticket_id=ticket.id,
        direction=Direction.outbound,
        channel=item.incoming.channel,
        channel_account_id=item.account.id,
        content_kind="text",
        body=(body or NOT_FOUND.format(register_no=wanted))[:MAX_REPLY],
        details={"status_command": wanted},
        status=MessageStatus.queued,
        created_at=now,
        status_at=now,
    )
    session.add(reply)
    await session.flush()
    item_out = OutboxItem(message_id=reply.id, next_attempt_at=now)
    session.add(item_out)
    session.add(
        AuditEvent(
            office_id=office.id,
            ticket_id=ticket.id,
            action="status.asked",
            detail={"register_no": wanted, "own": own is not None},
        )
    )
    await session.flush()
    return Received(
        ticket_id=ticket.id,
        message_id=inbound.id,
        new_ticket=False,
        attachment_ids=(),
        replies=(item_out.id,),
    )


async def _text(session: AsyncSession, ticket: Ticket, office: Office, wanted: str) -> str:
    answer_rows = answers(Message.ticket_id == ticket.id)
    row = (
        await session.execute(
            select(answer_rows.c.body, answer_rows.c.created_at).where(
                answer_rows.c.ticket_id == ticket.id, answer_rows.c.rank == 1
            )
        )
    ).first()
    _, status_text = public_status(ticket)
    text = FOUND.format(
        register_no=ticket.register_no, office=office.name, status=status_text or ticket.status
    )
    # Closed as another agency's: where to go instead, NIK/KK masked; withheld for a
    # confidential report (its reporter hears it through the platform that keeps it hidden).
    elsewhere = out_of_authority(ticket)
    if elsewhere is not None and elsewhere.reason:
        text += AGENCY.format(reason=elsewhere.reason)
    if row is not None and row[0] and aware(row[1]) is not None:
        text += ANSWER.format(answer=row[0])
    return text
