"""Serving stored attachments to users who may see their ticket.

Files come from citizens: they are served with their detected type, `nosniff`, a sandboxing CSP,
and as downloads unless they are images or PDFs.
"""

from __future__ import annotations

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import File
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.models import Attachment, AttachmentStatus, Message
from helpdesk.runtime import Runtime
from helpdesk.storage import INLINE_TYPES
from helpdesk.tickets import get_ticket
from helpdesk.web.deps import provide_api_principal, session_principal


@get("/attachments/{attachment_id:int}", include_in_schema=False)
async def download_attachment(
    attachment_id: int, request: Request, db: AsyncSession, rt: Runtime
) -> File:
    principal = await session_principal(request, db)
    if principal is None:
        principal = await provide_api_principal(request, db)
    attachment = await db.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.status != AttachmentStatus.stored
        or not attachment.storage_key
    ):
        raise NotFoundException("no such attachment")
    message = await db.get_one(Message, attachment.message_id)
    if await get_ticket(db, principal, message.ticket_id) is None:
        raise NotFoundException("no such attachment")
    content_type = attachment.content_type or "application/octet-stream"
    return File(
        path=rt.storage.path(attachment.storage_key),
        filename=attachment.filename or f"lampiran-{attachment.id}",
        media_type=content_type,
        content_disposition_type="inline" if content_type in INLINE_TYPES else "attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, max-age=3600",
        },
    )
