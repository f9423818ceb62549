"""The officials' queue: Kasie, Kabid and Kadis see the tickets waiting at the SOP steps where
their role acts (their own offices only), each with the citizen's question, the admin's
analysis and the consultation, and decide in one step from the queue.

The decision form posts to the ticket's actions URL (`inbox.sop_views`) with `_from=queue`, so
the engine's rules are the only rules.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk import desk
from helpdesk.auth import Principal
from helpdesk.models import utcnow
from helpdesk.workflow import clock, engine
from inbox.sop_views import category_labels
from inbox.web import language_of, render_page, require_principal


async def queue_page(
    request: Request,
    db: AsyncSession,
    principal: Principal,
    action_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    items = await desk.officials_queue(db, principal)
    now = utcnow()
    context: dict[str, Any] = {
        "items": items,
        "deadlines": {i.ticket.id: clock.deadline_json(i.ticket, now) for i in items},
        "steps": {i.ticket.id: engine.current_step(i.ticket) for i in items},
        "is_official": bool(desk.decider_offices(principal)),
        "action_errors": action_errors or {},
        "category_labels": category_labels(language_of(request, principal)),
    }
    return await render_page(
        request, db, principal, "officials/queue.html", context, status_code=status_code
    )


class OfficialsController(Controller):
    path = "/officials"
    include_in_schema = False
    dependencies = {"principal": Provide(require_principal)}  # noqa: RUF012 - Litestar reads it

    @get("/")
    async def queue(self, request: Request, db: AsyncSession, principal: Principal) -> Template:
        return await queue_page(request, db, principal)
