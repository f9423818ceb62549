"""How a ticket can be answered on its channel now, and queueing a reply in one of those ways.

Channels with more than one way to answer (a public reply under a citizen's comment, a private
message answering it, the conversation itself) say which apply through their adapter's
`reply_choices`; this module gathers what the adapter needs from the ticket's timeline and
remembers the chosen way on the queued reply (`details["reply_mode"]`), where the outbox reads
it back. Nothing here knows a platform.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelAdapter, ReplyChoices, ReplyContext, ReplyMode
from helpdesk import first_contact
from helpdesk.auth import Principal
from helpdesk.models import ChannelAccount, Direction, Message, OutboxItem, Ticket, utcnow
from helpdesk.offices import account_config
from helpdesk.outbox import ReplyRefused, queue_reply


async def reply_choices(
    session: AsyncSession, adapters: dict[str, ChannelAdapter], ticket: Ticket
) -> ReplyChoices | None:
    """The ways the ticket can be answered now; None when its channel has only one (the
    reply box then needs no choice)."""
    if ticket.channel_account_id is None:
        return None
    account = await session.get(ChannelAccount, ticket.channel_account_id)
    adapter = adapters.get(account.kind) if account is not None else None
    if account is None or adapter is None:
        return None
    last = await session.scalar(
        select(Message)
        .where(
            Message.ticket_id == ticket.id,
            Message.channel_account_id == account.id,
            Message.direction == Direction.inbound,
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    used: set[ReplyMode] = set()
    if last is not None and last.external_id:
        modes = await session.scalars(
            select(Message.details).where(
                Message.ticket_id == ticket.id,
                Message.direction == Direction.outbound,
                Message.reply_to_external_id == last.external_id,
                Message.status != "failed",
            )
        )
        used = {ReplyMode(d["reply_mode"]) for d in modes if _mode_name(d)}
    context = ReplyContext(
        last_inbound_details=dict(last.details or {}) if last is not None else {},
        last_inbound_at=(
            last.sent_at
            if last is not None
            else await first_contact.last_inbound_on(session, ticket, account)
        ),
        last_inbound_external_id=last.external_id if last is not None else None,
        used_modes=frozenset(used),
        now=utcnow(),
    )
    choices = adapter.reply_choices(account_config(account), context)
    if choices.modes == (ReplyMode.message,) and choices.window is None:
        return None
    return choices


async def queue_reply_as(
    session: AsyncSession,
    adapters: dict[str, ChannelAdapter],
    ticket: Ticket,
    author: Principal,
    body: str,
    mode: str,
) -> tuple[Message, OutboxItem]:
    """Queue a reply in `mode`, which must be one the ticket allows now; an empty `mode` is
    the ticket's default way (the first its channel offers)."""
    choices = await reply_choices(session, adapters, ticket)
    if not mode:
        mode = choices.modes[0] if choices is not None and choices.modes else ReplyMode.message
    try:
        chosen = ReplyMode(mode)
    except ValueError:
        raise ReplyRefused("bad_reply_mode") from None
    if choices is None:
        if chosen is not ReplyMode.message:
            raise ReplyRefused("bad_reply_mode")
        return await queue_reply(session, ticket, author, body)
    if chosen not in choices.modes:
        raise ReplyRefused("bad_reply_mode")
    target = None if chosen is ReplyMode.message else choices.target_external_id
    return await queue_reply(
        session,
        ticket,
        author,
        body,
        reply_to_external_id=target,
        details={"reply_mode": chosen.value},
    )


def _mode_name(details: Any) -> str | None:
    name = details.get("reply_mode") if isinstance(details, dict) else None
    return name if name in ReplyMode.__members__ else None
