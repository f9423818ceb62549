"""The reply box's choice of how to answer, where the ticket's channel offers more than one way
(a public reply under the citizen's comment, one private reply to it), and the state of the
platform's reply window. Which ways exist comes from the channel's adapter through
`helpdesk.reply_modes`; nothing here names a platform.

- `GET /tickets/{id}/reply-modes`: the fragment the reply form loads (htmx); empty when the
  ticket has a single way and no window.
"""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import first_contact
from helpdesk.auth import Principal
from helpdesk.reply_modes import reply_choices
from helpdesk.runtime import Runtime
from helpdesk.tickets import get_ticket
from inbox.web import render, require_principal


class ReplyModesController(Controller):
    path = "/"
    include_in_schema = False
    dependencies = {"principal": Provide(require_principal)}  # noqa: RUF012 - Litestar reads it

    @get("/tickets/{ticket_id:int}/reply-modes")
    async def reply_modes(
        self,
        request: Request,
        db: AsyncSession,
        rt: Runtime,
        principal: Principal,
        ticket_id: int,
    ) -> Template:
        ticket = await get_ticket(db, principal, ticket_id)
        if ticket is None:
            raise NotFoundException("no such ticket")
        choices = await reply_choices(db, rt.adapters, ticket)
        # A closed window with a first-contact template: the reply goes, as that template, if
        # the stored listing holds it and it fits (no platform call here; the extras below say
        # why not, from a fresh listing).
        decided = (
            await first_contact.free_reply_stored(rt, db, ticket)
            if choices is not None and choices.window == "closed"
            else first_contact.AS_WRITTEN
        )
        promised = decided.way == first_contact.Way.as_template and not decided.unverified
        stand_in = decided.template.name if promised and decided.template else None
        context = {"ticket": ticket, "choices": choices, "free_reply_template": stand_in}
        return render(request, "inbox/_reply_modes_fragment.html", context, principal=principal)
