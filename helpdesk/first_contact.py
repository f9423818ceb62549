"""Answering a citizen on an account they never wrote to.

A complaint taken at the counter, by phone or on the public web form is answered on the
citizen's WhatsApp number or email address left on it (the ticket's reply account). Whether a
free-form message reaches them there depends on when *they* last wrote to that account, not on
when the complaint was taken: a messaging platform with a reply window (WhatsApp's 24 hours)
refuses free text to a number that never wrote in. Such a reply can only go as an approved
template; the account names the one to use in the offices file:

    first_contact_template = "tindak_lanjut_pengaduan"   # an approved template's name
    first_contact_language = "id"                        # its language (default "id")
    first_contact_parameters = "name,register_no"        # what fills {{1}}, {{2}} … in order

The values come from `FIELDS`. Without a template the reply fails before any platform call,
with a reason telling the admin what to set.

`free_reply` is the one rule deciding how a free-text reply goes: the reply box shows its
answer and the outbox applies it on sending, so the two cannot differ. The box also checks it
against the template listing it holds (`checked_against`: fetched anyway by the extras, stored
for the reply form's line), so it never promises a template the send would find missing or not
fitting.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import (
    AccountConfig,
    ChannelAdapter,
    ContentKind,
    OutboundMessage,
    OutboundTemplate,
    PermanentError,
)
from helpdesk.db import transaction
from helpdesk.message_templates import (
    MAX_PARAMETER,
    TemplateList,
    TemplateRefused,
    clean_parameters,
    fill,
    stored_templates,
    templates_for,
)
from helpdesk.models import ChannelAccount, Contact, Direction, Message, Office, Ticket, utcnow
from helpdesk.offices import account_config
from helpdesk.runtime import Runtime

# The citizen never wrote to the account: a time long gone, so a reply window reads as closed
# (an adapter takes None as "unknown" and lets the reply try).
NEVER = datetime.min.replace(tzinfo=UTC)
DEFAULT_LANGUAGE = "id"
DEFAULT_PARAMETERS = "name,register_no"
FIELDS = ("name", "register_no", "office", "subject", "text")
NO_TEMPLATE = "first_contact_template"  # none named: the inbox explains what to set
BAD_TEMPLATE = "first_contact_template_bad"  # named but unusable: the reason is shown as is
# Why a refused free reply cannot go, finer than its code (`FreeReply.problem`): the inbox
# translates each, so the admin reads what to set in their language.
NOT_NAMED = "not_named"  # no first_contact_template
UNKNOWN_FIELDS = "unknown_fields"  # first_contact_parameters names a field `FIELDS` lacks
NO_LISTING = "no_listing"  # the account cannot list templates (no business account id)
NOT_LISTED = "not_listed"  # the listing has no template of that name and language
UNUSABLE = "unusable"  # listed, but the platform will not send it now (not approved…)
PARAMETERS = "parameters"  # its values are not as many as first_contact_parameters gives
_NO_TEMPLATE_REASON = (
    "the citizen has not written to this account recently, so only an approved template "
    "reaches them: set first_contact_template on this channel in the offices file, or ask the "
    "citizen to write to this account first"
)


@dataclass(frozen=True)
class FirstContact:
    """The template an account sends to a citizen who has not written to it."""

    name: str
    language: str
    fields: tuple[str, ...]


class Way(enum.StrEnum):
    """How a free-text reply goes if sent now."""

    as_written = "as_written"  # the text itself (the platform may still refuse it, as any reply)
    as_template = "as_template"  # the account's first-contact template, filled
    refused = "refused"  # not at all: it fails before any platform call, with the reason


@dataclass(frozen=True)
class FreeReply:
    """What `free_reply` decided; `template` is the one named, `code` and `reason` say why a
    refused reply cannot go (the inbox translates `NO_TEMPLATE`, shows `BAD_TEMPLATE` as is),
    `problem` which of the refusals it is (the reply box translates it). `unverified`: going as
    the template, but the listing could not be fetched to check the template is there."""

    way: Way
    template: FirstContact | None = None
    code: str | None = None
    reason: str = ""
    problem: str = ""
    unverified: bool = False


AS_WRITTEN = FreeReply(Way.as_written)


@dataclass(frozen=True)
class TemplateValues:
    """What a first-contact template can be filled with."""

    name: str
    register_no: str
    office: str
    subject: str
    text: str


def answered_elsewhere(ticket: Ticket, account: ChannelAccount) -> bool:
    """The ticket came in by another way (counter, phone, web) than the account it is answered
    on, so the citizen's writing to the account is not the ticket's own inbound."""
    return ticket.channel != account.kind


async def last_inbound_on(
    session: AsyncSession, ticket: Ticket, account: ChannelAccount
) -> datetime | None:
    """When the ticket's citizen last wrote to `account`: what a reply window runs from."""
    if not answered_elsewhere(ticket, account):
        return ticket.last_inbound_at
    latest = await session.scalar(
        select(Message)
        .where(
            Message.channel_account_id == account.id,
            Message.direction == Direction.inbound,
            Message.ticket_id.in_(select(Ticket.id).where(Ticket.contact_id == ticket.contact_id)),
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    if latest is None:
        return NEVER
    return latest.sent_at or latest.created_at


def configured(config: AccountConfig) -> FirstContact | None:
    """The account's first-contact template, or None when the offices file names none."""
    name = config.get("first_contact_template").strip()
    if not name:
        return None
    fields = tuple(
        f.strip() for f in config.get("first_contact_parameters", DEFAULT_PARAMETERS).split(",")
    )
    return FirstContact(
        name=name,
        language=config.get("first_contact_language", DEFAULT_LANGUAGE).strip(),
        fields=tuple(f for f in fields if f),
    )


def is_free_reply(message: Message) -> bool:
    """The message is free text written to the citizen: the one kind `free_reply` can turn into
    a template. A template (a first-contact one already put in place included), a file, a note
    or a status report goes as it is."""
    return (
        message.direction == Direction.outbound
        and message.content_kind == ContentKind.text
        and not isinstance((message.details or {}).get("template"), dict)
    )


def free_reply(
    adapter: ChannelAdapter | None,
    ticket: Ticket,
    account: ChannelAccount,
    last_inbound_at: datetime | None,
    now: datetime,
) -> FreeReply:
    """How a free-text reply on `ticket` through `account` goes at `now`, given when the citizen
    last wrote to the account (`last_inbound_on`).

    It goes as a template only when the ticket came in another way than the account (counter,
    phone, web) and the account's reply window is closed. A ticket's own chat with a closed
    window is not rescued by a template: its reply goes as written and the platform's adapter
    refuses it, as it refuses any late reply there."""
    if adapter is None or not answered_elsewhere(ticket, account):
        return AS_WRITTEN
    if adapter.free_form_open(last_inbound_at, now):
        return AS_WRITTEN
    config = account_config(account)
    wanted = configured(config)
    if wanted is None:
        return FreeReply(
            Way.refused, code=NO_TEMPLATE, reason=_NO_TEMPLATE_REASON, problem=NOT_NAMED
        )
    try:
        check_fields(wanted.fields)
    except ValueError as exc:
        return FreeReply(Way.refused, wanted, BAD_TEMPLATE, str(exc), UNKNOWN_FIELDS)
    if not adapter.has_templates(config):
        return FreeReply(
            Way.refused,
            wanted,
            BAD_TEMPLATE,
            f"the first-contact template {wanted.name!r} cannot be sent: this account has no "
            "template listing set up in the offices file",
            NO_LISTING,
        )
    return FreeReply(Way.as_template, wanted)


def checked_against(decided: FreeReply, listing: TemplateList | None) -> FreeReply:
    """`decided` checked against the account's template listing as the reply box fetched it.

    A template the listing lacks, that the platform will not send now, or whose values are not
    as many as first_contact_parameters gives would fail the send (`template_for`), so the box
    shows the refusal instead of the promise. Without a listing ever fetched nothing can be
    checked: the decision stays, marked `unverified`."""
    wanted = decided.template
    if decided.way != Way.as_template or wanted is None:
        return decided
    if listing is None or (listing.fetched_at is None and not listing.templates):
        return replace(decided, unverified=True)
    found = listing.find(wanted.name, wanted.language)
    if found is None:
        return FreeReply(
            Way.refused, wanted, BAD_TEMPLATE, _not_listed_reason(wanted, listing), NOT_LISTED
        )
    if not found.usable:
        reason = (
            f"the first-contact template {wanted.name!r} ({wanted.language}) cannot be sent "
            f"now: {found.reason or found.status}"
        )
        return FreeReply(Way.refused, wanted, BAD_TEMPLATE, reason, UNUSABLE)
    if len(found.parameters) != len(wanted.fields):
        reason = (
            f"the first-contact template {wanted.name!r} cannot be filled: its "
            f"{len(found.parameters)} value(s) must match first_contact_parameters "
            f"({', '.join(wanted.fields) or 'none'})"
        )
        return FreeReply(Way.refused, wanted, BAD_TEMPLATE, reason, PARAMETERS)
    return decided


def unknown_fields(fields: tuple[str, ...]) -> list[str]:
    """The fields of first_contact_parameters that `FIELDS` does not know."""
    return [f for f in fields if f not in FIELDS]


def _not_listed_reason(wanted: FirstContact, listing: TemplateList) -> str:
    reason = f" ({listing.error})" if listing.error else ""
    return (
        f"the first-contact template {wanted.name!r} ({wanted.language}) is not among the "
        f"account's templates{reason}: correct first_contact_template in the offices file"
    )


async def free_reply_now(rt: Runtime, session: AsyncSession, ticket: Ticket) -> FreeReply:
    """`free_reply` for a reply written now on the ticket's reply account (the reply box)."""
    if ticket.channel_account_id is None:
        return AS_WRITTEN
    account = await session.get(ChannelAccount, ticket.channel_account_id)
    if account is None:
        return AS_WRITTEN
    adapter = rt.adapters.get(account.kind)
    last_inbound_at = await last_inbound_on(session, ticket, account)
    return free_reply(adapter, ticket, account, last_inbound_at, utcnow())


async def free_reply_stored(rt: Runtime, session: AsyncSession, ticket: Ticket) -> FreeReply:
    """`free_reply_now` checked against the account's template listing as last stored, for a
    view that makes no platform call of its own (never listed: `unverified`)."""
    decided = await free_reply_now(rt, session, ticket)
    if decided.way != Way.as_template or ticket.channel_account_id is None:
        return decided
    return checked_against(decided, await stored_templates(session, ticket.channel_account_id))


def check_fields(fields: tuple[str, ...]) -> None:
    """ValueError naming a field that `FIELDS` does not know (checked at `offices load`)."""
    unknown = unknown_fields(fields)
    if unknown:
        raise ValueError(
            f"first_contact_parameters: unknown {', '.join(unknown)} (known: {', '.join(FIELDS)})"
        )


async def template_for(
    rt: Runtime, account: ChannelAccount, wanted: FirstContact, values: TemplateValues
) -> tuple[OutboundTemplate, str]:
    """The template `free_reply` chose, as the platform lists it, and its filled text;
    PermanentError with a reason for the admin when the listing lacks it or it does not fit."""
    listing = await templates_for(rt, account)
    template = listing.find(wanted.name, wanted.language)
    if template is None:
        raise PermanentError(_not_listed_reason(wanted, listing), code=BAD_TEMPLATE)
    by_field = {f: str(getattr(values, f))[:MAX_PARAMETER] for f in FIELDS}
    try:
        parameters = clean_parameters(template, [by_field[f] for f in wanted.fields])
    except TemplateRefused as exc:
        raise PermanentError(
            f"the first-contact template {wanted.name!r} cannot be filled ({exc}): its "
            f"{len(template.parameters)} value(s) must match first_contact_parameters "
            f"({', '.join(wanted.fields) or 'none'})",
            code=BAD_TEMPLATE,
        ) from exc
    outbound = OutboundTemplate(template.name, template.language, parameters)
    return outbound, fill(template, parameters)


async def values_for(session: AsyncSession, ticket: Ticket, message: Message) -> TemplateValues:
    """What the ticket's first-contact template can be filled with."""
    office = await session.get_one(Office, ticket.office_id)
    contact = await session.get_one(Contact, ticket.contact_id)
    return TemplateValues(
        name=contact.name or "Bapak/Ibu",
        register_no=ticket.register_no,
        office=office.name,
        subject=ticket.subject or ticket.register_no,
        text=message.body,
    )


async def as_template(
    rt: Runtime,
    account: ChannelAccount,
    wanted: FirstContact,
    message_id: int,
    outbound: OutboundMessage,
    values: TemplateValues,
) -> OutboundMessage:
    """The reply as the account's first-contact template; the message row is changed to what
    the citizen will read (the text written is kept in its details), so a retry sends the same
    template and the timeline shows what went."""
    template, text = await template_for(rt, account, wanted, values)
    async with transaction(rt.sessions) as session:
        message = await session.get_one(Message, message_id)
        message.details = {
            **(message.details or {}),
            "template": {
                "name": template.name,
                "language": template.language,
                "parameters": list(template.parameters),
            },
            "first_contact": {"written": message.body},
        }
        message.body = text
    return replace(outbound, body=text, template=template)
