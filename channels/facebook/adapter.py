"""The Facebook Page adapter: Messenger and post comments in, Send API and comment replies out."""

from __future__ import annotations

from channels.base import ParsedPayload
from channels.facebook import parse
from channels.meta.social_adapter import SocialAdapter


class FacebookAdapter(SocialAdapter):
    kind = "facebook"
    key_field = "page_id"
    required_fields = ("page_id", "access_token", "app_secret", "verify_token")
    secret_fields = ("access_token", "app_secret", "verify_token")
    webhook_object = parse.OBJECT
    sender_field = "page_id"
    comment_reply_edge = "comments"
    comment_surface = parse.COMMENT
    max_text = 2000

    def parse(self, body: bytes) -> ParsedPayload:
        return parse.parse_webhook(body)
