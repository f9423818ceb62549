"""The Telegram Bot API adapter: the office's bot for citizens, its admin group for staff.

Webhooks only (no polling loop): Telegram POSTs each update with the secret token given to
setWebhook in `X-Telegram-Bot-Api-Secret-Token`; that token also tells which office's bot the
update is for, so one path serves every bot.
https://core.telegram.org/bots/api#setwebhook
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping, Sequence

from channels.base import (
    AccountConfig,
    ChannelAdapter,
    ContentKind,
    FetchedMedia,
    MediaRef,
    OutboundMessage,
    ParsedPayload,
    WebhookRequest,
)
from channels.telegram import parse
from channels.telegram.client import TelegramClient

log = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name
ALLOWED_UPDATES = ("message",)


class TelegramAdapter(ChannelAdapter):
    kind = "telegram"
    key_field = "bot_token"
    required_fields = ("bot_token", "secret_token", "admin_group_id")
    secret_fields = ("bot_token", "secret_token")
    max_body_bytes = 1024 * 1024  # an update is text; files stay on Telegram until getFile
    quotes_replies = True

    @classmethod
    def account_key(cls, config: Mapping[str, str]) -> str:
        # A token is "<bot id>:<secret>": the bot id routes, the secret never reaches the key.
        token = config.get("bot_token", "")
        bot_id, sep, _ = token.partition(":")
        if sep and bot_id.isdigit():
            return bot_id
        return "bot-" + hashlib.sha256(token.encode()).hexdigest()[:16]

    def _account_for(
        self, request: WebhookRequest, accounts: Sequence[AccountConfig]
    ) -> AccountConfig | None:
        given = request.headers.get(SECRET_HEADER, "")
        if not given:
            return None
        found = [
            a
            for a in accounts
            if a.get("secret_token")
            and hmac.compare_digest(a.get("secret_token").encode(), given.encode())
        ]
        if len(found) > 1:
            # Two bots with one secret cannot be told apart: refuse rather than misroute.
            log.error("telegram accounts %s share a secret_token", [a.key for a in found])
            return None
        return found[0] if found else None

    def authenticate(self, request: WebhookRequest, accounts: Sequence[AccountConfig]) -> bool:
        return self._account_for(request, accounts) is not None

    def envelope(self, request: WebhookRequest, accounts: Sequence[AccountConfig]) -> bytes:
        account = self._account_for(request, accounts)
        assert account is not None, "envelope() follows a successful authenticate()"
        return parse.envelope(account.key, request.body)

    def parse(self, body: bytes) -> ParsedPayload:
        return parse.parse_update(body)

    async def send(self, account: AccountConfig, message: OutboundMessage) -> str:
        chat, reply_to = _target(message)
        client = TelegramClient(self.endpoints, account.get("bot_token"))
        message_id = await client.send_text(
            chat, message.body, thread_id=message.thread_id, reply_to=reply_to
        )
        return f"{chat}:{message_id}"

    async def fetch_media(self, account: AccountConfig, media: MediaRef) -> FetchedMedia:
        client = TelegramClient(self.endpoints, account.get("bot_token"))
        fetched = await client.fetch_file(media.media_id, self.endpoints.max_media_bytes)
        return FetchedMedia(
            content=fetched.content,
            mime_type=media.mime_type,
            filename=media.filename
            or (fetched.filename if media.kind != ContentKind.image else None),
        )

    async def register_webhook(self, account: AccountConfig, url: str) -> bool:
        client = TelegramClient(self.endpoints, account.get("bot_token"))
        return await client.set_webhook(url, account.get("secret_token"), ALLOWED_UPDATES)

    # -- the admin group (channels.base.StaffGroupAdapter) ---------------------------------
    def staff_group_id(self, account: AccountConfig) -> str | None:
        return account.get("admin_group_id") or None

    async def open_thread(self, account: AccountConfig, title: str) -> str | None:
        group = self.staff_group_id(account)
        if not group:
            return None
        client = TelegramClient(self.endpoints, account.get("bot_token"))
        if not await client.is_forum(group):
            return None
        return str(await client.create_topic(group, title))


def _target(message: OutboundMessage) -> tuple[str, int | None]:
    """The chat to send to and the message (in that chat) to reply to."""
    chat = message.recipient_id
    reply_to = None
    if message.reply_to_external_id:
        reply_chat, _, reply_id = message.reply_to_external_id.rpartition(":")
        if reply_chat == chat and reply_id.isdigit():
            reply_to = int(reply_id)
    return chat, reply_to
