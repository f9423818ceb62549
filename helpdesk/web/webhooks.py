"""Platform webhooks: authenticate, store the raw body, acknowledge (in that order).

Nothing here knows a platform: the channel's adapter authenticates and, later in a job, parses.
A body is stored before the 200, so a crash after it loses nothing (STYLE.md habit 1); the
drain job that processes it is woken once for many webhooks (helpdesk.jobs.wakeup).
"""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.status_codes import HTTP_200_OK, HTTP_403_FORBIDDEN, HTTP_413_REQUEST_ENTITY_TOO_LARGE

from channels.base import WebhookRequest
from helpdesk.models import InboundStatus, utcnow
from helpdesk.runtime import Runtime
from helpdesk.web.errors import error_response

log = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 3 * 1024 * 1024 + 64 * 1024  # the largest any adapter takes, plus slack
KEPT_HEADERS = ("content-type", "user-agent", "x-hub-signature-256", "x-forwarded-for")


def _adapter(rt: Runtime, channel: str):  # type: ignore[no-untyped-def]
    adapter = rt.adapters.get(channel)
    if adapter is None:
        raise NotFoundException(f"no channel {channel!r}")
    return adapter


@get("/webhooks/{channel:str}", tags=["webhooks"])
async def verify_webhook(channel: str, request: Request, rt: Runtime) -> Response[str]:
    """The platform's subscription handshake (Meta: `hub.challenge`)."""
    adapter = _adapter(rt, channel)
    accounts = await rt.accounts_of_kind(channel)
    challenge = adapter.handshake(dict(request.query_params), accounts)
    if challenge is None:
        return Response(
            "verification refused", status_code=HTTP_403_FORBIDDEN, media_type=MediaType.TEXT
        )
    return Response(challenge, status_code=HTTP_200_OK, media_type=MediaType.TEXT)


@post(
    "/webhooks/{channel:str}",
    tags=["webhooks"],
    request_max_body_size=MAX_WEBHOOK_BYTES,
    status_code=HTTP_200_OK,
)
async def receive_webhook(channel: str, request: Request, rt: Runtime) -> Response:
    adapter = _adapter(rt, channel)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > adapter.max_body_bytes:
        return error_response(HTTP_413_REQUEST_ENTITY_TOO_LARGE, "too_large", "body too large")
    body = await request.body()
    if len(body) > adapter.max_body_bytes:
        return error_response(HTTP_413_REQUEST_ENTITY_TOO_LARGE, "too_large", "body too large")
    headers = {k.lower(): v for k, v in request.headers.items()}
    hook = WebhookRequest(
        method="POST", query=dict(request.query_params), headers=headers, body=body
    )
    accounts = await rt.accounts_of_kind(channel)
    if not adapter.authenticate(hook, accounts):
        return error_response(
            HTTP_403_FORBIDDEN, "bad_signature", "the request signature is not valid"
        )

    now = utcnow()
    row = {
        "channel": channel,
        "received_at": now,
        "not_before": now,
        "headers": {k: headers[k][:500] for k in KEPT_HEADERS if k in headers},
        "body": adapter.envelope(hook, accounts),
        "status": InboundStatus.pending,
        "attempts": 0,
    }
    await rt.inbound_store.insert(row)
    rt.inbound_wakeup()
    return Response({"status": "received"}, media_type=MediaType.JSON)
