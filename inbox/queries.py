"""Read-only questions only the inbox asks (what a page shows, never what a ticket may do)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.models import Direction, Message


async def awaiting_answer(session: AsyncSession, ticket_ids: Sequence[int]) -> set[int]:
    """Tickets whose latest message to or from the citizen is the citizen's (notes don't count)."""
    if not ticket_ids:
        return set()
    ranked = (
        select(
            Message.ticket_id,
            Message.direction,
            func.row_number()
            .over(
                partition_by=Message.ticket_id,
                order_by=(Message.created_at.desc(), Message.id.desc()),
            )
            .label("rank"),
        )
        .where(Message.ticket_id.in_(list(ticket_ids)), Message.direction != Direction.note)
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.ticket_id).where(
            ranked.c.rank == 1, ranked.c.direction == Direction.inbound
        )
    )
    return set(rows.scalars())


def timeline_version(messages: Iterable[Message]) -> str:
    """Changes whenever anything the timeline shows changes: lets a poll answer "nothing new"."""
    digest = hashlib.blake2b(digest_size=8)
    for m in messages:
        attachments = ",".join(f"{a.id}:{a.status}" for a in m.attachments)
        digest.update(f"{m.id}|{m.status}|{m.error_code}|{m.error}|{attachments};".encode())
    return digest.hexdigest()
