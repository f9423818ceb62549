"""Graph API calls through facebook-sdk, for every Meta product, with Meta's errors mapped.

Only this module (and the products' `client.py`) import the SDK. facebook-sdk is synchronous:
each call runs in a worker thread (`run_off_loop`) with a fresh `requests.Session`, whose
response hook is how we see the HTTP status and `Retry-After`, which the SDK never exposes.
Its own version check only knows v2.x-3.x, so the version travels in the path instead.

Errors become the adapter's three kinds (`channels.base`), so retry policy lives in one place:
- https://developers.facebook.com/docs/graph-api/guides/error-handling
- https://developers.facebook.com/docs/messenger-platform/error-codes
- https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote

import facebook
import requests

from channels.base import (
    AuthError,
    ChannelError,
    PermanentError,
    PlatformEndpoints,
    TransientError,
)

_T = TypeVar("_T")

# Codes that mean the token or its permissions need a human (190 expired or invalid; 463/467
# are its subcodes; 0, 3, 10 and 200-299 are permission problems).
AUTH_CODES = frozenset({0, 3, 10, 102, 190, 463, 467}) | frozenset(range(200, 300))
AUTH_SUBCODES = frozenset({463, 467})
# Throttling and "service temporarily unavailable" codes: worth another try later
# (4 app, 17 user, 32 page, 613 calls, 80007 Messenger/Instagram, 130429 WhatsApp throughput).
TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 613, 80007, 130429, 131016, 131056, 133004})
# Messenger and Instagram refuse a send outside the reply window with code 10 (a permission
# code) and one of these subcodes: the token is fine, the message is not allowed.
WINDOW_SUBCODES = frozenset({2018065, 2018108, 2018278, 2534022})

_CHUNK_BYTES = 64 * 1024


async def run_off_loop(func: Callable[..., _T], *args: Any) -> _T:
    """Run a blocking Graph conversation in a worker thread."""
    return await asyncio.to_thread(func, *args)


class GraphSession:
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

    def __enter__(self) -> GraphSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.session.close()

    def _record(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        self.responses.append(response)

    def request(
        self,
        path: str,
        post_args: dict[str, str] | None = None,
        files: dict[str, Any] | None = None,
        args: dict[str, str] | None = None,
    ) -> Any:
        """`GraphAPI.request` at the configured version, every failure mapped."""
        base = self.endpoints.graph_api_url
        # facebook-sdk reads this module global on every call and concatenates the path to it.
        facebook.FACEBOOK_GRAPH_URL = base if base.endswith("/") else base + "/"
        version = self.endpoints.graph_api_version.strip("/")
        try:
            result = self.api.request(
                f"{version}/{path}", args=args, post_args=post_args, files=files
            )
        except facebook.GraphAPIError as exc:
            raise self._graph_error(exc) from exc
        except KeyError as exc:  # the SDK indexes headers["content-type"] unguarded
            raise TransientError(
                "Graph API answered without a Content-Type", code="bad_response"
            ) from exc
        except requests.RequestException as exc:
            raise request_error(exc) from exc
        status = self._last_status()
        if status is not None and status >= 400:
            # facebook-sdk ignores the HTTP status: a JSON error page without "error" passes.
            raise http_error(status, f"Graph API answered HTTP {status}", self._retry_after())
        return result

    def download(
        self, url: str, limit: int, *, with_token: bool = True
    ) -> tuple[bytes, str | None]:
        """Stream `url`, refusing more than `limit` bytes. `with_token=False` for public CDN
        URLs (Messenger and Instagram attachments), which must never see the token."""
        timeout = self.endpoints.timeout_seconds
        deadline = time.monotonic() + timeout
        session = self.session if with_token else requests.Session()
        try:
            with session.get(url, stream=True, timeout=timeout) as response:
                if response.status_code != 200:
                    raise http_error(
                        response.status_code,
                        f"Media download answered HTTP {response.status_code}",
                        parse_retry_after(response.headers),
                    )
                declared = as_int(response.headers.get("content-length"))
                if declared is not None and declared > limit:
                    raise too_large(declared, limit)
                chunks: list[bytes] = []
                received = 0
                for chunk in response.iter_content(_CHUNK_BYTES):
                    received += len(chunk)
                    if received > limit:
                        raise too_large(received, limit)
                    if time.monotonic() > deadline:
                        raise TransientError("Media download took too long", code="timeout")
                    chunks.append(chunk)
                return b"".join(chunks), response.headers.get("content-type")
        except requests.RequestException as exc:
            raise request_error(exc) from exc
        finally:
            if session is not self.session:
                session.close()

    def _last_status(self) -> int | None:
        return self.responses[-1].status_code if self.responses else None

    def _retry_after(self) -> float | None:
        return parse_retry_after(self.responses[-1].headers) if self.responses else None

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
        return graph_error(error, status, self._retry_after())


def graph_error(
    error: Mapping[str, Any], status: int | None, retry_after: float | None
) -> ChannelError:
    """Meta's `{"error": {...}}` object as one of our three kinds, matched on `code`."""
    code = as_int(error.get("code"))
    subcode = as_int(error.get("error_subcode"))
    message = error_message(error)
    code_text = str(error.get("code"))
    if subcode in WINDOW_SUBCODES:
        # Its own code, so the inbox shows Meta's reason rather than "permission".
        return PermanentError(message, code=f"{code_text}/{subcode}")
    if code in AUTH_CODES or subcode in AUTH_SUBCODES:
        return AuthError(message, code=code_text)
    if (
        code in TRANSIENT_CODES
        or error.get("is_transient") is True
        or (status is not None and (status == 429 or status >= 500))
    ):
        return TransientError(message, code=code_text, retry_after=retry_after)
    return PermanentError(message, code=code_text)


def segment(value: str) -> str:
    """An id made safe as one path segment."""
    return quote(str(value), safe="")


def error_message(error: Mapping[str, Any]) -> str:
    message = str(error.get("message") or "Graph API error")
    error_data = error.get("error_data")
    details = error_data.get("details") if isinstance(error_data, Mapping) else None
    if details and str(details) not in message:
        return f"{message}: {details}"
    return message


def http_error(status: int, message: str, retry_after: float | None) -> ChannelError:
    code = f"http_{status}"
    if status in (401, 403):
        return AuthError(message, code=code)
    if status in (408, 429) or status >= 500:
        return TransientError(message, code=code, retry_after=retry_after)
    return PermanentError(message, code=code)


def request_error(exc: requests.RequestException) -> ChannelError:
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return PermanentError(f"Bad Graph API URL: {exc}", code="bad_endpoint")
    if isinstance(exc, requests.Timeout):
        return TransientError(f"Graph API timed out: {exc}", code="timeout")
    if isinstance(exc, requests.ConnectionError):
        return TransientError(f"Graph API unreachable: {exc}", code="connection")
    return TransientError(f"Graph API request failed: {exc}", code="request")


def too_large(size: int, limit: int) -> PermanentError:
    return PermanentError(f"Media is {size} bytes, over the {limit} byte limit", code="too_large")


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
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


def as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
