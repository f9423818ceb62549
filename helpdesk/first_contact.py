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
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import AccountConfig, OutboundMessage, OutboundTemplate, PermanentError
from helpdesk.db import transaction
from helpdesk.message_templates import (
    MAX_PARAMETER,
    TemplateRefused,
    clean_parameters,
    fill,
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


@dataclass(frozen=True)
class FirstContact:
    """The template an account sends to a citizen who has not written to it."""

    name: str
    language: str
    fields: tuple[str, ...]


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


async def free_reply_template(rt: Runtime, session: AsyncSession, ticket: Ticket) -> str | None:
    """The name of the template a free-text reply on `ticket` would go as if sent now, or None
    when it goes as written (or, with the window closed and no template named, not at all).

    The same rule the outbox applies on sending: the ticket came in another way than the account
    it is answered on, the citizen has not written to that account within its reply window, and
    the account names a first-contact template it can list. The reply box says so instead of
    warning that a free reply cannot arrive."""
    if ticket.channel_account_id is None:
        return None
    account = await session.get(ChannelAccount, ticket.channel_account_id)
    adapter = rt.adapters.get(account.kind) if account is not None else None
    if account is None or adapter is None or not answered_elsewhere(ticket, account):
        return None
    if adapter.free_form_open(await last_inbound_on(session, ticket, account), utcnow()):
        return None
    config = account_config(account)
    wanted = configured(config)
    # Without a template listing (WhatsApp's business account id) the template cannot be sent.
    return wanted.name if wanted is not None and adapter.has_templates(config) else None


def check_fields(fields: tuple[str, ...]) -> None:
    """ValueError naming a field that `FIELDS` does not know (checked at `offices load`)."""
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise ValueError(
            f"first_contact_parameters: unknown {', '.join(unknown)} (known: {', '.join(FIELDS)})"
        )


async def template_for(
    rt: Runtime, account: ChannelAccount, config: AccountConfig, values: TemplateValues
) -> tuple[OutboundTemplate, str]:
    """The template to send instead of free text, and its filled text; PermanentError with a
    reason for the admin when the account has none or it cannot be sent."""
    wanted = configured(config)
    if wanted is None:
        raise PermanentError(
            "the citizen has not written to this account recently, so only an approved "
            "template reaches them: set first_contact_template on this channel in the offices "
            "file, or ask the citizen to write to this account first",
            code=NO_TEMPLATE,
        )
    try:
        check_fields(wanted.fields)
    except ValueError as exc:
        raise PermanentError(str(exc), code=BAD_TEMPLATE) from exc
    listing = await templates_for(rt, account)
    template = listing.find(wanted.name, wanted.language)
    if template is None:
        reason = f" ({listing.error})" if listing.error else ""
        raise PermanentError(
            f"the first-contact template {wanted.name!r} ({wanted.language}) is not among the "
            f"account's templates{reason}: correct first_contact_template in the offices file",
            code=BAD_TEMPLATE,
        )
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
    config: AccountConfig,
    message_id: int,
    outbound: OutboundMessage,
    values: TemplateValues,
) -> OutboundMessage:
    """The reply as the account's first-contact template; the message row is changed to what
    the citizen will read (the text written is kept in its details), so a retry sends the same
    template and the timeline shows what went."""
    template, text = await template_for(rt, account, config, values)
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
