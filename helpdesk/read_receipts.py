"""Read receipts: when an admin opens a ticket, the citizen's platform hears it was read.

Only the latest inbound message is reported (platforms treat the earlier ones as read with
it), once per message: the receipt row is unique per message, so however many admins, tabs or
processes open the ticket, one job tells the platform. The page never waits for the platform.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from channels.base import ChannelError, TransientError
from helpdesk.db import transaction
from helpdesk.dialect import insert_for
from helpdesk.jobs.queue import RetryLater, enqueue_or_leave_to_sweep
from helpdesk.models import (
    ChannelAccount,
    Direction,
    Message,
    ReadReceipt,
    ReceiptState,
    utcnow,
)
from helpdesk.offices import account_config
from helpdesk.runtime import Runtime

log = logging.getLogger(__name__)

MAX_TRIES = 5
STUCK_AFTER = timedelta(minutes=2)
JOB = "send_read_receipt"


async def ticket_opened(rt: Runtime, ticket_id: int) -> int | None:
    """Queue a read receipt for the ticket's latest inbound message, unless one exists or the
    channel has none; the receipt's id when one was queued now."""
    async with transaction(rt.sessions) as session:
        latest = (
            await session.execute(
                select(Message.id, Message.channel)
                .where(
                    Message.ticket_id == ticket_id,
                    Message.direction == Direction.inbound,
                    Message.external_id.is_not(None),
                    Message.channel_account_id.is_not(None),
                )
                .order_by(Message.created_at.desc(), Message.id.desc())
                .limit(1)
            )
        ).first()
        if latest is None:
            return None
        adapter = rt.adapters.get(latest.channel or "")
        if adapter is None or not adapter.sends_read_receipts:
            return None
        inserted = await session.execute(
            insert_for(session, ReadReceipt)
            .values(message_id=latest.id, state=ReceiptState.pending, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["message_id"])
            .returning(ReadReceipt.id)
        )
        receipt_id = inserted.scalar()
        if receipt_id is None:
            # Already queued: enqueue again only if it looks lost (a crash, a queue outage);
            # the job id keeps a live one from running twice.
            stuck = await session.scalar(
                select(ReadReceipt.id).where(
                    ReadReceipt.message_id == latest.id,
                    ReadReceipt.state == ReceiptState.pending,
                    ReadReceipt.created_at < utcnow() - STUCK_AFTER,
                )
            )
            if stuck is None:
                return None
            receipt_id = stuck
    if receipt_id is not None:
        await enqueue_or_leave_to_sweep(rt.jobs, JOB, receipt_id, job_id=f"receipt:{receipt_id}")
    return receipt_id


async def send_read_receipt(rt: Runtime, receipt_id: int, job_try: int = 1) -> str | None:
    async with rt.sessions() as session:
        receipt = await session.get(ReadReceipt, receipt_id)
        if receipt is None or receipt.state != ReceiptState.pending:
            return receipt.state if receipt else None
        message = await session.get_one(Message, receipt.message_id)
        account = await session.get(ChannelAccount, message.channel_account_id)
        external_id = message.external_id
    adapter = rt.adapters.get(account.kind) if account is not None else None
    if account is None or adapter is None or not external_id:
        return await _finish(rt, receipt_id, ReceiptState.failed, "no channel to tell")
    try:
        await adapter.mark_read(account_config(account), external_id)
    except TransientError as exc:
        if job_try < MAX_TRIES:
            raise RetryLater(defer=exc.retry_after or 5.0 * 2**job_try) from exc
        return await _finish(rt, receipt_id, ReceiptState.failed, exc.message)
    except ChannelError as exc:
        # A receipt is a courtesy: a refusal is recorded, never shown as a failed reply.
        log.info("read receipt %s refused: %s", receipt_id, exc)
        return await _finish(rt, receipt_id, ReceiptState.failed, exc.message)
    return await _finish(rt, receipt_id, ReceiptState.sent, None)


async def _finish(rt: Runtime, receipt_id: int, state: ReceiptState, error: str | None) -> str:
    async with transaction(rt.sessions) as session:
        receipt = await session.get_one(ReadReceipt, receipt_id)
        receipt.state = state
        receipt.error = error[:1000] if error else None
        if state == ReceiptState.sent:
            receipt.sent_at = utcnow()
    return state
