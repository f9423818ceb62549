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


class PayloadNeeded(Exception):
    """`fetch_media` of an adapter whose media travel in the payload (`media_in_payload`) was
    called without `MediaRef.payload` and does not hold that payload itself: the caller loads
    the stored payload and asks again. Not a ChannelError: nothing failed."""


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
    #: filled by the attachment job, never by a parser, and only once the adapter asked for it
    #: (`PayloadNeeded`)
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
    #: the platform's own reference for the whole matter (a LAPOR tracking ID): the ticket it
    #: opens carries it, and any later message with it continues that ticket, whatever its state
    external_ref: str | None = None
    #: the matter is confidential: its content is shown only to the roles that handle it
    confidential: bool = False


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
class StaffPost:
    """A message from the office's side of a channel account, never a citizen's: a member of
    the account's staff group writing there (a consultation reply, a command), or a staff
    member's command to the account in private (linking their account). `helpdesk.
    consultation_mirror` decides what it means; the sender is only trusted once linked."""

    account_key: str
    external_id: str  # the platform's message id (unique per account): the idempotency key
    chat_id: str  # where it was written: checked against the account's staff group
    sender_id: str
    sender_name: str | None
    sent_at: datetime
    body: str
    private: bool = False  # written to the account in private, not in a group
    thread_id: str | None = None  # the group's topic it was written in, if any
    reply_to_external_id: str | None = None  # the message it answers, if any


class MessageChange(enum.StrEnum):
    """What the platform says happened to a message already received (a page comment)."""

    edited = "edited"
    removed = "removed"
    hidden = "hidden"
    unhidden = "unhidden"


@dataclass(frozen=True, slots=True)
class MessageUpdate:
    """A change to a received message: the stored message is marked, its text kept."""

    account_key: str
    external_id: str
    change: MessageChange
    at: datetime
    body: str | None = None  # the new text of an edit


@dataclass(frozen=True, slots=True)
class EchoMessage:
    """A message the account itself sent, reported back by the platform: one this helpdesk
    sent, or one an admin typed in the platform's own apps. Shown as outbound, never a
    complaint; one of ours is recognised by its platform id (or `ours`) and adds nothing."""

    account_key: str
    external_id: str
    recipient_id: str  # the citizen it went to
    sent_at: datetime
    kind: ContentKind
    body: str
    media: tuple[MediaRef, ...] = ()
    reply_to_external_id: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    #: the platform carried back a marker this helpdesk put on its own sends
    ours: bool = False


class ReplyMode(enum.StrEnum):
    """How a reply reaches the citizen, where a channel offers more than one way."""

    message = "message"  # the channel's conversation (chat, mail)
    public_comment = "public_comment"  # a public reply under the citizen's comment
    private_reply = "private_reply"  # one private message answering the citizen's comment


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What an adapter needs to know to say how a ticket can be answered now."""

    #: details of the citizen's latest message on the account (which surface it came from)
    last_inbound_details: Mapping[str, Any]
    last_inbound_at: datetime | None
    #: the platform id of that message (the comment a comment reply answers)
    last_inbound_external_id: str | None
    #: reply modes already used on that message (a private reply is allowed once)
    used_modes: frozenset[ReplyMode]
    now: datetime


@dataclass(frozen=True, slots=True)
class ReplyChoices:
    """The ways a ticket can be answered now, the first being the default, and the state of
    the platform's reply window for the conversation (None where it has none)."""

    modes: tuple[ReplyMode, ...] = (ReplyMode.message,)
    #: "open" (any reply), "tagged" (only with a human-agent tag), "closed", or None
    window: str | None = None
    window_until: datetime | None = None
    #: the platform id replies in a comment mode answer
    target_external_id: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedPayload:
    messages: tuple[InboundMessage, ...] = ()
    statuses: tuple[StatusUpdate, ...] = ()
    ignored: int = 0  # parts of the payload that carry nothing for us (e.g. other fields)
    staff_posts: tuple[StaffPost, ...] = ()  # from the office's own side (see StaffPost)
    echoes: tuple[EchoMessage, ...] = ()  # the account's own sends, reported back
    updates: tuple[MessageUpdate, ...] = ()  # edits and removals of received messages


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
    #: an approved template to send instead of free text (`body` is then its filled text)
    template: OutboundTemplate | None = None
    #: a file to send, `body` being its caption
    media: OutboundMedia | None = None
    #: the staff group's topic to post in (a consultation mirrored to a forum group)
    thread_id: str | None = None
    #: how the reply reaches the citizen (a comment reply answers `reply_to_external_id`)
    reply_mode: ReplyMode = ReplyMode.message


class TicketChange(enum.StrEnum):
    """A ticket's status change as a platform that tracks the complaint is told of it."""

    resolved = "resolved"  # answered and done
    closed = "closed"
    reopened = "reopened"  # back in work after it was resolved or closed
    #: closed as not the office's to handle (another agency's), with which one as the note;
    #: only told to platforms whose adapter says `reports_out_of_authority`
    out_of_authority = "out_of_authority"


@dataclass(frozen=True, slots=True)
class StatusReport:
    """What `report_status` sends: the change, the office's note on it, and the platform ids of
    the ticket's conversation on the account, oldest first (as `OutboundMessage.thread_refs`)."""

    change: TicketChange
    note: str = ""
    thread_refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutboundTemplate:
    """A platform-approved message template chosen by name and language, with its values."""

    name: str
    language: str
    parameters: tuple[str, ...] = ()  # in the order of the template's placeholders


@dataclass(frozen=True, slots=True)
class OutboundMedia:
    """A file an admin attached to a reply, already checked against the channel's rules."""

    kind: ContentKind  # image or document
    content: bytes = field(repr=False)
    mime_type: str
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class MediaRule:
    """One kind of file a channel accepts in a reply: the types (told by the bytes) and size."""

    kind: ContentKind
    mime_types: frozenset[str]
    max_bytes: int


@dataclass(frozen=True, slots=True)
class MessageTemplate:
    """A message template the platform holds for an account, as last listed."""

    name: str
    language: str
    status: str  # the platform's word: APPROVED, PENDING, REJECTED, PAUSED, DISABLED…
    category: str
    body: str  # with placeholders `{{1}}`, `{{2}}` (or named ones) where values go
    parameters: tuple[str, ...] = ()  # the placeholder names in body order ("1", "2" …)
    header: str = ""
    footer: str = ""
    #: False when the template cannot be sent now (not approved, or needs parts we do not fill)
    usable: bool = True
    reason: str = ""  # why it is not usable


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


@dataclass(frozen=True, slots=True)
class ExternalClock:
    """A deadline the platform itself holds the office to (LAPOR: 5 working days to the first
    follow-up), counted by the helpdesk on the office's calendar beside the SOP's own."""

    name: str
    label: str  # shown on the ticket
    working_days: int
    #: "opened": from the first message's `sent_at` (when the platform handed it over);
    #: "first_response": from the first reply the platform accepted
    starts: str = "opened"
    warn_days: int = 1  # warn this many working days before it passes


@dataclass(frozen=True, slots=True)
class ImportedItem:
    """One matter read from a platform's export file or pasted by hand, stored like a polled
    item: `body` is what `parse` takes, `external_id` the id its first message will carry."""

    external_id: str
    body: bytes


@dataclass(frozen=True, slots=True)
class ImportProblem:
    row: int  # 1-based, counting the header row of a file; 0: the whole input
    reason: str


@dataclass(frozen=True, slots=True)
class ImportBatch:
    items: tuple[ImportedItem, ...] = ()
    problems: tuple[ImportProblem, ...] = ()


@runtime_checkable
class ImportingAdapter(Protocol):
    """A channel whose matters can also be brought in without its API (an export, a paste)."""

    def import_file(self, account: AccountConfig, data: bytes, filename: str) -> ImportBatch:
        """Read an export file; bad rows become problems, never exceptions."""

    def import_pasted(
        self, account: AccountConfig, ref: str, text: str, fields: Mapping[str, str]
    ) -> ImportBatch:
        """One matter typed or pasted by an admin."""


@runtime_checkable
class StaffGroupAdapter(Protocol):
    """A channel whose accounts have a staff group (the office's admin group) that a ticket's
    consultation can be mirrored to; what the group writes back arrives as `StaffPost`s."""

    def staff_group_id(self, account: AccountConfig) -> str | None:
        """The account's staff group, or None when it has none."""

    async def open_thread(self, account: AccountConfig, title: str) -> str | None:
        """Open a thread of its own (a forum topic) in the staff group and return its id;
        None where the group has no threads (its reply chains are the threads then). Raise
        one of the three ChannelErrors."""


class PollSink(Protocol):
    """What the helpdesk lends a polling adapter: its cursors and the inbound event store."""

    async def cursor(self, name: str) -> Mapping[str, Any] | None:
        """The cursor's stored value; None before the account's first poll."""

    async def store(self, name: str, item: PolledItem) -> None:
        """Store the item as an inbound event and move cursor `name` to `item.cursor` in one
        transaction, then wake its processing."""

    async def store_all(self, name: str, items: Sequence[PolledItem]) -> None:
        """`store` for several items at once: one transaction, the cursor moved to the last
        item's."""

    async def advance(self, name: str, value: Mapping[str, Any]) -> None:
        """Move a cursor without storing anything (a resync, an empty mailbox)."""

    async def known(self, external_ids: Sequence[str]) -> set[str]:
        """Those of these platform message ids the account already has (a resync's dedupe)."""

    async def healthy(self) -> None:
        """The connection works again (a round of fetching succeeded): clears the error the
        poll loop recorded on the account, if any. Cheap when there is none."""


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
    #: media travel inside the stored raw payload (email): `fetch_media` is first asked without
    #: it, and raises `PayloadNeeded` unless it still holds what it parsed; the attachment job
    #: then hands the stored payload over as `MediaRef.payload`
    media_in_payload: ClassVar[bool] = False
    #: files a reply may carry (empty: text replies only)
    outbound_media: ClassVar[tuple[MediaRule, ...]] = ()
    #: a reply may quote one of the citizen's messages (`reply_to_external_id`)
    quotes_replies: ClassVar[bool] = False
    #: deadlines the platform runs on each ticket it opens (see ExternalClock)
    external_clocks: ClassVar[tuple[ExternalClock, ...]] = ()
    #: the platform can be told that a citizen's message was read (`mark_read`)
    sends_read_receipts: ClassVar[bool] = False
    #: the platform tracks the complaint's status itself and is told of changes (`report_status`)
    reports_ticket_status: ClassVar[bool] = False
    #: besides, the platform can be told a complaint is outside the office's authority
    #: (`TicketChange.out_of_authority`): the inbox offers closing its tickets so
    reports_out_of_authority: ClassVar[bool] = False

    def __init__(self, endpoints: PlatformEndpoints) -> None:
        self.endpoints = endpoints

    def free_form_open(self, last_inbound_at: datetime | None, now: datetime) -> bool:
        """Whether a free-form reply can reach the citizen now; False: only templates can."""
        return True

    def has_templates(self, account: AccountConfig) -> bool:
        """Whether this account has platform message templates to list and send."""
        return False

    async def list_templates(self, account: AccountConfig) -> tuple[MessageTemplate, ...]:
        """Every template the account holds; raise one of the three ChannelErrors."""
        raise PermanentError("this channel has no message templates", code="no_templates")

    async def mark_read(self, account: AccountConfig, external_id: str) -> None:
        """Tell the platform the citizen's message (and those before it) was read."""
        raise PermanentError("this channel has no read receipts", code="no_read_receipts")

    async def report_status(self, account: AccountConfig, report: StatusReport) -> None:
        """Tell the platform the ticket's status changed; raise one of the three ChannelErrors."""
        raise PermanentError("this channel tracks no ticket status", code="no_status")

    @classmethod
    def account_key(cls, config: Mapping[str, str]) -> str:
        """The value that routes traffic to an account, from its resolved config (by default
        `key_field`'s; a platform whose key field is a secret derives a public key from it)."""
        return config[cls.key_field]

    def envelope(self, request: WebhookRequest, accounts: Sequence[AccountConfig]) -> bytes:
        """What to store of an authenticated webhook request: its body, unless the body does
        not say which account it is for (Telegram), when the adapter adds that."""
        return request.body

    async def register_webhook(self, account: AccountConfig, url: str) -> bool:
        """Tell the platform where to deliver this account's webhooks, where the platform is
        told by an API call (Telegram's setWebhook); False where there is nothing to do."""
        return False

    def reply_choices(self, account: AccountConfig, context: ReplyContext) -> ReplyChoices:
        """How a ticket whose citizen last wrote as in `context` can be answered now."""
        return ReplyChoices()

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
