"""Pure builders of the WhatsApp Cloud API webhook bodies the simulator sends.

Shapes follow Meta's payload examples:
https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples
"""

from __future__ import annotations

import secrets
from typing import Any

from channels.whatsapp.simulator.config import SimNumber


def new_wamid() -> str:
    return "wamid." + secrets.token_urlsafe(24)


def wa_id(phone: str) -> str:
    """WhatsApp ids are the number's digits, without `+` or separators."""
    return "".join(ch for ch in phone if ch.isdigit())


def envelope(business_account_id: str, number: SimNumber, value: dict[str, Any]) -> dict[str, Any]:
    """Wrap one `value` in the entry/changes structure every WhatsApp webhook uses."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": business_account_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": wa_id(number.display_phone_number),
                                "phone_number_id": number.phone_number_id,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def message_value(name: str, sender: str, message: dict[str, Any]) -> dict[str, Any]:
    return {"contacts": [{"profile": {"name": name}, "wa_id": sender}], "messages": [message]}


def inbound_message(
    *,
    wamid: str,
    sender: str,
    timestamp: int,
    kind: str,
    content: dict[str, Any],
    context: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One `messages[]` item: the content sits under a key named after its type."""
    message: dict[str, Any] = {
        "from": sender,
        "id": wamid,
        "timestamp": str(timestamp),
        "type": kind,
        kind: content,
    }
    if context:
        message["context"] = context
    return message


def status_value(
    *,
    wamid: str,
    status: str,
    timestamp: int,
    recipient: str,
    conversation: dict[str, Any] | None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One `statuses[]` item wrapped as a value.

    Sent and delivered carry conversation and pricing; read does not; failed carries errors.
    """
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(timestamp),
        "recipient_id": recipient,
    }
    if conversation is not None and status in ("sent", "delivered"):
        item["conversation"] = conversation
        # Service replies inside the customer service window are free since July 2025:
        # https://developers.facebook.com/docs/whatsapp/pricing
        item["pricing"] = {
            "billable": False,
            "pricing_model": "PMP",
            "category": "service",
            "type": "free_customer_service",
        }
    if errors:
        item["errors"] = errors
    return {"statuses": [item]}


def conversation_object(
    conversation_id: str, expires_at: int, *, with_expiry: bool
) -> dict[str, Any]:
    conversation: dict[str, Any] = {"id": conversation_id, "origin": {"type": "service"}}
    if with_expiry:
        conversation["expiration_timestamp"] = str(expires_at)
    return conversation
