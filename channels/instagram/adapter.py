"""The Instagram adapter: Direct messages and media comments in, Send API and replies out."""

from __future__ import annotations

from channels.base import ParsedPayload
from channels.instagram import parse
from channels.meta.social_adapter import SocialAdapter


class InstagramAdapter(SocialAdapter):
    kind = "instagram"
    key_field = "instagram_id"
    required_fields = ("instagram_id", "page_id", "access_token", "app_secret", "verify_token")
    secret_fields = ("access_token", "app_secret", "verify_token")
    webhook_object = parse.OBJECT
    sender_field = "instagram_id"
    comment_reply_edge = "replies"
    comment_surface = parse.COMMENT
    # https://developers.facebook.com/docs/messenger-platform/instagram/features/send-message
    max_text = 1000
    top_level_replies_only = True

    def parse(self, body: bytes) -> ParsedPayload:
        return parse.parse_webhook(body)
