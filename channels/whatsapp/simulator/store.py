"""The simulator's memory: every message both ways, media, faults and webhook deliveries.

Everything is mutated from the simulator's event loop only, so plain lists and dicts suffice.
Tests in another thread may read it (e.g. via the `whatsapp_simulator` fixture).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from channels.meta.simulator import shared
from channels.meta.simulator.shared import ArmedFaults, Fault
from channels.meta.simulator.webhooks import WebhookDelivery
from channels.whatsapp.simulator.sim_templates import SimTemplate, default_templates

Direction = Literal["inbound", "outbound"]


@dataclass(slots=True)
class StatusEvent:
    status: str
    timestamp: int
    error_code: int | None = None
    #: set once the webhook carrying it has been built
    delivery: WebhookDelivery | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "timestamp": self.timestamp,
            "error_code": self.error_code,
            "webhook_attempts": list(self.delivery.attempts) if self.delivery else [],
        }


@dataclass(slots=True)
class SimMessage:
    id: str
    phone_number_id: str
    citizen: str  # the citizen's wa_id
    direction: Direction
    type: str
    text: str
    timestamp: int
    name: str | None = None
    reply_to: str | None = None
    media_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    #: outbound: the last status emitted; inbound: None
    status: str | None = None
    statuses: list[StatusEvent] = field(default_factory=list)
    #: inbound: the webhook that carried it
    delivery: WebhookDelivery | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "phone_number_id": self.phone_number_id,
            "citizen": self.citizen,
            "direction": self.direction,
            "type": self.type,
            "text": self.text,
            "timestamp": self.timestamp,
            "name": self.name,
            "reply_to": self.reply_to,
            "media_id": self.media_id,
            "details": self.details,
            "status": self.status,
            "statuses": [s.to_dict() for s in self.statuses],
            "webhook_attempts": list(self.delivery.attempts) if self.delivery else None,
        }


@dataclass(frozen=True, slots=True)
class SimMedia:
    id: str
    phone_number_id: str
    content: bytes
    mime_type: str
    sha256: str
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class MediaUrl:
    media_id: str
    expires_at: float


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    expires_at: int


@dataclass(slots=True)
class SimStore(ArmedFaults):
    messages: list[SimMessage] = field(default_factory=list)
    media: dict[str, SimMedia] = field(default_factory=dict)
    media_urls: dict[str, MediaUrl] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    webhooks: list[WebhookDelivery] = field(default_factory=list)
    conversations: dict[tuple[str, str], Conversation] = field(default_factory=dict)
    #: the business account's message templates (tests may change them, as Meta's may)
    templates: list[SimTemplate] = field(default_factory=default_templates)
    #: ids of inbound messages the business marked as read, in the order it did
    read_marks: list[str] = field(default_factory=list)

    def message(self, message_id: str) -> SimMessage | None:
        return next((m for m in self.messages if m.id == message_id), None)

    def last_inbound_at(self, phone_number_id: str, citizen: str) -> int | None:
        return shared.last_inbound_at(
            self.messages, lambda m: m.phone_number_id == phone_number_id and m.citizen == citizen
        )

    def outbound(self) -> list[SimMessage]:
        return shared.outbound(self.messages)

    def inbound(self) -> list[SimMessage]:
        return [m for m in self.messages if m.direction == "inbound"]
