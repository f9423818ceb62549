"""Downloading the media a citizen sent into attachment storage."""

from __future__ import annotations

from sqlalchemy import select, update

from channels.base import ChannelError, MediaRef, PermanentError, TransientError
from helpdesk.db import transaction
from helpdesk.jobs.queue import RetryLater
from helpdesk.models import Attachment, AttachmentStatus, ChannelAccount, InboundEvent, Message
from helpdesk.offices import account_config
from helpdesk.runtime import Runtime
from helpdesk.storage import ForbiddenContent

MAX_TRIES = 6


async def fetch_attachment(rt: Runtime, attachment_id: int, job_try: int = 1) -> str | None:
    async with rt.sessions() as session:
        row = (
            await session.execute(
                select(Attachment, Message.details, ChannelAccount)
                .join(Message, Message.id == Attachment.message_id)
                .join(ChannelAccount, ChannelAccount.id == Message.channel_account_id)
                .where(Attachment.id == attachment_id)
            )
        ).one_or_none()
        if row is None:
            return None
        attachment, details, account = row
        if attachment.status != AttachmentStatus.pending:
            return attachment.status
        config = account_config(account)
        adapter = rt.adapters[account.kind]
        payload = None
        event_id = (details or {}).get("event_id")
        if adapter.media_in_payload and event_id is not None:
            # The channel's media travel inside the raw payload we stored (a mail).
            payload = await session.scalar(
                select(InboundEvent.body).where(InboundEvent.id == int(event_id))
            )
        media = MediaRef(
            media_id=attachment.media_id or "",
            mime_type=attachment.declared_type,
            filename=attachment.filename,
            kind=attachment.kind,  # type: ignore[arg-type]
            payload=payload,
        )
        has_filename = bool(attachment.filename)
    try:
        fetched = await adapter.fetch_media(config, media)
        if len(fetched.content) > rt.settings.max_attachment_bytes:
            raise PermanentError("larger than the attachment limit", code="too_large")
        stored = rt.storage.save(fetched.content, fetched.mime_type or media.mime_type)
    except TransientError as exc:
        if job_try < MAX_TRIES:
            raise RetryLater(defer=exc.retry_after or 5.0 * 2**job_try) from exc
        return await _mark(rt, attachment_id, AttachmentStatus.failed, exc.message)
    except ForbiddenContent as exc:
        return await _mark(rt, attachment_id, AttachmentStatus.refused, str(exc))
    except ChannelError as exc:
        status = AttachmentStatus.refused if exc.code == "too_large" else AttachmentStatus.failed
        return await _mark(rt, attachment_id, status, exc.message)

    values: dict[str, object] = {
        "status": AttachmentStatus.stored,
        "storage_key": stored.key,
        "size": stored.size,
        "sha256": stored.sha256,
        "content_type": stored.content_type,
        "error": None,
    }
    if fetched.filename and not has_filename:
        values["filename"] = fetched.filename[:255]
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(Attachment).where(Attachment.id == attachment_id).values(**values)
        )
    return AttachmentStatus.stored


async def _mark(rt: Runtime, attachment_id: int, status: AttachmentStatus, error: str) -> str:
    async with transaction(rt.sessions) as session:
        await session.execute(
            update(Attachment)
            .where(Attachment.id == attachment_id)
            .values(status=status, error=error[:1000])
        )
    return status
