"""The WhatsApp Cloud API calls the adapter needs, made through facebook-sdk's `GraphAPI`.

The SDK session, the version and the mapping of Meta's errors to the three error kinds of
`channels.base` are shared with Facebook and Instagram in `channels.meta.graph`.

- Send: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
- Media: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media
- Templates: https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/message_templates/
- Mark as read: https://developers.facebook.com/docs/whatsapp/cloud-api/guides/mark-message-as-read
- Errors: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from channels.base import (
    FetchedMedia,
    PermanentError,
    PlatformEndpoints,
    TransientError,
)
from channels.meta.graph import GraphSession as _GraphCall
from channels.meta.graph import as_int as _as_int
from channels.meta.graph import segment as _segment
from channels.meta.graph import too_large as _too_large

# What a template listing asks for, and how far it pages (a number has tens, not thousands).
TEMPLATE_FIELDS = "name,language,status,category,parameter_format,components"
TEMPLATE_PAGE_SIZE = 100
TEMPLATE_MAX_PAGES = 10


class GraphClient:
    """One access token talking to one Graph API base URL.

    facebook-sdk is synchronous, so each call runs in a worker thread with a fresh
    `requests.Session`: the session's response hook is how we see the HTTP status and
    `Retry-After`, which the SDK never exposes.
    """

    def __init__(self, endpoints: PlatformEndpoints, access_token: str) -> None:
        self.endpoints = endpoints
        self.access_token = access_token

    async def send_text(
        self, phone_number_id: str, to: str, body: str, reply_to: str | None = None
    ) -> str:
        """Send a text message and return its wamid (accepted, not yet delivered)."""
        return await asyncio.to_thread(self._send_text, phone_number_id, to, body, reply_to)

    async def fetch_media(self, media_id: str) -> FetchedMedia:
        """Look up a media id, then download the file it points at."""
        return await asyncio.to_thread(self._fetch_media, media_id)

    async def send_message(
        self,
        phone_number_id: str,
        to: str,
        kind: str,
        content: Mapping[str, Any],
        reply_to: str | None = None,
    ) -> str:
        """Send one message of `kind` (text, template, image, document) and return its wamid."""
        return await asyncio.to_thread(
            self._send, phone_number_id, to, kind, dict(content), reply_to
        )

    async def upload_media(
        self, phone_number_id: str, content: bytes, mime_type: str, filename: str
    ) -> str:
        """Upload a file for sending and return its media id."""
        return await asyncio.to_thread(
            self._upload_media, phone_number_id, content, mime_type, filename
        )

    async def list_templates(self, business_account_id: str) -> list[dict[str, Any]]:
        """Every message template of the WhatsApp Business Account, as Graph returns them."""
        return await asyncio.to_thread(self._list_templates, business_account_id)

    async def mark_read(self, phone_number_id: str, message_id: str) -> None:
        """Mark an inbound message (and every earlier one) as read: the citizen's blue ticks."""
        await asyncio.to_thread(self._mark_read, phone_number_id, message_id)

    def _send(
        self,
        phone_number_id: str,
        to: str,
        kind: str,
        content: dict[str, Any],
        reply_to: str | None,
    ) -> str:
        post_args = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": kind,
            kind: json.dumps(content),
        }
        if reply_to:
            post_args["context"] = json.dumps({"message_id": reply_to})
        with _GraphCall(self.endpoints, self.access_token) as call:
            result = call.request(f"{_segment(phone_number_id)}/messages", post_args=post_args)
        return _message_id(result)

    def _upload_media(
        self, phone_number_id: str, content: bytes, mime_type: str, filename: str
    ) -> str:
        post_args = {"messaging_product": "whatsapp", "type": mime_type}
        files = {"file": (filename, content, mime_type)}
        with _GraphCall(self.endpoints, self.access_token) as call:
            result = call.request(
                f"{_segment(phone_number_id)}/media", post_args=post_args, files=files
            )
        media_id = result.get("id") if isinstance(result, dict) else None
        if not media_id:
            raise PermanentError(
                f"Graph API accepted the upload but returned no media id: {result!r:.200}",
                code="bad_response",
            )
        return str(media_id)

    def _list_templates(self, business_account_id: str) -> list[dict[str, Any]]:
        args = {"fields": TEMPLATE_FIELDS, "limit": str(TEMPLATE_PAGE_SIZE)}
        found: list[dict[str, Any]] = []
        with _GraphCall(self.endpoints, self.access_token) as call:
            for _ in range(TEMPLATE_MAX_PAGES):
                page = call.request(
                    f"{_segment(business_account_id)}/message_templates", args=dict(args)
                )
                data = page.get("data") if isinstance(page, dict) else None
                if not isinstance(data, list):
                    raise PermanentError(
                        f"Graph API listed no templates: {page!r:.200}", code="bad_response"
                    )
                found.extend(item for item in data if isinstance(item, dict))
                paging = page.get("paging") if isinstance(page.get("paging"), dict) else {}
                cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
                after = cursors.get("after")
                if not paging.get("next") or not isinstance(after, str) or not after:
                    break
                args["after"] = after
        return found

    def _mark_read(self, phone_number_id: str, message_id: str) -> None:
        post_args = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
        with _GraphCall(self.endpoints, self.access_token) as call:
            result = call.request(f"{_segment(phone_number_id)}/messages", post_args=post_args)
        if not (isinstance(result, dict) and result.get("success") is True):
            raise PermanentError(
                f"Graph API did not confirm the read receipt: {result!r:.200}",
                code="bad_response",
            )

    def _send_text(self, phone_number_id: str, to: str, body: str, reply_to: str | None) -> str:
        # facebook-sdk posts form-encoded: nested objects travel as JSON strings, which the
        # Graph API decodes like any JSON-valued parameter.
        post_args = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "text",
            "text": json.dumps({"body": body, "preview_url": False}),
        }
        if reply_to:
            post_args["context"] = json.dumps({"message_id": reply_to})
        with _GraphCall(self.endpoints, self.access_token) as call:
            result = call.request(f"{_segment(phone_number_id)}/messages", post_args=post_args)
        try:
            return str(result["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise PermanentError(
                f"Graph API accepted the send but returned no message id: {result!r:.200}",
                code="bad_response",
            ) from None

    def _fetch_media(self, media_id: str) -> FetchedMedia:
        limit = self.endpoints.max_media_bytes
        with _GraphCall(self.endpoints, self.access_token) as call:
            info = call.request(_segment(media_id))
            url = info.get("url") if isinstance(info, dict) else None
            if not url:
                raise PermanentError(f"Media {media_id} has no download URL", code="bad_response")
            declared = _as_int(info.get("file_size"))
            if declared is not None and declared > limit:
                raise _too_large(declared, limit)
            content, content_type = call.download(url, limit)
        if not _matches_sha256(content, info.get("sha256")):
            raise TransientError("Downloaded media does not match its sha256", code="sha256")
        mime_type = info.get("mime_type") or content_type
        return FetchedMedia(content=content, mime_type=mime_type or None)


def _message_id(result: Any) -> str:
    try:
        return str(result["messages"][0]["id"])
    except (KeyError, IndexError, TypeError):
        raise PermanentError(
            f"Graph API accepted the send but returned no message id: {result!r:.200}",
            code="bad_response",
        ) from None


def _matches_sha256(content: bytes, expected: object) -> bool:
    """True when `expected` is absent or names `content`, as hex or base64 (both are seen)."""
    if not isinstance(expected, str) or not expected:
        return True
    digest = hashlib.sha256(content)
    return expected.lower() == digest.hexdigest() or expected == base64.b64encode(
        digest.digest()
    ).decode("ascii")
