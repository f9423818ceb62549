"""The contact card on the ticket page, the contact page, merging, and revealing a NIK.

- `GET /contacts/{id}` the citizen's whole history (every ticket, the latest messages, merges),
  with proposals and a search for another contact to merge;
  `GET /contacts/{id}/card?ticket=` the card the ticket page loads (htmx);
  `POST /contacts/{id}/merge` (`other`: the contact merged into this one),
  `POST /contacts/{id}/dismiss` (`other`: a proposal that is not the same citizen);
- `POST /messages/{id}/reveal` a message's text with its NIK/KK numbers in full, for the roles
  `helpdesk.personal_data.REVEAL_ROLES`, audited.

The rules live in helpdesk.contacts; this module only renders. A contact outside the user's
offices answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from jinja2 import Environment
from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.params import Body
from litestar.response import Template
from litestar.status_codes import HTTP_409_CONFLICT
from msgspec import Struct
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from helpdesk import contacts
from helpdesk.auth import Principal
from helpdesk.models import Contact, ContactIdentity, Message, Office
from helpdesk.personal_data import contains_id_number, mask, may_reveal, phone_key
from helpdesk.tickets import get_ticket
from inbox.web import is_htmx, render, render_page, require_principal, see_other

FIND_MAX = 20


class OtherForm(Struct):
    other: int = 0
    ticket: int = 0  # the ticket page the card is on, to render it again


Other = Annotated[OtherForm, Body(media_type=RequestEncodingType.URL_ENCODED)]


def install(env: Environment) -> None:
    """Template helpers (called from inbox.i18n.install): `|mask_personal` masks NIK/KK
    numbers, `has_id_number` tells whether a text has one, `may_reveal(principal, office_id)`
    whether this user may ask to see it."""

    def _may_reveal(principal: object, office_id: int) -> bool:
        # A fragment rendered without a signed-in principal (an undefined) offers no reveal.
        return isinstance(principal, Principal) and may_reveal(principal.role_in(office_id))

    env.filters["mask_personal"] = mask
    env.globals["has_id_number"] = contains_id_number
    env.globals["may_reveal"] = _may_reveal


async def _contact(db: AsyncSession, principal: Principal, contact_id: int) -> Contact:
    try:
        return await contacts.visible_contact(db, principal, contact_id)
    except contacts.NotFound as exc:
        raise NotFoundException("no such contact") from exc


async def _find(db: AsyncSession, contact: Contact, q: str) -> list[Contact]:
    """Other live contacts of the same office by name, phone or channel identity."""
    q = " ".join(q.split())[:100]
    if len(q) < 3:
        return []
    pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    key = phone_key(q)
    identity_matches = func.lower(ContactIdentity.external_id).like(pattern, escape="\\")
    if key:  # a WhatsApp id is the number in 62... form
        identity_matches = or_(identity_matches, ContactIdentity.external_id == key)
    by_identity = select(ContactIdentity.contact_id).where(
        ContactIdentity.office_id == contact.office_id, identity_matches
    )
    clauses = [func.lower(Contact.name).like(pattern, escape="\\"), Contact.id.in_(by_identity)]
    if key:
        clauses.append(Contact.phone_key == key)
    rows = await db.scalars(
        select(Contact)
        .where(
            Contact.office_id == contact.office_id,
            Contact.id != contact.id,
            Contact.merged_into_id.is_(None),
            or_(*clauses),
        )
        .options(selectinload(Contact.identities))
        .order_by(Contact.id)
        .limit(FIND_MAX)
    )
    return list(rows)


async def _card_context(
    db: AsyncSession, principal: Principal, contact: Contact, ticket_id: int | None
) -> dict[str, Any]:
    tickets = await contacts.tickets_of(db, contact, limit=20)
    return {
        "contact": contact,
        "other_tickets": [t for t in tickets if t.id != ticket_id],
        "proposals": await contacts.proposals_for(db, contact),
        "may_merge": contacts.may_merge(principal, contact.office_id),
        "ticket_id": ticket_id,
    }


class ContactController(Controller):
    path = "/"
    include_in_schema = False
    dependencies = {"principal": Provide(require_principal)}  # noqa: RUF012 - Litestar reads it

    @get("/contacts/{contact_id:int}")
    async def contact_page(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        contact_id: int,
        q: str | None = None,
    ) -> Response[Any]:
        contact = await _contact(db, principal, contact_id)
        if contact.merged_into_id is not None:
            return see_other(f"/contacts/{contact.merged_into_id}")
        context = {
            **await _card_context(db, principal, contact, None),
            "tickets": await contacts.tickets_of(db, contact),
            "history": await contacts.history_of(db, contact),
            "merges": await contacts.merges_of(db, contact),
            "q": (q or "").strip()[:100],
            "found": await _find(db, contact, q or "") if q else [],
            "office": await db.get(Office, contact.office_id),
            "on_page": True,  # the card's ticket list and link are the page itself
        }
        return await render_page(request, db, principal, "contacts/page.html", context)

    @get("/contacts/{contact_id:int}/card")
    async def card(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        contact_id: int,
        ticket: int | None = None,
    ) -> Template:
        contact = await _contact(db, principal, contact_id)
        context = await _card_context(db, principal, contact, ticket)
        return render(request, "inbox/_contact_card.html", context, principal=principal)

    async def _after(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        survivor: Contact,
        ticket_id: int,
    ) -> Response[Any]:
        if is_htmx(request) and ticket_id:
            context = await _card_context(db, principal, survivor, ticket_id)
            return render(request, "inbox/_contact_card.html", context, principal=principal)
        if is_htmx(request):  # on the contact page: its history changed too, load it again
            return Response(content=b"", headers={"HX-Redirect": f"/contacts/{survivor.id}"})
        if ticket_id:
            return see_other(f"/tickets/{ticket_id}")
        return see_other(f"/contacts/{survivor.id}")

    @post("/contacts/{contact_id:int}/merge", status_code=200)
    async def merge(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        contact_id: int,
        data: Other,
    ) -> Response[Any]:
        try:
            survivor = await contacts.merge(db, principal, contact_id, data.other)
        except contacts.NotFound as exc:
            raise NotFoundException("no such contact") from exc
        except contacts.NotAllowed as exc:
            raise PermissionDeniedException("your role may not merge contacts") from exc
        except contacts.ContactError as exc:
            raise HTTPException(status_code=HTTP_409_CONFLICT, detail=exc.code) from exc
        await db.commit()
        return await self._after(request, db, principal, survivor, data.ticket)

    @post("/contacts/{contact_id:int}/dismiss", status_code=200)
    async def dismiss(
        self,
        request: Request,
        db: AsyncSession,
        principal: Principal,
        contact_id: int,
        data: Other,
    ) -> Response[Any]:
        try:
            await contacts.dismiss(db, principal, contact_id, data.other)
        except contacts.NotFound as exc:
            raise NotFoundException("no such contact") from exc
        except contacts.NotAllowed as exc:
            raise PermissionDeniedException("your role may not merge contacts") from exc
        await db.commit()
        contact = await _contact(db, principal, contact_id)
        return await self._after(request, db, principal, contact, data.ticket)

    @post("/messages/{message_id:int}/reveal", status_code=200)
    async def reveal(
        self, request: Request, db: AsyncSession, principal: Principal, message_id: int
    ) -> Template:
        message = await db.get(Message, message_id)
        ticket = await get_ticket(db, principal, message.ticket_id) if message else None
        if message is None or ticket is None:
            raise NotFoundException("no such message")
        if not contacts.may_reveal_in(principal, ticket.office_id):
            raise PermissionDeniedException("your role may not see NIK or KK numbers in full")
        if not contains_id_number(message.body):
            raise NotFoundException("nothing to reveal")
        contacts.record_reveal(db, principal, ticket, message.id)
        await db.commit()
        context = {"m": message, "ticket": ticket, "revealed": True}
        if is_htmx(request):
            return render(request, "inbox/_contact_body.html", context, principal=principal)
        return await render_page(request, db, principal, "contacts/revealed.html", context)
