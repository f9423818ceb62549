"""Consultation notes out to the office's staff group, through the outbox.

A note to be mirrored is an ordinary consultation note (`Message`, direction note) given the
staff group's channel account, status `queued` and an outbox item: the inbox shows it pending,
failed or sent like any reply, and the outbox retries it. `deliver` is what the outbox calls in
place of `adapter.send` for such a note.

The group's thread for a consultation is kept in `Consultation.external_ref`: `topic:<group>:<id>`
(a forum topic, one per ticket, reused by its later consultations) or `chain:<message id>` (the
summary's platform id: replies to it, or to anything in its chain, belong to the consultation).
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import (
    AccountConfig,
    ChannelAdapter,
    OutboundMessage,
    PermanentError,
    PlatformEndpoints,
    StaffGroupAdapter,
    TransientError,
)
from channels.registry import ADAPTERS
from helpdesk.consultation_mirror import texts
from helpdesk.db import transaction
from helpdesk.models import (
    ChannelAccount,
    Consultation,
    Direction,
    Message,
    MessageStatus,
    Office,
    OutboxItem,
    Ticket,
    User,
    utcnow,
)
from helpdesk.offices import account_config
from helpdesk.runtime import Runtime
from helpdesk.workflow.profile import ProfileError, load_profile

log = logging.getLogger(__name__)

FROM_GROUP = "mirror_from_group"  # session.info flag: this change came from the group itself
SUMMARY = "summary"


async def staff_account(session: AsyncSession, office_id: int) -> ChannelAccount | None:
    """The office's channel account with a staff group, if it has one (the first, by id)."""
    rows = await session.scalars(
        select(ChannelAccount)
        .where(ChannelAccount.office_id == office_id, ChannelAccount.active.is_(True))
        .order_by(ChannelAccount.id)
    )
    for account in rows:
        adapter = ADAPTERS.get(account.kind)
        if adapter is None or not issubclass(adapter, StaffGroupAdapter):
            continue
        probe = adapter(PlatformEndpoints())
        if isinstance(probe, StaffGroupAdapter) and probe.staff_group_id(account_config(account)):
            return account
    return None


def topic_ref(group: str, thread: str) -> str:
    return f"topic:{group}:{thread}"


def chain_ref(external_id: str) -> str:
    return f"chain:{external_id}"


async def consultation_opened(
    session: AsyncSession, ticket: Ticket, consultation: Consultation, outbox_items: list[int]
) -> int | None:
    """Queue the consultation's opening note as the group's summary; the outbox item id joins
    `outbox_items` (the caller enqueues them after its commit). None: nothing to mirror."""
    await session.flush()
    opening = await session.scalar(
        select(Message)
        .where(Message.consultation_id == consultation.id, Message.direction == Direction.note)
        .order_by(Message.id)
        .limit(1)
    )
    if opening is None:
        return None
    earlier = await session.scalar(
        select(Consultation.external_ref)
        .where(
            Consultation.ticket_id == ticket.id,
            Consultation.id != consultation.id,
            Consultation.external_ref.like("topic:%"),
        )
        .order_by(Consultation.id.desc())
        .limit(1)
    )
    if earlier and consultation.external_ref is None:
        consultation.external_ref = earlier  # one topic per ticket
    return await _queue(session, ticket, opening, outbox_items, summary=True)


async def mirror_note(
    session: AsyncSession, ticket: Ticket, note: Message, outbox_items: list[int]
) -> int | None:
    """Queue a note written in the inbox's consultation thread for the group (the caller
    commits, then enqueues `outbox_items`). None: not a consultation note, or no group."""
    if note.direction != Direction.note or note.consultation_id is None:
        return None
    return await _queue(session, ticket, note, outbox_items, summary=False)


async def note_written(
    session: AsyncSession, ticket: Ticket, consultation_id: int, outbox_items: list[int]
) -> int | None:
    """Queue the consultation's newest note written in the inbox (not yet mirrored)."""
    await session.flush()
    note = await session.scalar(
        select(Message)
        .where(
            Message.consultation_id == consultation_id,
            Message.direction == Direction.note,
            Message.channel_account_id.is_(None),
        )
        .order_by(Message.id.desc())
        .limit(1)
    )
    return await mirror_note(session, ticket, note, outbox_items) if note else None


async def _queue(
    session: AsyncSession,
    ticket: Ticket,
    note: Message,
    outbox_items: list[int],
    *,
    summary: bool,
) -> int | None:
    if session.info.get(FROM_GROUP) or note.channel_account_id is not None:
        return None  # written in the group (or already mirrored): never echoed back
    account = await staff_account(session, ticket.office_id)
    if account is None:
        return None
    now = utcnow()
    note.channel, note.channel_account_id = account.kind, account.id
    note.status, note.status_at = MessageStatus.queued, now
    note.details = {**(note.details or {}), "mirror": SUMMARY if summary else "note"}
    item = OutboxItem(message_id=note.id, next_attempt_at=now)
    session.add(item)
    await session.flush()
    outbox_items.append(item.id)
    return item.id


async def deliver(
    rt: Runtime, adapter: ChannelAdapter, config: AccountConfig, message_id: int
) -> str:
    """Post one queued consultation note in the staff group; return the platform's id.
    Raises the ChannelErrors the outbox knows (a transient one is retried)."""
    if not isinstance(adapter, StaffGroupAdapter):
        raise PermanentError("this channel has no staff group", code="no_staff_group")
    group = adapter.staff_group_id(config)
    if not group:
        raise PermanentError("the channel account has no staff group", code="no_staff_group")
    async with rt.sessions() as session:
        note = await session.get_one(Message, message_id)
        ticket = await session.get_one(Ticket, note.ticket_id)
        if note.consultation_id is None:
            raise PermanentError("the note is not in a consultation", code="no_consultation")
        consultation = await session.get_one(Consultation, note.consultation_id)
        author = await session.get(User, note.author_id) if note.author_id else None
        is_summary = (note.details or {}).get("mirror") == SUMMARY
        ref, consultation_id = consultation.external_ref, consultation.id
        register_no, category = ticket.register_no, ticket.category
        step = _step_label(await session.get_one(Office, ticket.office_id), ticket.step)
        question = consultation.question or note.body
        body = note.body
        author_name = author.display_name if author else "Sistem"

    thread_id = reply_to = None
    if ref and ref.startswith("topic:"):
        _, ref_group, thread = ref.split(":", 2)
        if ref_group != group:
            raise PermanentError(
                "the consultation's topic is in another group", code="group_changed"
            )
        thread_id = thread
    elif ref and ref.startswith("chain:"):
        reply_to = ref.removeprefix("chain:")
    elif not is_summary:
        # Its summary has not reached the group yet: wait for it, the thread starts there.
        raise TransientError("waiting for the consultation summary", code="waiting_summary")
    else:
        thread_id = await adapter.open_thread(config, texts.topic_title(register_no, category))
        if thread_id is not None:
            await _keep_ref(rt, consultation_id, topic_ref(group, thread_id))

    text = (
        texts.summary(register_no, category, step, question)
        if is_summary
        else texts.note(register_no, author_name, body)
    )
    external_id = await adapter.send(
        config,
        OutboundMessage(
            recipient_id=group,
            body=text,
            thread_id=thread_id,
            reply_to_external_id=reply_to,
            register_no=register_no,
        ),
    )
    if ref is None and thread_id is None:
        await _keep_ref(rt, consultation_id, chain_ref(external_id))
    return external_id


async def _keep_ref(rt: Runtime, consultation_id: int, ref: str) -> None:
    # Committed at once: a retry after a failed send reuses the topic instead of opening another.
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(Consultation)
            .where(Consultation.id == consultation_id, Consultation.external_ref.is_(None))
            .values(external_ref=ref)
        )


def _step_label(office: Office, step_id: str | None) -> str:
    if not step_id:
        return "-"
    try:
        step = load_profile(office.sop).step(step_id)
    except ProfileError:
        return step_id
    return step.label if step else step_id
