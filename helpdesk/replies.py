"""Replies beyond plain text: an approved template, a file, a quote of the citizen's message.

Each is checked here against what the ticket's channel says it can do (`ChannelAdapter`
capabilities), then queued through `helpdesk.outbox.queue_reply`, the one outbound path.
Nothing here knows a platform: the window, the file rules and the templates come from the
adapter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelAdapter, MediaRule
from helpdesk import first_contact
from helpdesk.auth import Principal
from helpdesk.message_templates import TemplateList, clean_parameters, fill
from helpdesk.models import (
    Attachment,
    AttachmentStatus,
    ChannelAccount,
    Direction,
    Message,
    OutboxItem,
    Ticket,
    utcnow,
)
from helpdesk.offices import account_config
from helpdesk.outbox import MAX_BODY, ReplyRefused, queue_reply
from helpdesk.runtime import Runtime
from helpdesk.storage import ForbiddenContent, detect_type

MAX_FILENAME = 120
MAX_CAPTION = 1024  # WhatsApp's caption limit; the strictest of our channels
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+", re.UNICODE)


@dataclass(frozen=True)
class ReplyOptions:
    """What the ticket's channel allows a reply now: shown in the reply box, checked on send."""

    free_form_open: bool  # False: only a template reaches the citizen now
    media: tuple[MediaRule, ...]
    quotes: bool
    templates: bool  # the account has templates to list


@dataclass(frozen=True)
class Upload:
    """A file as a browser sent it: nothing about it is trusted yet."""

    content: bytes
    filename: str
    declared_type: str | None


async def adapter_of(
    rt: Runtime, session: AsyncSession, ticket: Ticket
) -> tuple[ChannelAdapter, ChannelAccount] | tuple[None, None]:
    """The adapter and account the ticket is answered on (for a counter, phone or web ticket,
    the citizen's WhatsApp or email account, not the channel it came in by)."""
    if ticket.channel_account_id is None:
        return None, None
    account = await session.get_one(ChannelAccount, ticket.channel_account_id)
    adapter = rt.adapters.get(account.kind)
    return (adapter, account) if adapter is not None else (None, None)


async def free_form_open(
    session: AsyncSession, adapter: ChannelAdapter, ticket: Ticket, account: ChannelAccount
) -> bool:
    last_inbound_at = await first_contact.last_inbound_on(session, ticket, account)
    return adapter.free_form_open(last_inbound_at, utcnow())


async def reply_options(rt: Runtime, session: AsyncSession, ticket: Ticket) -> ReplyOptions:
    adapter, account = await adapter_of(rt, session, ticket)
    if adapter is None or account is None:
        return ReplyOptions(True, (), False, False)
    return ReplyOptions(
        free_form_open=await free_form_open(session, adapter, ticket, account),
        media=adapter.outbound_media,
        quotes=adapter.quotes_replies,
        templates=adapter.has_templates(account_config(account)),
    )


async def quoted_message(
    session: AsyncSession, ticket: Ticket, message_id: int | None
) -> Message | None:
    """The citizen's message a reply quotes; ReplyRefused unless it is this ticket's inbound
    message with a platform id (a form field is hostile: any id may come in)."""
    if message_id is None:
        return None
    message = await session.get(Message, message_id)
    if (
        message is None
        or message.ticket_id != ticket.id
        or message.direction != Direction.inbound
        or not message.external_id
        or message.channel_account_id != ticket.channel_account_id
    ):
        raise ReplyRefused("bad_quote")
    return message


async def queue_quoted_reply(
    session: AsyncSession,
    rt: Runtime,
    ticket: Ticket,
    author: Principal,
    body: str,
    quoted_id: int,
) -> tuple[Message, OutboxItem]:
    adapter, _ = await adapter_of(rt, session, ticket)
    if adapter is None or not adapter.quotes_replies:
        raise ReplyRefused("no_quotes")
    quoted = await quoted_message(session, ticket, quoted_id)
    assert quoted is not None
    return await queue_reply(session, ticket, author, body, reply_to_external_id=quoted.external_id)


async def queue_template_reply(
    session: AsyncSession,
    ticket: Ticket,
    author: Principal,
    templates: TemplateList,
    name: str,
    language: str,
    values: list[str],
) -> tuple[Message, OutboxItem]:
    """Queue an approved template from the cached list, its filled text shown as the body."""
    template = templates.find(name, language)
    if template is None:
        raise ReplyRefused("template_unknown")
    try:
        parameters = clean_parameters(template, values)
    except ValueError as exc:
        raise ReplyRefused(str(exc)) from exc
    text = fill(template, parameters)[:MAX_BODY]
    details = {
        "template": {
            "name": template.name,
            "language": template.language,
            "parameters": list(parameters),
            "category": template.category,
        }
    }
    return await queue_reply(session, ticket, author, text, details=details)


async def queue_media_reply(
    session: AsyncSession,
    rt: Runtime,
    ticket: Ticket,
    author: Principal,
    upload: Upload,
    caption: str,
    quoted_id: int | None = None,
) -> tuple[Message, OutboxItem]:
    """Check the file against the channel's rules by its bytes, store it, queue it."""
    adapter, account = await adapter_of(rt, session, ticket)
    if adapter is None or account is None or not adapter.outbound_media:
        raise ReplyRefused("no_media")
    if not await free_form_open(session, adapter, ticket, account):
        raise ReplyRefused("window_closed")
    if len(caption.strip()) > MAX_CAPTION:
        raise ReplyRefused("caption_too_long")
    if not upload.content:
        raise ReplyRefused("file_empty")
    limit = max(rule.max_bytes for rule in adapter.outbound_media)
    if len(upload.content) > min(limit, rt.settings.max_attachment_bytes):
        raise ReplyRefused("file_too_big")
    detected = detect_type(upload.content, upload.declared_type)
    rule = next((r for r in adapter.outbound_media if detected in r.mime_types), None)
    if rule is None:
        raise ReplyRefused("file_type")
    if len(upload.content) > rule.max_bytes:
        raise ReplyRefused("file_too_big")
    quoted = await quoted_message(session, ticket, quoted_id) if adapter.quotes_replies else None
    try:
        stored = rt.storage.save(upload.content, detected)
    except ForbiddenContent as exc:
        raise ReplyRefused("file_type") from exc
    attachment = Attachment(
        kind=rule.kind.value,
        filename=safe_filename(upload.filename),
        declared_type=(upload.declared_type or "")[:127] or None,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        status=AttachmentStatus.stored,
    )
    return await queue_reply(
        session,
        ticket,
        author,
        caption,
        content_kind=rule.kind.value,
        attachment=attachment,
        reply_to_external_id=quoted.external_id if quoted else None,
    )


def safe_filename(name: str) -> str:
    """A browser's file name reduced to a harmless last path part (shown, and sent on)."""
    name = unicodedata.normalize("NFC", name.replace("\x00", ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    name = _UNSAFE_NAME.sub("_", name).strip(" ._")
    return name[-MAX_FILENAME:] if name else ""
