"""Meta's side of a webhook: encode, sign with the app secret, POST, retry until a 200.

Shared by every Meta product the simulator plays (WhatsApp, Page, Instagram).
https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from channels.meta.simulator.tasks import TaskSet

_TIMEOUT_SECONDS = 20.0


def encode_body(payload: Any) -> bytes:
    """Serialise like Meta: compact, ASCII-only, with `/` escaped as `\\/`.

    The escaping is deliberate: a receiver that re-serialises the parsed body before checking
    the signature fails here exactly as it would against Meta.
    """
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def signature_headers(body: bytes, app_secret: str) -> dict[str, str]:
    """`X-Hub-Signature-256` (and the legacy SHA-1 `X-Hub-Signature` Meta still sends)."""
    key = app_secret.encode()
    return {
        "x-hub-signature-256": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
        "x-hub-signature": "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest(),
    }


@dataclass(slots=True)
class WebhookDelivery:
    """One webhook body and every attempt to POST it (None: no HTTP answer at all)."""

    id: int
    kind: str
    payload: Any
    attempts: list[int | None] = field(default_factory=list)

    @property
    def delivered(self) -> bool:
        return bool(self.attempts) and self.attempts[-1] == 200

    @property
    def first_status(self) -> int | None:
        return self.attempts[0] if self.attempts else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "attempts": list(self.attempts),
            "delivered": self.delivered,
            "payload": self.payload,
        }


class DeliveryLog(Protocol):
    """Where a sender records its deliveries (a simulator's store)."""

    webhooks: list[WebhookDelivery]


class WebhookSender:
    """POSTs webhook bodies to one URL and records every attempt in the store."""

    def __init__(
        self,
        url: str,
        app_secret: str,
        store: DeliveryLog,
        tasks: TaskSet,
        *,
        max_attempts: int,
        backoff_seconds: float,
    ) -> None:
        self.url = url
        self.app_secret = app_secret
        self.store = store
        self.tasks = tasks
        self.max_attempts = max(1, max_attempts)
        self.backoff_seconds = backoff_seconds
        self._client: httpx.AsyncClient | None = None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def deliver(
        self,
        payload: Any,
        *,
        kind: str,
        retry: bool = True,
        sign: bool = True,
        signature: str | None = None,
        body: bytes | None = None,
    ) -> WebhookDelivery:
        """Make the first attempt now; further attempts, if needed, go on in the background."""
        raw = encode_body(payload) if body is None else body
        headers = {"content-type": "application/json", "user-agent": "facebookexternalua"}
        if signature is not None:
            headers["x-hub-signature-256"] = signature
        elif sign:
            headers.update(signature_headers(raw, self.app_secret))
        delivery = WebhookDelivery(id=len(self.store.webhooks) + 1, kind=kind, payload=payload)
        self.store.webhooks.append(delivery)
        await self._attempt(delivery, raw, headers)
        if retry and not delivery.delivered and self.max_attempts > 1:
            self.tasks.spawn(self._retry(delivery, raw, headers))
        return delivery

    async def _retry(self, delivery: WebhookDelivery, raw: bytes, headers: dict[str, str]) -> None:
        # Meta retries with decreasing frequency; only the bound here is the simulator's own.
        for attempt in range(1, self.max_attempts):
            await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            await self._attempt(delivery, raw, headers)
            if delivery.delivered:
                return

    async def _attempt(
        self, delivery: WebhookDelivery, raw: bytes, headers: dict[str, str]
    ) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=_TIMEOUT_SECONDS)
        try:
            response = await self._client.post(self.url, content=raw, headers=headers)
        except httpx.HTTPError:
            delivery.attempts.append(None)
        else:
            delivery.attempts.append(response.status_code)
