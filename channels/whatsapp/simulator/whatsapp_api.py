"""The WhatsApp Cloud API behind the shared Graph routes: send text, look up and serve media.

- Send: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
- Media: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#download-media
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from channels.whatsapp.simulator import graph, sends, sim_templates
from channels.whatsapp.simulator.faults import SYNC_FAULTS, refusal
from channels.whatsapp.simulator.runtime import Simulator, SimulatorDep
from channels.whatsapp.simulator.store import MediaUrl
from channels.whatsapp.simulator.whatsapp_events import accept_send
from channels.whatsapp.simulator.whatsapp_payloads import wa_id

MAX_TEXT_LENGTH = 4096
SEND_TYPES = ("text", "template", "image", "document")


class WhatsAppProduct:
    """Owns the configured phone number ids and the media citizens sent to them."""

    def owns_token(self, sim: Simulator, token: str) -> bool:
        return sim.config.number_for_token(token) is not None

    async def post_messages(
        self, sim: Simulator, request: Request[Any, Any, Any], object_id: str, params: graph.Params
    ) -> Response[Any] | None:
        number = sim.config.number(object_id)
        if number is None:
            return None
        if graph.access_token(request, params) != number.access_token:
            return graph.unsupported_object("post", object_id)
        if params.get("status") == "read":
            return sends.mark_read(sim, number, params)
        problem = _invalid_send(params)
        if problem is not None:
            return graph.error_response(400, 100, "(#100) Invalid parameter", details=problem)
        if params.get("type", "text") == "text":
            outgoing = sends.Outgoing("text", params["text"]["body"])
        else:
            try:
                outgoing = sends.outgoing(sim, number, params)
            except sends.SendRefused as exc:
                return exc.response()
        fault = sim.store.take_fault()
        if fault is not None and fault.kind in SYNC_FAULTS:
            return refusal(fault)
        context = params.get("context")
        reply_to = context.get("message_id") if isinstance(context, dict) else None
        record = accept_send(
            sim,
            number,
            str(params["to"]),
            outgoing.text,
            str(reply_to) if reply_to else None,
            fault.code if fault is not None else None,
            kind=outgoing.kind,
            details=outgoing.details,
            media_id=outgoing.media_id,
        )
        return graph.ok(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": str(params["to"]), "wa_id": record.citizen}],
                "messages": [{"id": record.id}],
            }
        )

    async def get_object(
        self, sim: Simulator, request: Request[Any, Any, Any], object_id: str, token: str
    ) -> Response[Any] | None:
        media = sim.store.media.get(object_id)
        if media is None:
            return None
        owner = sim.config.number(media.phone_number_id)
        if owner is None or owner.access_token != token:
            return graph.unsupported_object("get", object_id)
        opaque = secrets.token_urlsafe(24)
        expires_at = time.time() + sim.config.media_url_ttl_seconds
        sim.store.media_urls[opaque] = MediaUrl(media.id, expires_at)
        base = (sim.config.public_url or str(request.base_url)).rstrip("/")
        return graph.ok(
            {
                "messaging_product": "whatsapp",
                "url": f"{base}/media/{opaque}",
                "mime_type": media.mime_type,
                "sha256": media.sha256,
                "file_size": len(media.content),
                "id": media.id,
            }
        )


@get("/media/{opaque:str}")
async def media_download(
    request: Request[Any, Any, Any], sim: SimulatorDep, opaque: FromPath[str]
) -> Response[Any]:
    """Stands in for Meta's short-lived media URL, which wants the same Bearer token."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else None
    if sim.config.number_for_token(token) is None:
        return Response(b"Unauthorized", status_code=401, media_type="text/plain")
    url = sim.store.media_urls.get(opaque)
    media = sim.store.media.get(url.media_id) if url is not None else None
    if url is None or media is None or url.expires_at < time.time():
        return Response(b"Not Found", status_code=404, media_type="text/plain")
    return Response(media.content, status_code=200, media_type=media.mime_type)


def _invalid_send(params: graph.Params) -> str | None:
    """Why Meta would refuse these parameters, or None (other types are checked in `sends`)."""
    if params.get("messaging_product") != "whatsapp":
        return "The parameter messaging_product is required and must be 'whatsapp'."
    if not wa_id(str(params.get("to") or "")):
        return "The parameter to is required and must be a phone number."
    if params.get("recipient_type", "individual") != "individual":
        return "Param recipient_type must be 'individual'."
    kind = params.get("type", "text")
    if kind not in SEND_TYPES:
        return f"The simulator accepts type {', '.join(SEND_TYPES)}, not {kind!r}."
    if kind != "text":
        return None
    text = params.get("text")
    body = text.get("body") if isinstance(text, dict) else None
    if not isinstance(body, str) or not body.strip():
        return "The parameter text['body'] is required."
    if len(body) > MAX_TEXT_LENGTH:
        return f"Param text['body'] must be at most {MAX_TEXT_LENGTH} characters long."
    return None


@post(
    "/graph/{version:str}/{phone_number_id:str}/media",
    status_code=200,
    request_max_body_size=101 * 1024 * 1024,
)
async def upload_media(
    request: Request[Any, Any, Any], sim: SimulatorDep, phone_number_id: FromPath[str]
) -> Response[Any]:
    """A file uploaded for sending (multipart: its own route, as the shared Graph routes read
    bodies as form or JSON parameters)."""
    token = graph.access_token(request, {})
    number = sim.config.number(phone_number_id)
    if sim.config.number_for_token(token) is None:
        return graph.invalid_token(token)
    if number is None or token != number.access_token:
        return graph.unsupported_object("post", phone_number_id)
    return await sends.upload(sim, request, number)


@get("/graph/{version:str}/{waba_id:str}/message_templates")
async def message_templates(
    request: Request[Any, Any, Any], sim: SimulatorDep, waba_id: FromPath[str]
) -> Response[Any]:
    """The business account's templates, paged with Graph cursors (`limit`, `after`)."""
    token = graph.access_token(request, {})
    if sim.config.number_for_token(token) is None:
        return graph.invalid_token(token)
    if waba_id != sim.config.business_account_id:
        return graph.unsupported_object("get", waba_id)
    query = request.query_params
    try:
        limit = min(max(int(query.get("limit") or 25), 1), 100)
    except ValueError:
        return graph.error_response(400, 100, "(#100) Invalid parameter", details="limit")
    return graph.ok(sim_templates.page(sim.store.templates, limit, query.get("after")))


handlers = [media_download, message_templates, upload_media]
