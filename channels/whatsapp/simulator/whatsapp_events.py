"""What happens on the WhatsApp side: a citizen writes, a reply is accepted, statuses follow.

The JSON control API, the HTML page and the Graph routes all call these, so a message typed in
the page and one posted by a test produce the same webhook.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from channels.whatsapp.simulator import whatsapp_payloads as payloads
from channels.whatsapp.simulator.config import SimNumber
from channels.whatsapp.simulator.faults import status_error
from channels.whatsapp.simulator.graph import new_numeric_id
from channels.whatsapp.simulator.runtime import Simulator
from channels.whatsapp.simulator.store import Conversation, SimMedia, SimMessage, StatusEvent

INBOUND_TYPES = ("text", "image", "document", "location", "reaction")
# https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages#customer-service-windows
REPLY_WINDOW_SECONDS = 24 * 3600
_DEFAULT_MIME = {"image": "image/jpeg", "document": "application/pdf"}


class InboundError(ValueError):
    """The citizen-side request lacks what its message type needs."""


async def receive_from_citizen(sim: Simulator, data: Mapping[str, Any]) -> SimMessage:
    """Record a citizen's message and POST it to the helpdesk as Meta would."""
    number = sim.config.number(str(data.get("phone_number_id", "")))
    if number is None:
        raise InboundError("unknown phone_number_id")
    sender = payloads.wa_id(str(data.get("from", "")))
    if not sender:
        raise InboundError("'from' must be a phone number")
    kind = str(data.get("type") or "text")
    if kind not in INBOUND_TYPES:
        raise InboundError(f"'type' must be one of {', '.join(INBOUND_TYPES)}")
    name = str(data.get("name") or "Warga")
    now = sim.now()
    record = SimMessage(
        id=payloads.new_wamid(),
        phone_number_id=number.phone_number_id,
        citizen=sender,
        direction="inbound",
        type=kind,
        text="",
        timestamp=now,
        name=name,
    )
    content = _content(sim, number, kind, data, record)
    context_id = data.get("context_id")
    context = None
    if context_id and kind != "reaction":
        record.reply_to = str(context_id)
        context = {"from": _quoted_sender(sim, number, str(context_id)), "id": str(context_id)}
    message = payloads.inbound_message(
        wamid=record.id, sender=sender, timestamp=now, kind=kind, content=content, context=context
    )
    sim.store.messages.append(record)
    value = payloads.message_value(name, sender, message)
    body = payloads.envelope(sim.config.business_account_id, number, value)
    record.delivery = await sim.webhooks.deliver(body, kind="message")
    return record


def accept_send(
    sim: Simulator,
    number: SimNumber,
    to: str,
    text: str,
    reply_to: str | None,
    fail_code: int | None,
    *,
    kind: str = "text",
    details: dict[str, Any] | None = None,
    media_id: str | None = None,
) -> SimMessage:
    """Record an accepted send and schedule the statuses Meta would report for it."""
    record = SimMessage(
        id=payloads.new_wamid(),
        phone_number_id=number.phone_number_id,
        citizen=payloads.wa_id(to),
        direction="outbound",
        type=kind,
        text=text,
        timestamp=sim.now(),
        reply_to=reply_to,
        media_id=media_id,
        details=dict(details or {}),
        status="accepted",
    )
    sim.store.messages.append(record)
    delays = sim.config.status_delays
    # Templates are what Meta delivers outside the window.
    if fail_code is None and sim.config.enforce_reply_window and kind != "template":
        last = sim.store.last_inbound_at(number.phone_number_id, record.citizen)
        if last is None or record.timestamp - last > REPLY_WINDOW_SECONDS:
            fail_code = 131047
    plan: list[tuple[float, str, int | None]]
    if fail_code is not None:
        plan = [(delays.sent, "failed", fail_code)]
    else:
        plan = [(delays.sent, "sent", None), (delays.delivered, "delivered", None)]
        if delays.read is not None:
            plan.append((delays.read, "read", None))
    sim.tasks.spawn(_walk(sim, record, plan))
    return record


async def emit_status(
    sim: Simulator, record: SimMessage, status: str, error_code: int | None = None
) -> StatusEvent:
    """Send one status webhook for an outbound message and remember it as emitted."""
    number = sim.config.number(record.phone_number_id)
    assert number is not None  # records are only made for configured numbers
    now = sim.now()
    event = StatusEvent(status=status, timestamp=now, error_code=error_code)
    record.status = status
    record.statuses.append(event)
    conversation = None
    if status in ("sent", "delivered"):
        current = _conversation(sim, record)
        conversation = payloads.conversation_object(
            current.id, current.expires_at, with_expiry=status == "sent"
        )
    errors = [status_error(error_code or 131000)] if status == "failed" else None
    value = payloads.status_value(
        wamid=record.id,
        status=status,
        timestamp=now,
        recipient=record.citizen,
        conversation=conversation,
        errors=errors,
    )
    body = payloads.envelope(sim.config.business_account_id, number, value)
    event.delivery = await sim.webhooks.deliver(body, kind=f"status:{status}")
    return event


async def _walk(
    sim: Simulator, record: SimMessage, plan: list[tuple[float, str, int | None]]
) -> None:
    # Each status is its own task, so one webhook being retried does not hold back the next,
    # and (as with Meta) statuses may arrive out of order.
    loop = asyncio.get_running_loop()
    start = loop.time()
    for offset, status, code in plan:
        await asyncio.sleep(max(0.0, start + offset - loop.time()))
        sim.tasks.spawn(emit_status(sim, record, status, code))


def _conversation(sim: Simulator, record: SimMessage) -> Conversation:
    key = (record.phone_number_id, record.citizen)
    current = sim.store.conversations.get(key)
    if current is None or current.expires_at <= sim.now():
        current = Conversation(secrets.token_hex(16), sim.now() + REPLY_WINDOW_SECONDS)
        sim.store.conversations[key] = current
    return current


def _quoted_sender(sim: Simulator, number: SimNumber, context_id: str) -> str:
    quoted = sim.store.message(context_id)
    if quoted is not None and quoted.direction == "inbound":
        return quoted.citizen
    return payloads.wa_id(number.display_phone_number)


def _content(
    sim: Simulator, number: SimNumber, kind: str, data: Mapping[str, Any], record: SimMessage
) -> dict[str, Any]:
    """The type-named object of the message; fills `record.text` and media as a side effect."""
    if kind == "text":
        text = str(data.get("text") or "")
        if not text:
            raise InboundError("'text' is required")
        record.text = text
        return {"body": text}
    if kind in ("image", "document"):
        media = _store_media(sim, number, kind, data)
        record.media_id = media.id
        content: dict[str, Any] = {"mime_type": media.mime_type, "sha256": media.sha256}
        caption = str(data.get("caption") or "")
        if caption:
            content["caption"] = caption
        if kind == "document" and media.filename:
            content["filename"] = media.filename
        content["id"] = media.id
        record.text = caption
        record.details = {"filename": media.filename, "mime_type": media.mime_type}
        return content
    if kind == "location":
        try:
            latitude, longitude = float(data["latitude"]), float(data["longitude"])
        except (KeyError, TypeError, ValueError):
            raise InboundError("'latitude' and 'longitude' must be numbers") from None
        content = {"latitude": latitude, "longitude": longitude}
        for key in ("name", "address"):
            if data.get(key):
                content[key] = str(data[key])
        record.text = str(data.get("name") or data.get("address") or "")
        record.details = dict(content)
        return content
    target = data.get("message_id") or data.get("context_id")
    emoji = str(data.get("emoji") or "")
    if not target or not emoji:
        raise InboundError("a reaction needs 'message_id' (or 'context_id') and 'emoji'")
    record.text = emoji
    record.reply_to = str(target)
    return {"message_id": str(target), "emoji": emoji}


def _store_media(sim: Simulator, number: SimNumber, kind: str, data: Mapping[str, Any]) -> SimMedia:
    try:
        content = base64.b64decode(str(data.get("content_base64") or ""), validate=True)
    except (binascii.Error, ValueError):
        raise InboundError("'content_base64' must be base64") from None
    if not content:
        raise InboundError(f"an {kind} needs 'content_base64'")
    filename = data.get("filename")
    media = SimMedia(
        id=new_numeric_id(),
        phone_number_id=number.phone_number_id,
        content=content,
        mime_type=str(data.get("mime_type") or _DEFAULT_MIME[kind]),
        sha256=hashlib.sha256(content).hexdigest(),
        filename=str(filename) if filename else None,
    )
    sim.store.media[media.id] = media
    return media
