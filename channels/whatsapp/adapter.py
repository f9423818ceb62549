"""The WhatsApp Cloud API adapter: webhooks in, Graph API sends out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from channels.base import (
    AccountConfig,
    ChannelAdapter,
    FetchedMedia,
    MediaRef,
    MediaRule,
    MessageTemplate,
    OutboundMessage,
    ParsedPayload,
    PermanentError,
    ReplyChoices,
    ReplyContext,
    WebhookRequest,
)
from channels.meta import signature
from channels.whatsapp import outbound, parse
from channels.whatsapp.client import GraphClient
from channels.whatsapp.templates import parse_templates

# Outside this window after the citizen's last message only approved templates may be sent:
# https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages#customer-service-windows
REPLY_WINDOW = timedelta(hours=24)


class WhatsAppAdapter(ChannelAdapter):
    kind = "whatsapp"
    key_field = "phone_number_id"
    required_fields = ("phone_number_id", "access_token", "app_secret", "verify_token")
    secret_fields = ("access_token", "app_secret", "verify_token")
    outbound_media: ClassVar[tuple[MediaRule, ...]] = outbound.MEDIA_RULES
    quotes_replies = True
    sends_read_receipts = True

    def handshake(self, query: Mapping[str, str], accounts: Sequence[AccountConfig]) -> str | None:
        return signature.handshake(query, accounts)

    def authenticate(self, request: WebhookRequest, accounts: Sequence[AccountConfig]) -> bool:
        return signature.authenticate(request, accounts)

    def parse(self, body: bytes) -> ParsedPayload:
        return parse.parse_webhook(body)

    def free_form_open(self, last_inbound_at: datetime | None, now: datetime) -> bool:
        return last_inbound_at is None or now - last_inbound_at <= REPLY_WINDOW

    def reply_choices(self, account: AccountConfig, context: ReplyContext) -> ReplyChoices:
        last = context.last_inbound_at
        is_open = self.free_form_open(last, context.now)
        return ReplyChoices(
            window="open" if is_open else "closed",
            window_until=last + REPLY_WINDOW if last is not None else None,
        )

    def has_templates(self, account: AccountConfig) -> bool:
        return bool(account.get("business_account_id"))

    async def list_templates(self, account: AccountConfig) -> tuple[MessageTemplate, ...]:
        waba_id = account.get("business_account_id")
        if not waba_id:
            raise PermanentError(
                "business_account_id is not set for this number", code="no_business_account"
            )
        client = GraphClient(self.endpoints, account.get("access_token"))
        return parse_templates(await client.list_templates(waba_id))

    async def mark_read(self, account: AccountConfig, external_id: str) -> None:
        client = GraphClient(self.endpoints, account.get("access_token"))
        await client.mark_read(account.key, external_id)

    async def send(self, account: AccountConfig, message: OutboundMessage) -> str:
        # Templates are the one kind of message Meta delivers outside the window.
        if message.template is None and not self.free_form_open(
            message.last_inbound_at, datetime.now(UTC)
        ):
            raise PermanentError(
                "The 24-hour customer service window is closed; only an approved template "
                "message can reach this citizen now.",
                code="window_closed",
            )
        client = GraphClient(self.endpoints, account.get("access_token"))
        if message.template is not None:
            kind, content = "template", outbound.template_content(message.template)
        elif message.media is not None:
            media = message.media
            filename = media.filename or outbound.default_filename(media)
            media_id = await client.upload_media(
                account.key, media.content, media.mime_type, filename
            )
            kind, content = outbound.media_content(media, media_id, filename, message.body)
        else:
            kind, content = "text", {"body": message.body, "preview_url": False}
        return await client.send_message(
            account.key, message.recipient_id, kind, content, message.reply_to_external_id
        )

    async def fetch_media(self, account: AccountConfig, media: MediaRef) -> FetchedMedia:
        client = GraphClient(self.endpoints, account.get("access_token"))
        return await client.fetch_media(media.media_id)
