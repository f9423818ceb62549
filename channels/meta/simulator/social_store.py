"""The memory of a Messenger Platform surface (Page or Instagram) in the simulator.

Mutated from the event loop only; tests in another thread may read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from channels.meta.simulator import shared
from channels.meta.simulator.shared import ArmedFaults, Fault
from channels.meta.simulator.webhooks import WebhookDelivery

Direction = Literal["inbound", "outbound"]


class SocialAccount(NamedTuple):
    """A Page or an Instagram professional account hosted by the simulator."""

    account_id: str
    access_token: str
    label: str
    #: the page's name, or the Instagram username
    name: str


@dataclass(slots=True)
class SocialItem:
    """One message or comment, either way."""

    id: str
    account_id: str
    citizen: str
    direction: Direction
    kind: Literal["message", "comment"]
    text: str
    timestamp: int
    citizen_name: str | None = None
    #: comments: the comment answered (None for a top-level comment) and the post
    parent_id: str | None = None
    post_id: str | None = None
    #: "visible", "edited", "removed", "hidden"
    state: str = "visible"
    #: outbound: "api" (the helpdesk) or "app" (an admin in Meta's own apps)
    via: str | None = None
    tag: str | None = None
    #: a private reply: the comment it answers
    private_reply_to: str | None = None
    media_url: str | None = None
    delivery: WebhookDelivery | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account_id": self.account_id,
            "citizen": self.citizen,
            "citizen_name": self.citizen_name,
            "direction": self.direction,
            "kind": self.kind,
            "text": self.text,
            "timestamp": self.timestamp,
            "parent_id": self.parent_id,
            "post_id": self.post_id,
            "state": self.state,
            "via": self.via,
            "tag": self.tag,
            "private_reply_to": self.private_reply_to,
            "media_url": self.media_url,
            "webhook_attempts": list(self.delivery.attempts) if self.delivery else None,
        }


@dataclass(frozen=True, slots=True)
class SocialMedia:
    content: bytes
    mime_type: str


@dataclass(slots=True)
class SocialStore(ArmedFaults):
    items: list[SocialItem] = field(default_factory=list)
    webhooks: list[WebhookDelivery] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    media: dict[str, SocialMedia] = field(default_factory=dict)

    def item(self, item_id: str) -> SocialItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    def last_message_from(self, account_id: str, citizen: str) -> int | None:
        return shared.last_inbound_at(
            self.items,
            lambda i: i.kind == "message" and i.account_id == account_id and i.citizen == citizen,
        )

    def outbound(self) -> list[SocialItem]:
        return shared.outbound(self.items)
