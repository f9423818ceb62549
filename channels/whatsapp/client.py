"""The WhatsApp Cloud API calls the adapter needs, made through facebook-sdk's `GraphAPI`.

Only this module imports the SDK. It turns every failure into one of the three error kinds of
`channels.base`, so retry policy lives in one place (the outbound job), not here.

- Send: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
- Media: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media
- Errors: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import facebook
import requests

from channels.base import (
    AuthError,
    ChannelError,
    FetchedMedia,
    PermanentError,
    PlatformEndpoints,
    TransientError,
)

# https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
# Codes that mean the token or its permissions need a human (190 expired; 463/467 are its
# subcodes; 0, 3, 10 and 200-299 are permission problems).
_AUTH_CODES = frozenset({0, 3, 10, 102, 190, 463, 467}) | frozenset(range(200, 300))
_AUTH_SUBCODES = frozenset({463, 467})
# Throttling and "service temporarily unavailable" codes: worth another try later.
_TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 613, 80007, 130429, 131016, 131056, 133004})

_CHUNK_BYTES = 64 * 1024


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


class _GraphCall:
    """One worker-thread conversation with the Graph API: a session, a `GraphAPI`, a mapper."""

    def __init__(self, endpoints: PlatformEndpoints, access_token: str) -> None:
        self.endpoints = endpoints
        self.responses: list[requests.Response] = []
        self.session = requests.Session()
        self.session.hooks["response"].append(self._record)
        # The token goes in the header Meta documents, not in the query string or form body
        # where facebook-sdk would put it (and where access logs would keep it).
        self.session.headers["Authorization"] = f"Bearer {access_token}"
        self.api = facebook.GraphAPI(timeout=endpoints.timeout_seconds, session=self.session)

    def __enter__(self) -> _GraphCall:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.session.close()

    def _record(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        self.responses.append(response)

    def request(self, path: str, post_args: dict[str, str] | None = None) -> Any:
        """`GraphAPI.request` with the version in the path (the SDK rejects v4+ versions)."""
        base = self.endpoints.graph_api_url
        # facebook-sdk reads this module global on every call and concatenates the path to it.
        facebook.FACEBOOK_GRAPH_URL = base if base.endswith("/") else base + "/"
        version = self.endpoints.graph_api_version.strip("/")
        try:
            result = self.api.request(f"{version}/{path}", post_args=post_args)
        except facebook.GraphAPIError as exc:
            raise self._graph_error(exc) from exc
        except KeyError as exc:  # the SDK indexes headers["content-type"] unguarded
            raise TransientError(
                "Graph API answered without a Content-Type", code="bad_response"
            ) from exc
        except requests.RequestException as exc:
            raise _request_error(exc) from exc
        status = self._last_status()
        if status is not None and status >= 400:
            # facebook-sdk ignores the HTTP status: a JSON error page without "error" passes.
            raise _http_error(status, f"Graph API answered HTTP {status}", self._retry_after())
        return result

    def download(self, url: str, limit: int) -> tuple[bytes, str | None]:
        """Stream `url` with the session's Bearer header, refusing more than `limit` bytes."""
        timeout = self.endpoints.timeout_seconds
        deadline = time.monotonic() + timeout
        try:
            with self.session.get(url, stream=True, timeout=timeout) as response:
                if response.status_code != 200:
                    raise _http_error(
                        response.status_code,
                        f"Media download answered HTTP {response.status_code}",
                        _parse_retry_after(response.headers),
                    )
                declared = _as_int(response.headers.get("content-length"))
                if declared is not None and declared > limit:
                    raise _too_large(declared, limit)
                chunks: list[bytes] = []
                received = 0
                for chunk in response.iter_content(_CHUNK_BYTES):
                    received += len(chunk)
                    if received > limit:
                        raise _too_large(received, limit)
                    if time.monotonic() > deadline:
                        raise TransientError("Media download took too long", code="timeout")
                    chunks.append(chunk)
                return b"".join(chunks), response.headers.get("content-type")
        except requests.RequestException as exc:
            raise _request_error(exc) from exc

    def _last_status(self) -> int | None:
        return self.responses[-1].status_code if self.responses else None

    def _retry_after(self) -> float | None:
        return _parse_retry_after(self.responses[-1].headers) if self.responses else None

    def _graph_error(self, exc: facebook.GraphAPIError) -> ChannelError:
        status = self._last_status()
        error = exc.result.get("error") if isinstance(exc.result, dict) else None
        if not isinstance(error, dict) or error.get("code") is None:
            # Not Meta's error shape, typically a proxy's HTML page ("Maintype was not text,
            # image, or querystring"): Meta itself did not answer, so try again later.
            fallback = f"http_{status}" if status is not None and status >= 400 else "bad_response"
            return TransientError(
                f"Graph API: {exc.message}", code=fallback, retry_after=self._retry_after()
            )
        code = _as_int(error.get("code"))
        subcode = _as_int(error.get("error_subcode"))
        message = _error_message(error)
        code_text = str(error.get("code"))
        if code in _AUTH_CODES or subcode in _AUTH_SUBCODES:
            return AuthError(message, code=code_text)
        if (
            code in _TRANSIENT_CODES
            or error.get("is_transient") is True
            or (status is not None and (status == 429 or status >= 500))
        ):
            return TransientError(message, code=code_text, retry_after=self._retry_after())
        return PermanentError(message, code=code_text)


def _segment(value: str) -> str:
    return quote(str(value), safe="")


def _error_message(error: Mapping[str, Any]) -> str:
    message = str(error.get("message") or "Graph API error")
    error_data = error.get("error_data")
    details = error_data.get("details") if isinstance(error_data, Mapping) else None
    if details and str(details) not in message:
        return f"{message}: {details}"
    return message


def _http_error(status: int, message: str, retry_after: float | None) -> ChannelError:
    code = f"http_{status}"
    if status in (401, 403):
        return AuthError(message, code=code)
    if status in (408, 429) or status >= 500:
        return TransientError(message, code=code, retry_after=retry_after)
    return PermanentError(message, code=code)


def _request_error(exc: requests.RequestException) -> ChannelError:
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return PermanentError(f"Bad Graph API URL: {exc}", code="bad_endpoint")
    if isinstance(exc, requests.Timeout):
        return TransientError(f"Graph API timed out: {exc}", code="timeout")
    if isinstance(exc, requests.ConnectionError):
        return TransientError(f"Graph API unreachable: {exc}", code="connection")
    return TransientError(f"Graph API request failed: {exc}", code="request")


def _matches_sha256(content: bytes, expected: object) -> bool:
    """True when `expected` is absent or names `content`, as hex or base64 (both are seen)."""
    if not isinstance(expected, str) or not expected:
        return True
    digest = hashlib.sha256(content)
    return expected.lower() == digest.hexdigest() or expected == base64.b64encode(
        digest.digest()
    ).decode("ascii")


def _too_large(size: int, limit: int) -> PermanentError:
    return PermanentError(f"Media is {size} bytes, over the {limit} byte limit", code="too_large")


def _parse_retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
