"""The WhatsApp Cloud API adapter: webhooks in, Graph API sends out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from channels.base import (
    AccountConfig,
    ChannelAdapter,
    FetchedMedia,
    MediaRef,
    OutboundMessage,
    ParsedPayload,
    PermanentError,
    WebhookRequest,
)
from channels.whatsapp import parse, signature
from channels.whatsapp.client import GraphClient

# Outside this window after the citizen's last message only approved templates may be sent:
# https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages#customer-service-windows
REPLY_WINDOW = timedelta(hours=24)


class WhatsAppAdapter(ChannelAdapter):
    kind = "whatsapp"
    key_field = "phone_number_id"
    required_fields = ("phone_number_id", "access_token", "app_secret", "verify_token")
    secret_fields = ("access_token", "app_secret", "verify_token")

    def handshake(self, query: Mapping[str, str], accounts: Sequence[AccountConfig]) -> str | None:
        tokens = {a.get("verify_token") for a in accounts} - {""}
        return signature.handshake_challenge(query, tokens)

    def authenticate(self, request: WebhookRequest, accounts: Sequence[AccountConfig]) -> bool:
        secrets = {a.get("app_secret") for a in accounts} - {""}
        header = request.headers.get("x-hub-signature-256", "")
        return signature.is_valid_signature(request.body, header, secrets)

    def parse(self, body: bytes) -> ParsedPayload:
        return parse.parse_webhook(body)

    async def send(self, account: AccountConfig, message: OutboundMessage) -> str:
        last_inbound = message.last_inbound_at
        if last_inbound is not None and datetime.now(UTC) - last_inbound > REPLY_WINDOW:
            raise PermanentError(
                "The 24-hour customer service window is closed; only an approved template "
                "message can reach this citizen now.",
                code="window_closed",
            )
        client = GraphClient(self.endpoints, account.get("access_token"))
        return await client.send_text(
            account.key, message.recipient_id, message.body, message.reply_to_external_id
        )

    async def fetch_media(self, account: AccountConfig, media: MediaRef) -> FetchedMedia:
        client = GraphClient(self.endpoints, account.get("access_token"))
        return await client.fetch_media(media.media_id)
