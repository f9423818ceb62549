"""The job functions. Each takes the process's Runtime first; both runners call them alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select

from helpdesk import attachments, ingest, outbox, read_receipts
from helpdesk.models import (
    Attachment,
    AttachmentStatus,
    OutboxItem,
    OutboxState,
    utcnow,
)
from helpdesk.reports import recap_mail
from helpdesk.runtime import Runtime
from helpdesk.workflow import deadlines

# A pending event older than this was dropped by a crashed process or a lost queue message.
STALE_AFTER = timedelta(seconds=30)
SWEEP_BATCH = 500


@dataclass(frozen=True)
class JobSpec:
    func: Callable[..., Awaitable[Any]]
    max_tries: int = 1


async def drain_inbound(rt: Runtime, job_try: int = 1) -> Any:
    return await ingest.drain(rt)


async def send_outbox_item(rt: Runtime, item_id: int, job_try: int = 1) -> Any:
    return (await outbox.send_item(rt, item_id)).state


async def fetch_attachment(rt: Runtime, attachment_id: int, job_try: int = 1) -> Any:
    return await attachments.fetch_attachment(rt, attachment_id, job_try)


async def send_read_receipt(rt: Runtime, receipt_id: int, job_try: int = 1) -> Any:
    return await read_receipts.send_read_receipt(rt, receipt_id, job_try)


async def check_deadlines(rt: Runtime, job_try: int = 1) -> Any:
    return await deadlines.check_deadlines(rt)


async def send_daily_recaps(rt: Runtime, job_try: int = 1) -> Any:
    return await recap_mail.send_daily_recaps(rt)


async def sweep(
    rt: Runtime, job_try: int = 1, stale_after: timedelta = STALE_AFTER
) -> dict[str, int]:
    """Re-enqueue whatever a crash or a lost queue left behind: nothing stored is ever lost."""
    now = utcnow()
    # Stored events are claimed by the drain, with a lease that runs out if its worker died.
    events_due = await ingest.has_due_events(rt)
    async with rt.sessions() as session:
        items = list(
            await session.scalars(
                select(OutboxItem.id)
                .where(
                    OutboxItem.state == OutboxState.pending,
                    OutboxItem.next_attempt_at <= now,
                    or_(OutboxItem.locked_until.is_(None), OutboxItem.locked_until < now),
                )
                .order_by(OutboxItem.id)
                .limit(SWEEP_BATCH)
            )
        )
        media = list(
            await session.scalars(
                select(Attachment.id)
                .where(
                    Attachment.status == AttachmentStatus.pending,
                    Attachment.created_at <= now - stale_after,
                )
                .order_by(Attachment.id)
                .limit(SWEEP_BATCH)
            )
        )
    if events_due:
        await rt.jobs.enqueue("drain_inbound")
    for item_id in items:
        await rt.jobs.enqueue("send_outbox_item", item_id, job_id=f"outbox:{item_id}")
    for attachment_id in media:
        await rt.jobs.enqueue(
            "fetch_attachment", attachment_id, job_id=f"attachment:{attachment_id}"
        )
    # SOP time standards: warn before, act after (a job id keeps one in the queue at a time).
    await rt.jobs.enqueue("check_deadlines", job_id="deadlines")
    await rt.jobs.enqueue("send_daily_recaps", job_id="daily-recaps")  # once a day per office
    return {"events_due": int(events_due), "outbox": len(items), "attachments": len(media)}


JOBS: dict[str, JobSpec] = {
    "drain_inbound": JobSpec(drain_inbound),
    "send_outbox_item": JobSpec(send_outbox_item),
    "fetch_attachment": JobSpec(fetch_attachment, max_tries=attachments.MAX_TRIES),
    "check_deadlines": JobSpec(check_deadlines),
    "send_read_receipt": JobSpec(send_read_receipt, max_tries=read_receipts.MAX_TRIES),
    "send_daily_recaps": JobSpec(send_daily_recaps),
    "sweep": JobSpec(sweep),
}
SWEEP_EVERY_SECONDS = 30
