"""Graph calls of the Messenger Platform (Page and Instagram): Send API, comment replies,
attachment downloads. Each runs off the event loop through `channels.meta.graph`.

- Send API: https://developers.facebook.com/docs/messenger-platform/reference/send-api
- Private replies: https://developers.facebook.com/docs/messenger-platform/discovery/private-replies
- Page comment reply: https://developers.facebook.com/docs/graph-api/reference/object/comments
- Instagram comment reply: https://developers.facebook.com/docs/instagram-platform/comment-moderation
"""

from __future__ import annotations

import json
from typing import Any

from channels.base import FetchedMedia, PermanentError, PlatformEndpoints
from channels.meta.graph import GraphSession, run_off_loop, segment
from channels.meta.messaging import OUR_METADATA

HUMAN_AGENT = "HUMAN_AGENT"


class SocialClient:
    """One account (a Page or an Instagram professional account) and its access token."""

    def __init__(self, endpoints: PlatformEndpoints, access_token: str, account_id: str) -> None:
        self.endpoints = endpoints
        self.access_token = access_token
        self.account_id = account_id

    async def send_message(
        self, recipient: dict[str, str], text: str, *, tag: str | None = None
    ) -> str:
        """A Send API text message to `{"id": …}` or, as a private reply, `{"comment_id": …}`;
        returns its `message_id`."""
        return await run_off_loop(self._send_message, recipient, text, tag)

    async def reply_to_comment(self, comment_id: str, text: str, edge: str) -> str:
        """A public reply under a comment (`edge`: `comments` on a Page, `replies` on
        Instagram); returns the new comment's id."""
        return await run_off_loop(self._reply_to_comment, comment_id, text, edge)

    async def download(self, url: str) -> FetchedMedia:
        return await run_off_loop(self._download, url)

    def _send_message(self, recipient: dict[str, str], text: str, tag: str | None) -> str:
        # facebook-sdk posts form-encoded: nested objects travel as JSON strings.
        post_args = {
            "recipient": json.dumps(recipient),
            "message": json.dumps({"text": text, "metadata": OUR_METADATA}),
            "messaging_type": "MESSAGE_TAG" if tag else "RESPONSE",
        }
        if tag:
            post_args["tag"] = tag
        with GraphSession(self.endpoints, self.access_token) as call:
            result = call.request(f"{segment(self.account_id)}/messages", post_args=post_args)
        return _id(result, "message_id")

    def _reply_to_comment(self, comment_id: str, text: str, edge: str) -> str:
        with GraphSession(self.endpoints, self.access_token) as call:
            result = call.request(f"{segment(comment_id)}/{edge}", post_args={"message": text})
        return _id(result, "id")

    def _download(self, url: str) -> FetchedMedia:
        with GraphSession(self.endpoints, self.access_token) as call:
            content, content_type = call.download(
                url, self.endpoints.max_media_bytes, with_token=False
            )
        return FetchedMedia(content=content, mime_type=content_type or None)


def _id(result: Any, key: str) -> str:
    value = result.get(key) if isinstance(result, dict) else None
    if not isinstance(value, str | int) or not str(value):
        raise PermanentError(
            f"Graph API accepted the send but returned no {key}: {result!r:.200}",
            code="bad_response",
        )
    return str(value)
