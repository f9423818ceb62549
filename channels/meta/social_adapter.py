"""What the Page and Instagram adapters share: Meta webhooks in, Messenger Platform sends out,
and the rules of their reply windows.

- Messaging windows and the HUMAN_AGENT tag (7 days, where Meta granted the account the
  feature): https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags
- Private replies (one per comment, within 7 days):
  https://developers.facebook.com/docs/messenger-platform/discovery/private-replies
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from channels.base import (
    AccountConfig,
    ChannelAdapter,
    FetchedMedia,
    InvalidPayload,
    MediaRef,
    OutboundMessage,
    PayloadNeeded,
    PermanentError,
    ReplyChoices,
    ReplyContext,
    ReplyMode,
    WebhookRequest,
)
from channels.meta import signature
from channels.meta.messaging import media_url
from channels.meta.social_client import HUMAN_AGENT, SocialClient

MESSAGE_WINDOW = timedelta(hours=24)
TAGGED_WINDOW = timedelta(days=7)
PRIVATE_REPLY_WINDOW = timedelta(days=7)
_TRUE = {"1", "true", "yes", "ya"}


class SocialAdapter(ChannelAdapter):
    """A Messenger Platform surface: a conversation (Messenger, Instagram Direct) and comments."""

    #: the webhook's `object`
    webhook_object: ClassVar[str]
    #: the config field holding the account's own id, the sender of its messages
    sender_field: ClassVar[str]
    #: the edge a public reply is posted to under a comment
    comment_reply_edge: ClassVar[str]
    #: `details["surface"]` of the account's comments
    comment_surface: ClassVar[str]
    #: longest text a message may have
    max_text: ClassVar[int] = 2000
    #: replies to comments that are themselves replies are refused (Instagram)
    top_level_replies_only: ClassVar[bool] = False
    # Attachment URLs live only in the stored webhook body (see `channels.meta.messaging`).
    media_in_payload = True

    def handshake(self, query: Mapping[str, str], accounts: Sequence[AccountConfig]) -> str | None:
        return signature.handshake(query, accounts)

    def authenticate(self, request: WebhookRequest, accounts: Sequence[AccountConfig]) -> bool:
        return signature.authenticate(request, accounts)

    def free_form_open(self, last_inbound_at: datetime | None, now: datetime) -> bool:
        return last_inbound_at is None or now - last_inbound_at <= MESSAGE_WINDOW

    def reply_choices(self, account: AccountConfig, context: ReplyContext) -> ReplyChoices:
        details = context.last_inbound_details
        if details.get("surface") == self.comment_surface:
            return self._comment_choices(context)
        window, until = self._message_window(account, context.last_inbound_at, context.now)
        return ReplyChoices(modes=(ReplyMode.message,), window=window, window_until=until)

    async def send(self, account: AccountConfig, message: OutboundMessage) -> str:
        body = message.body
        if len(body) > self.max_text:
            raise PermanentError(
                f"The text is {len(body)} characters; this channel takes at most {self.max_text}.",
                code="too_long",
            )
        client = SocialClient(
            self.endpoints, account.get("access_token"), account.get(self.sender_field)
        )
        target = message.reply_to_external_id
        if message.reply_mode is ReplyMode.public_comment:
            if not target:
                raise PermanentError("No comment to reply to.", code="no_comment")
            return await client.reply_to_comment(target, body, self.comment_reply_edge)
        if message.reply_mode is ReplyMode.private_reply:
            if not target:
                raise PermanentError("No comment to reply to.", code="no_comment")
            return await client.send_message({"comment_id": target}, body)
        window, _ = self._message_window(account, message.last_inbound_at, datetime.now(UTC))
        if window == "closed":
            raise PermanentError(
                "The messaging window is closed: the citizen last wrote more than 24 hours ago "
                "(7 days with the human agent tag, where the account has it).",
                code="messaging_window_closed",
            )
        tag = HUMAN_AGENT if window == "tagged" else None
        return await client.send_message({"id": message.recipient_id}, body, tag=tag)

    async def fetch_media(self, account: AccountConfig, media: MediaRef) -> FetchedMedia:
        if media.payload is None:  # the attachment job loads the stored webhook and asks again
            raise PayloadNeeded
        try:
            url = media_url(media.payload, media.media_id, self.webhook_object)
        except InvalidPayload as exc:
            raise PermanentError(str(exc), code="no_media") from exc
        client = SocialClient(
            self.endpoints, account.get("access_token"), account.get(self.sender_field)
        )
        return await client.download(url)

    def _message_window(
        self, account: AccountConfig, last_inbound_at: datetime | None, now: datetime
    ) -> tuple[str, datetime | None]:
        """ "open" inside 24 hours; "tagged" up to 7 days where the account may use the
        HUMAN_AGENT tag (its `human_agent` setting); else "closed"."""
        if last_inbound_at is None:
            return "closed", None
        if now - last_inbound_at <= MESSAGE_WINDOW:
            return "open", last_inbound_at + MESSAGE_WINDOW
        tagged = account.get("human_agent").strip().lower() in _TRUE
        if tagged and now - last_inbound_at <= TAGGED_WINDOW:
            return "tagged", last_inbound_at + TAGGED_WINDOW
        return "closed", None

    def _comment_choices(self, context: ReplyContext) -> ReplyChoices:
        details = context.last_inbound_details
        modes: list[ReplyMode] = []
        if not (self.top_level_replies_only and details.get("parent_id")):
            modes.append(ReplyMode.public_comment)
        at = context.last_inbound_at
        private_open = at is not None and context.now - at <= PRIVATE_REPLY_WINDOW
        if private_open and ReplyMode.private_reply not in context.used_modes:
            modes.append(ReplyMode.private_reply)
        return ReplyChoices(
            modes=tuple(modes),
            window="open" if private_open else "closed",
            window_until=at + PRIVATE_REPLY_WINDOW if private_open and at else None,
            target_external_id=context.last_inbound_external_id,
        )
