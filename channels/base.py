"""The one interface every channel adapter implements, and the typed objects that cross it.

A channel package turns what its platform sends (a webhook body, a polled item) into the
objects below and turns an `OutboundMessage` into a platform call. Nothing outside a channel
package sees a platform payload; nothing inside one touches tickets or the database.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, runtime_checkable


class ChannelError(Exception):
    """Base of the three error kinds an adapter may raise when talking to its platform."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class AuthError(ChannelError):
    """The platform refused our credentials (expired or revoked token): a human must act."""


class TransientError(ChannelError):
    """Worth retrying later: outage, timeout, rate limit."""

    def __init__(
        self, message: str, *, code: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class PermanentError(ChannelError):
    """Retrying will not help (closed reply window, unknown recipient, bad request)."""


class InvalidPayload(ValueError):
    """A payload that passed authentication but cannot be understood."""


class ContentKind(enum.StrEnum):
    text = "text"
    image = "image"
    document = "document"
    audio = "audio"
    video = "video"
    sticker = "sticker"
    location = "location"
    contacts = "contacts"
    interactive = "interactive"
    reaction = "reaction"
    unsupported = "unsupported"


class DeliveryStatus(enum.StrEnum):
    """Delivery states of an outbound message, in the order they may advance."""

    queued = "queued"
    sent = "sent"
    delivered = "delivered"
    read = "read"
    failed = "failed"


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A file the platform holds; fetched later with `ChannelAdapter.fetch_media`."""

    media_id: str
    mime_type: str | None = None
    filename: str | None = None
    sha256: str | None = None
    kind: ContentKind = ContentKind.document
    #: the stored raw payload the file travels in, for adapters with `media_in_payload` (email):
    #: filled by the attachment job, never by a parser
    payload: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a citizen, normalised."""

    account_key: str  # routes to the ChannelAccount (phone_number_id, page id, mailbox, …)
    external_id: str  # the platform's message id: the idempotency key
    sender_id: str  # the citizen's identity on this channel
    sender_name: str | None
    sent_at: datetime
    kind: ContentKind
    body: str  # the citizen's own words (text, caption); empty for e.g. a bare sticker
    media: tuple[MediaRef, ...] = ()
    reply_to_external_id: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)  # kind-specific facts (coordinates…)
    sender_phone: str | None = None  # the citizen's phone number, where the channel reveals it
    subject: str | None = None  # a subject line where the platform has one (email)
    #: platform ids of earlier messages this one answers (email: In-Reply-To, then References,
    #: nearest first); ingest continues the ticket holding the first one it knows
    thread_refs: tuple[str, ...] = ()
    #: a register number the citizen quoted (email: in the subject); ingest continues that
    #: ticket when it is the same contact's, in the account's office
    ticket_hint: str | None = None


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """The platform's word on one of our outbound messages."""

    account_key: str
    external_id: str
    status: DeliveryStatus
    at: datetime
    error: str | None = None
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedPayload:
    messages: tuple[InboundMessage, ...] = ()
    statuses: tuple[StatusUpdate, ...] = ()
    ignored: int = 0  # parts of the payload that carry nothing for us (e.g. other fields)


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """What the helpdesk asks a channel to send."""

    recipient_id: str
    body: str
    reply_to_external_id: str | None = None
    last_inbound_at: datetime | None = None  # for platforms with a reply window
    subject: str | None = None  # the ticket's subject
    register_no: str | None = None  # the ticket's register number
    #: platform ids of the conversation on this account, oldest first (email: References, and
    #: the last one In-Reply-To)
    thread_refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FetchedMedia:
    content: bytes
    mime_type: str | None
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    method: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """A channel account's settings with `env:` references already resolved."""

    key: str
    values: Mapping[str, str]

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name) or default


@dataclass(frozen=True, slots=True)
class PlatformEndpoints:
    """Where the platforms live: real by default, local simulators in tests and the demo."""

    graph_api_url: str = "https://graph.facebook.com/"
    graph_api_version: str = "v21.0"
    telegram_api_url: str = "https://api.telegram.org/"
    lapor_api_url: str = ""
    timeout_seconds: float = 20.0
    max_media_bytes: int = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PolledItem:
    """One raw item a polling adapter fetched (a mail): stored as an inbound event first."""

    body: bytes  # what `parse` takes
    cursor: Mapping[str, Any]  # the cursor's value once this item is stored
    facts: Mapping[str, str] = field(default_factory=dict)  # kept on the event row (mailbox, uid)


class PollSink(Protocol):
    """What the helpdesk lends a polling adapter: its cursors and the inbound event store."""

    async def cursor(self, name: str) -> Mapping[str, Any] | None:
        """The cursor's stored value; None before the account's first poll."""

    async def store(self, name: str, item: PolledItem) -> None:
        """Store the item as an inbound event and move cursor `name` to `item.cursor` in one
        transaction, then enqueue its processing."""

    async def advance(self, name: str, value: Mapping[str, Any]) -> None:
        """Move a cursor without storing anything (a resync, an empty mailbox)."""

    async def known(self, external_ids: Sequence[str]) -> set[str]:
        """Those of these platform message ids the account already has (a resync's dedupe)."""


@runtime_checkable
class PollingAdapter(Protocol):
    """A channel whose traffic is fetched (IMAP) rather than pushed; `helpdesk.polling` runs
    one `poll` per active account, in one process at a time."""

    async def poll(self, account: AccountConfig, sink: PollSink) -> None:
        """Fetch into `sink` until cancelled. Returning or raising one of the ChannelErrors ends
        the connection; the helpdesk reconnects with backoff."""


class ChannelAdapter(abc.ABC):
    """One platform. Stateless apart from the endpoints it was built with."""

    kind: ClassVar[str]
    #: the config field that routes inbound traffic to an account (e.g. `phone_number_id`)
    key_field: ClassVar[str]
    #: config fields an offices file must give
    required_fields: ClassVar[tuple[str, ...]]
    #: largest webhook body accepted, in bytes
    max_body_bytes: ClassVar[int] = 3 * 1024 * 1024
    #: config fields holding secrets (never shown or logged)
    secret_fields: ClassVar[tuple[str, ...]] = ()
    #: a message that threads to nothing continues the contact's open ticket (chat channels);
    #: False: it opens a new ticket (email, where each new mail is a new matter)
    continues_open_ticket: ClassVar[bool] = True
    #: media travel inside the stored raw payload (email): the attachment job hands that
    #: payload to `fetch_media` as `MediaRef.payload`
    media_in_payload: ClassVar[bool] = False

    def __init__(self, endpoints: PlatformEndpoints) -> None:
        self.endpoints = endpoints

    def handshake(self, query: Mapping[str, str], accounts: Sequence[AccountConfig]) -> str | None:
        """Answer to a webhook verification GET, or None to refuse it."""
        return None

    @abc.abstractmethod
    def authenticate(self, request: WebhookRequest, accounts: Sequence[AccountConfig]) -> bool:
        """True when the request provably comes from the platform (checked before parsing)."""

    @abc.abstractmethod
    def parse(self, body: bytes) -> ParsedPayload:
        """Turn an authenticated body into typed objects; raise InvalidPayload when it can't."""

    @abc.abstractmethod
    async def send(self, account: AccountConfig, message: OutboundMessage) -> str:
        """Send and return the platform's message id; raise one of the three ChannelErrors."""

    @abc.abstractmethod
    async def fetch_media(self, account: AccountConfig, media: MediaRef) -> FetchedMedia:
        """Download a media file; raise one of the three ChannelErrors."""
